package org.dpq.engine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The start-up warm-up plans its synthetic query (else it would silently warm nothing) and touches no file. */
class PlanningWarmupTest {
  @Test
  void plansTheSyntheticQueryWithoutOpeningItsSource() throws Exception {
    assertTrue(PlanningWarmup.run(), "the built-in dataset and query must pass analysis and rewrite");
    assertFalse(Files.exists(Path.of("warmup-never-read.csv")), "the synthetic source is never created");
  }

  @Test
  void runsAsADaemonThatEndsByItself() throws Exception {
    Thread t = PlanningWarmup.start();
    assertTrue(t.isDaemon(), "must never keep the process alive");
    t.join();
    assertFalse(t.isAlive());
  }
}
