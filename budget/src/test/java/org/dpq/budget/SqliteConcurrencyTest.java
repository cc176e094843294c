package org.dpq.budget;

/** Concurrency on an SQLite ledger file. */
class SqliteConcurrencyTest extends ConcurrencyContract {
  @Override
  LedgerTarget newTarget() {
    return LedgerTarget.sqlite(work);
  }
}
