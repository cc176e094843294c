package org.dpq.budget;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The ledger contract on an SQLite file. */
class SqliteLedgerTest extends LedgerContract {
  @TempDir Path dir;

  @Override
  LedgerTarget newTarget() {
    return LedgerTarget.sqlite(dir);
  }
}
