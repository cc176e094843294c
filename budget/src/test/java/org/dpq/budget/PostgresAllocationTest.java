package org.dpq.budget;

/** Allocations on the PostgreSQL server (a fresh schema per test). */
class PostgresAllocationTest extends AllocationContract {
  @Override
  LedgerTarget newTarget() {
    return LedgerTarget.postgres();
  }
}
