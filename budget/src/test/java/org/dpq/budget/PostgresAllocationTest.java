package org.dpq.budget;

import org.dpq.testing.RequiresPostgres;

/** Allocations on the PostgreSQL server (a fresh schema per test). */
@RequiresPostgres
class PostgresAllocationTest extends AllocationContract {
  @Override
  LedgerTarget newTarget() {
    return LedgerTarget.postgres();
  }
}
