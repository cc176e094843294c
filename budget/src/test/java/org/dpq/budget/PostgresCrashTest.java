package org.dpq.budget;

/** Crash on the PostgreSQL server. */
class PostgresCrashTest extends CrashContract {
  @Override
  LedgerTarget newTarget() {
    return LedgerTarget.postgres();
  }
}
