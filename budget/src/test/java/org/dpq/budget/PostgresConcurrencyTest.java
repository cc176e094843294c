package org.dpq.budget;

import org.dpq.testing.RequiresPostgres;

/** Concurrency on the PostgreSQL server. */
@RequiresPostgres
class PostgresConcurrencyTest extends ConcurrencyContract {
  @Override
  LedgerTarget newTarget() {
    return LedgerTarget.postgres();
  }
}
