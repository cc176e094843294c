package org.dpq.e2e.audit;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.dpq.engine.Dpq;
import org.dpq.engine.QueryOptions;
import org.dpq.engine.QueryResult;
import org.dpq.engine.TestSeams;
import org.dpq.engine.release.ReleaseKey;
import org.dpq.engine.release.SecureNoise;
import org.dpq.engine.rewrite.Rewriter;
import org.dpq.mechanisms.TestRandomBits;

/**
 * Repeated releases of one query through the whole engine for the several-table audits (as in
 * {@link WholeQueryAuditTest}): each run is analysed, rewritten with a fresh per-query secret, charged, executed and
 * noised from the test seam's fixed-seed SecureRandom, under a release key that appends the run's number, so no run
 * returns a stored answer. The engines differ only in what is deliberately broken: the noise or the rewrite.
 */
final class AuditRuns {
  private AuditRuns() {}

  /** How to open a dataset for one audit. */
  interface Engine {
    Dpq open(Path yaml, long seed);
  }

  /** The engine as shipped (its rewrite), noise from a seeded SecureRandom. */
  static final Engine CORRECT = (yaml, seed) -> TestSeams.openWithReleaseKey(yaml,
      SecureNoise.from(TestRandomBits.seeded(seed)), runNumbered());

  /** Noise deviations divided by {@code factor}: as if calibrated for an epsilon {@code factor} times larger. */
  static Engine shrunk(int factor) {
    return (yaml, seed) -> TestSeams.openWithReleaseKey(yaml,
        new ShrunkNoise(SecureNoise.from(TestRandomBits.seeded(seed)), factor), runNumbered());
  }

  /** The correct noise (calibrated to the bounds the analysis declares) over a deliberately broken rewrite. */
  static Engine rewrittenBy(Rewriter broken) {
    return (yaml, seed) -> TestSeams.openWithRewriter(yaml, SecureNoise.from(TestRandomBits.seeded(seed)),
        runNumbered(), broken);
  }

  /** The canonical key plus a run number, so that each run of the same SQL text is charged and noised afresh. */
  private static ReleaseKey.Scheme runNumbered() {
    AtomicLong run = new AtomicLong();
    return (plan, noisePlan, requested, choice) -> ReleaseKey.CANONICAL.key(plan, noisePlan, requested, choice)
        + " audit-run " + run.incrementAndGet();
  }

  /** The options of a pure-DP audit run: epsilon {@code epsilon}, delta 0, the automatic mechanism. */
  static QueryOptions pure(double epsilon) {
    return QueryOptions.defaults().withEpsilon(String.valueOf(epsilon)).withDelta("0").withAnalyst("audit");
  }

  /** {@code runs} fresh releases of {@code query} with {@code options}, each turned into a sample. */
  static List<double[]> releases(Engine engine, Path yaml, long seed, String query, QueryOptions options, int runs,
      Function<QueryResult, double[]> sample) {
    List<double[]> out = new ArrayList<>(runs);
    try (Dpq dpq = engine.open(yaml, seed)) {
      for (int k = 0; k < runs; k++) {
        QueryResult r = dpq.query(query, options);
        assertFalse(r.reused(), "every audit run must be freshly noised");
        out.add(sample.apply(r));
      }
    }
    return out;
  }

  /**
   * The 95% lower bound on epsilon from {@code runs} releases on each of two neighbouring datasets, the two engines
   * (own dataset, ledger and seeded noise) run side by side.
   */
  static EpsilonAudit.Result lowerBound(Engine engine, Path base, long baseSeed, Path neighbour, long neighbourSeed,
      String query, double epsilon, int runs, Function<QueryResult, double[]> sample, List<EpsilonAudit.Event> events,
      double alpha) {
    return lowerBound(engine, base, baseSeed, neighbour, neighbourSeed, query, pure(epsilon), runs, sample, events,
        0, alpha);
  }

  /**
   * As above, for releases run with {@code options} and audited against (epsilon, {@code delta})-DP: the bound
   * subtracts {@code delta} from each event's probability ({@link EpsilonAudit}).
   */
  static EpsilonAudit.Result lowerBound(Engine engine, Path base, long baseSeed, Path neighbour, long neighbourSeed,
      String query, QueryOptions options, int runs, Function<QueryResult, double[]> sample,
      List<EpsilonAudit.Event> events, double delta, double alpha) {
    CompletableFuture<List<double[]>> onBase = CompletableFuture.supplyAsync(
        () -> releases(engine, base, baseSeed, query, options, runs, sample));
    List<double[]> onNeighbour = releases(engine, neighbour, neighbourSeed, query, options, runs, sample);
    return EpsilonAudit.lowerBound(onBase.join(), onNeighbour, events, delta, alpha);
  }

  static void report(String what, double epsilon, EpsilonAudit.Result r) {
    System.out.printf("audit: %s: claimed epsilon %.2f, 95%% lower bound %.3f (%s, %s)%n", what, epsilon,
        r.epsilonLowerBound(), r.event(), r.counts());
  }
}
