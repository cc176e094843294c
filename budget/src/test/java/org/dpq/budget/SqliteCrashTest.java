package org.dpq.budget;

/** Crash on an SQLite ledger file. */
class SqliteCrashTest extends CrashContract {
  @Override
  LedgerTarget newTarget() {
    return LedgerTarget.sqlite(work);
  }
}
