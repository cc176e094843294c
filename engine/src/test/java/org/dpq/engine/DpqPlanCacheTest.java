package org.dpq.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.dpq.engine.release.ReleaseKey;
import org.dpq.engine.release.SecureNoise;
import org.dpq.mechanisms.MechanismChoice;
import org.dpq.mechanisms.TestRandomBits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plan cache of {@link Dpq} (issue 20): a repeated query is planned once, anything that changes its plan (the
 * epsilon, delta, mechanism, weights, or the dataset's automatic bounds) gets a fresh plan equal to an uncached
 * instance's, a cached plan releases exactly what a fresh plan releases (same noise seed and secrets), and every
 * release still puts its own secret into the bounded query.
 */
class DpqPlanCacheTest {
  private static final String KEYED = "SELECT sex, married, COUNT(*) AS n, SUM(income) AS s FROM pums "
      + "GROUP BY sex, married";
  private static final QueryOptions ONE = QueryOptions.defaults().withEpsilon("1").withAnalyst("cache");

  @TempDir
  Path dir;

  /** PUMS with G = 1, R = 2 whose privacy unit is {@code unit}, in its own folder (own ledger). */
  private Path yaml(String name, String unit) {
    return PumsFiles.pumsYaml(dir.resolve(name), "PUMS_dup.csv", unit, 1, 2, "1000");
  }

  /** Each call of the same SQL text charged and released afresh (as the audits do), never a stored answer. */
  private static ReleaseKey.Scheme numbered() {
    AtomicLong run = new AtomicLong();
    return (plan, noisePlan, requested, choice) -> ReleaseKey.CANONICAL.key(plan, noisePlan, requested, choice)
        + " run " + run.incrementAndGet();
  }

  private static long[] counts(Dpq dpq) {
    return dpq.planCountsForTest();
  }

  @Test
  void aRepeatedQueryIsPlannedOnceAndEveryChangedOptionAfresh() {
    Path yaml = yaml("options", "pid");
    try (Dpq cached = Dpq.open(yaml); Dpq reference = Dpq.open(yaml)) {
      reference.keepPlansForTest(0);
      List<QueryOptions> options = List.of(ONE, ONE.withEpsilon("2"),
          ONE.withMechanism(MechanismChoice.GAUSSIAN).withDelta("1e-6"),
          ONE.withMechanism(MechanismChoice.GAUSSIAN).withDelta("1e-9"),
          ONE.withWeights(Map.of("s", 4.0)));
      Set<String> seen = new HashSet<>();
      for (QueryOptions o : options) {
        Explanation expected = reference.explain(KEYED, o);
        assertEquals(expected, cached.explain(KEYED, o), o.toString());
        assertTrue(seen.add(expected.measurements() + " " + expected.total()), "each option changes the plan: " + o);
      }
      assertArrayEquals(new long[] {0, options.size()}, counts(cached), "every changed option is planned afresh");
      for (QueryOptions o : options) {
        assertEquals(reference.explain(KEYED, o), cached.explain(KEYED, o), o.toString());
      }
      assertArrayEquals(new long[] {options.size(), options.size()}, counts(cached), "then served from memory");
      // another analyst's identical query is planned afresh: a kept plan must not make it faster (invariant 8)
      assertEquals(reference.explain(KEYED, ONE), cached.explain(KEYED, ONE.withAnalyst("someone else")));
      assertArrayEquals(new long[] {options.size(), options.size() + 1}, counts(cached),
          "another analyst's query is not served from the first analyst's plans");
    }
  }

  @Test
  void aRepeatedQueryStillGetsItsStoredAnswerAndAnotherEpsilonItsOwnRelease() {
    try (Dpq dpq = TestSeams.openSeeded(yaml("stored", "pid"), 3)) {
      QueryResult first = dpq.query(KEYED, ONE);
      QueryResult again = dpq.query(KEYED, ONE);
      assertTrue(again.reused(), "the stored answer, at no cost");
      assertEquals(first.rows(), again.rows());
      QueryResult other = dpq.query(KEYED, ONE.withEpsilon("2"));
      assertFalse(other.reused(), "another epsilon is another release, not the stored answer of the first");
      assertTrue(dpq.query(KEYED, ONE.withEpsilon("2")).reused());
      assertEquals(2, dpq.history().stream().filter(e -> e.kind().equals("CHARGE")).count());
      assertArrayEquals(new long[] {2, 2}, counts(dpq));
    }
  }

  @Test
  void estimatedAutomaticBoundsGiveAFreshPlan() throws IOException {
    Path yaml = yaml("auto", "pid");
    Files.writeString(yaml, Files.readString(yaml).replace("income:  { type: double, lower: 0, upper: 500000 }",
        "income:  { type: double, bounds: { auto: { epsilon: 0.5 } } }"));
    String sum = "SELECT SUM(income) AS total FROM pums";
    try (Dpq dpq = TestSeams.openWithoutNoise(yaml)) {
      Explanation placeholder = dpq.explain(sum, ONE);
      dpq.query(sum, ONE); // estimates the bounds (charged), then plans the query with them
      Explanation estimated = dpq.explain(sum, ONE);
      assertNotEquals(placeholder.measurements(), estimated.measurements(), "a plan with the estimated bounds");
      try (Dpq fresh = TestSeams.openWithoutNoise(yaml)) {
        fresh.keepPlansForTest(0);
        assertEquals(fresh.explain(sum, ONE).measurements(), estimated.measurements());
      }
    }
  }

  /** {@code runs} releases of {@link #KEYED}, noise and secrets from seed {@code seed}, plans kept or not. */
  private List<Object> releases(Path yaml, long seed, int runs, boolean keepPlans) {
    List<Object> out = new ArrayList<>();
    try (Dpq dpq = Dpq.open(yaml, SecureNoise.from(TestRandomBits.seeded(seed)), numbered())) {
      if (!keepPlans) {
        dpq.keepPlansForTest(0);
      }
      SplittableRandom secrets = new SplittableRandom(seed);
      dpq.secretsForTest(secrets::nextLong);
      for (int i = 0; i < runs; i++) {
        QueryResult r = dpq.query(KEYED, ONE);
        out.add(r.rows());
      }
      assertEquals(keepPlans ? runs - 1 : 0, counts(dpq)[0], "plans served from memory");
    }
    return out;
  }

  @Test
  void aCachedPlanReleasesExactlyWhatAFreshPlanReleases() {
    // unit educ: a unit has rows in several (sex, married) groups, so which one it keeps depends on the secret
    List<Object> cached = releases(yaml("cached", "educ"), 11, 8, true);
    List<Object> fresh = releases(yaml("fresh", "educ"), 11, 8, false);
    assertEquals(fresh, cached);
    assertTrue(new HashSet<>(cached).size() > 1, "the releases are not all alike");
    // the same comparison tells another seed apart (so equality above is not a matter of course)
    assertNotEquals(releases(yaml("other", "educ"), 12, 8, true), cached);
  }

  /** Exact (noise-free) releases of {@link #KEYED}; each unit keeps one of its groups, chosen by the secret. */
  private Set<Object> exactReleases(String name, java.util.function.LongSupplier secrets) {
    Set<Object> distinct = new HashSet<>();
    try (Dpq dpq = Dpq.open(yaml(name, "educ"), TestSeams.ZERO_NOISE, numbered())) {
      dpq.secretsForTest(secrets);
      for (int i = 0; i < 10; i++) {
        distinct.add(dpq.query(KEYED, ONE).rows());
      }
      assertEquals(9, counts(dpq)[0], "one plan served every release but the first");
    }
    return distinct;
  }

  @Test
  void everyReleasePutsItsOwnSecretIntoTheBoundedQuery() {
    // 10 releases, each with another secret: the groups each unit keeps change, so do the exact counts
    Set<Object> perRelease = exactReleases("fresh-secrets", new SplittableRandom(5)::nextLong);
    assertTrue(perRelease.size() > 3, "distinct exact releases: " + perRelease.size());
    // The same check rejects an engine that kept one secret for every release of a plan.
    assertEquals(1, exactReleases("one-secret", () -> 42L).size());
  }
}
