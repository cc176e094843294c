package org.dpq.budget;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** Tamper evidence on an SQLite ledger file. */
class SqliteTamperTest extends TamperContract {
  @TempDir Path dir;

  @Override
  LedgerTarget newTarget() {
    return LedgerTarget.sqlite(dir);
  }
}
