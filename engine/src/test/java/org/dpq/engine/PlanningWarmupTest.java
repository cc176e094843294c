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
  void warmsUpOnlyWhenACoreIsLeftIdle() {
    assertTrue(PlanningWarmup.coreIdle(0.0, 2), "quiet two-core machine");
    assertTrue(PlanningWarmup.coreIdle(1.2, 2), "dpq calls one after another keep about one core busy");
    assertTrue(PlanningWarmup.coreIdle(2.9, 4));
    assertTrue(PlanningWarmup.coreIdle(Double.NaN, 2), "unknown load: warm up");
    assertFalse(PlanningWarmup.coreIdle(1.8, 2), "nearly both cores busy");
    assertFalse(PlanningWarmup.coreIdle(20.0, 2), "loaded machine");
    assertFalse(PlanningWarmup.coreIdle(0.0, 1), "one core: nothing to overlap with");
  }

  @Test
  void thePropertyOverridesTheLoadCheckBothWays() {
    assertTrue(PlanningWarmup.wanted("always", () -> false));
    assertFalse(PlanningWarmup.wanted("never", () -> true));
    assertTrue(PlanningWarmup.wanted("auto", () -> true));
    assertFalse(PlanningWarmup.wanted("auto", () -> false));
    assertFalse(PlanningWarmup.wanted("sometimes", () -> false), "unknown: the load check decides");
  }

  @Test
  void runsAsADaemonThatEndsByItself() throws Exception {
    Thread t = PlanningWarmup.start();
    assertTrue(t.isDaemon(), "must never keep the process alive");
    t.join();
    assertFalse(t.isAlive());
  }
}
