package org.dpq.budget;

/** The ledger contract on the PostgreSQL server (a fresh schema per test). */
class PostgresLedgerTest extends LedgerContract {
  @Override
  LedgerTarget newTarget() {
    return LedgerTarget.postgres();
  }
}
