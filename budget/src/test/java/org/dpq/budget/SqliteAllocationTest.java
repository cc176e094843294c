package org.dpq.budget;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** Allocations on an SQLite file. */
class SqliteAllocationTest extends AllocationContract {
  @TempDir Path dir;

  @Override
  LedgerTarget newTarget() {
    return LedgerTarget.sqlite(dir);
  }
}
