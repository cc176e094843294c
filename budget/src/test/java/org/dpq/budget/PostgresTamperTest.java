package org.dpq.budget;

import org.dpq.testing.RequiresPostgres;

/** Tamper evidence on a PostgreSQL ledger (a fresh schema per test). */
@RequiresPostgres
class PostgresTamperTest extends TamperContract {
  @Override
  LedgerTarget newTarget() {
    return LedgerTarget.postgres();
  }
}
