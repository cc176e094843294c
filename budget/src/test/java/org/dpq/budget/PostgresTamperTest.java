package org.dpq.budget;

/** Tamper evidence on a PostgreSQL ledger (a fresh schema per test). */
class PostgresTamperTest extends TamperContract {
  @Override
  LedgerTarget newTarget() {
    return LedgerTarget.postgres();
  }
}
