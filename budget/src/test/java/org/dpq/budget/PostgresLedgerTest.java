package org.dpq.budget;

import org.dpq.testing.RequiresPostgres;

/** The ledger contract on the PostgreSQL server (a fresh schema per test). */
@RequiresPostgres
class PostgresLedgerTest extends LedgerContract {
  @Override
  LedgerTarget newTarget() {
    return LedgerTarget.postgres();
  }
}
