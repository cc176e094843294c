package org.dpq.budget;

import org.dpq.testing.RequiresPostgres;

/** Crash on the PostgreSQL server. */
@RequiresPostgres
class PostgresCrashTest extends CrashContract {
  @Override
  LedgerTarget newTarget() {
    return LedgerTarget.postgres();
  }
}
