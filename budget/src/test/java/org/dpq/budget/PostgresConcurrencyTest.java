package org.dpq.budget;

/** Concurrency on the PostgreSQL server. */
class PostgresConcurrencyTest extends ConcurrencyContract {
  @Override
  LedgerTarget newTarget() {
    return LedgerTarget.postgres();
  }
}
