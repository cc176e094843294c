package org.dpq.e2e.fuzz;

import java.io.IOException;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Fuzzing through the Java API with near misses of dpq's grammar ({@link SqlArbitraries#nearMisses()}) against the
 * hostile people table: every request is answered or rejected cleanly, as {@link SqlFuzzTarget} checks. Split from
 * {@link SqlFuzzProperties} (same tries, same checks, its own ledger) so that the two halves can run side by side.
 */
class SqlNearMissProperties {
  private static final int NEAR_MISS_TRIES = 4000;

  private static SqlFuzzTarget target;

  @BeforeContainer
  static void open() throws IOException {
    target = SqlFuzzTarget.open("near misses");
  }

  @AfterContainer
  static void close() throws IOException {
    target.close();
  }

  @Property(tries = NEAR_MISS_TRIES)
  void nearMissesAreAnsweredOrRejectedCleanly(@ForAll("nearMisses") SqlArbitraries.Request r) {
    target.exercise(r);
  }

  @Provide
  Arbitrary<SqlArbitraries.Request> nearMisses() {
    return SqlArbitraries.nearMisses();
  }
}
