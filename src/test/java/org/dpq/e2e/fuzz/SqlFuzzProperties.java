package org.dpq.e2e.fuzz;

import java.io.IOException;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Fuzzing through the Java API with SQL in dpq's grammar ({@link SqlArbitraries#requests()}) against the hostile
 * people table: every request is answered or rejected cleanly, as {@link SqlFuzzTarget} checks. Its near misses are
 * {@link SqlNearMissProperties}, a class of their own so that the two halves (about a minute each) can run in the
 * module's two test JVMs side by side instead of one after the other in one.
 */
class SqlFuzzProperties {
  private static final int GRAMMAR_TRIES = 2500;

  private static SqlFuzzTarget target;

  @BeforeContainer
  static void open() throws IOException {
    target = SqlFuzzTarget.open("grammar");
  }

  @AfterContainer
  static void close() throws IOException {
    target.close();
  }

  @Property(tries = GRAMMAR_TRIES)
  void grammarQueriesAreAnsweredOrRejectedCleanly(@ForAll("requests") SqlArbitraries.Request r) {
    target.exercise(r);
  }

  @Provide
  Arbitrary<SqlArbitraries.Request> requests() {
    return SqlArbitraries.requests();
  }
}
