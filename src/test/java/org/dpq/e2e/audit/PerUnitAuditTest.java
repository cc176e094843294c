package org.dpq.e2e.audit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.dpq.e2e.MemoryTempDir;
import org.dpq.engine.QueryResult;
import org.dpq.engine.rewrite.Rewriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Empirical DP audit of per-unit subqueries (issue 17): the whole engine runs an outer aggregate over an inner query
 * grouped by the unit, many times on the two neighbouring datasets of {@link AuditData} (one row per base person at
 * most 1000; the neighbour adds one person with 100 rows at the upper bound 1000). Each unit is one row of the inner
 * result, its inner aggregates computed over at most m = G*R = 6 of its rows: the count of people whose total
 * exceeds 1000 moves by at most 1 (no base person's does; the target's bounded total is 6000), and the sum of
 * per-person row counts (AVG's numerator) by at most m. {@link EpsilonAudit} bounds epsilon from below with 95%
 * confidence; the bound must not exceed the claimed 1.0 (delta 0), and the same check must reject the broken engine
 * whose noise deviations are divided by {@value #SHRINK} ({@link ShrunkNoise}) on both queries.
 *
 * <p>Why not the rewrite that skips the inner row limit ({@link Rewriter#withoutPerUnitBoundsForTest()}, the seam of
 * PerUnitSubqueryTest's broken variant): through the whole engine it is not a privacy failure, so no audit can
 * reject it. Each unit is one inner row, and the outer stage clamps every row value to the bounds the analysis
 * derived for the inner aggregate (n in [0, m]) whatever the inner rows were; the inner limit keeps answers equal to
 * what the bounds describe, the outer row clamp keeps the release DP. Measured (40 runs per dataset, SUM of
 * per-person row counts): that seam alone, and that seam with the outer stage's per-unit limits also off, both gave
 * a lower bound of 0.000, the neighbour's releases about m above the base's rather than the raw 100. A count of
 * units cannot be broken that way either: each unit is one inner row whatever its row limit. The audit keeps that
 * seam as a check that the outer clamp alone holds the bound ({@link
 * #withoutTheInnerRowLimitTheOuterClampStillHoldsTheBound}): without the clamp the target's 100 rows would move
 * the sum by 100 against noise calibrated for 6, and the same check would reject it.
 *
 * <p>The audit uses a dataset of one table: per-unit subqueries are answered on such datasets only (over a dataset
 * of several tables the analysis rejects them, free, as nested aggregation).
 *
 * <p>Runs: {@value #RUNS} per dataset for the correct engine, {@value #BROKEN_RUNS} for the broken ones; each run is
 * a separate release, see {@link AuditRuns}.
 */
class PerUnitAuditTest {
  static final double EPSILON = 1.0;
  static final double ALPHA = 0.05;
  static final int RUNS = 150;
  static final int BROKEN_RUNS = 40;
  static final int SHRINK = 10;
  static final int PEOPLE = 400;
  /** m: the inner row limit, min(G*R, max_rows_per_unit) with no max_rows_per_unit declared. */
  static final int M = AuditData.G * AuditData.R;
  /** No base person's total exceeds the upper bound of one row, so the base's exact answer is 0. */
  private static final String COUNT_OVER = "SELECT COUNT(*) AS c FROM (SELECT pid, SUM(income) AS s FROM audit "
      + "GROUP BY pid) t WHERE s > 1000";
  /** Every base person has one row, so the base's exact answer is the number of people. */
  private static final String SUM_OF_COUNTS = "SELECT SUM(n) AS tn FROM (SELECT pid, COUNT(*) AS n FROM audit "
      + "GROUP BY pid) t";

  @TempDir(factory = MemoryTempDir.class) static Path dir;
  private static AuditData data;
  private static int copies;

  @BeforeAll
  static void shops() {
    data = AuditData.write(dir.resolve("events"), PEOPLE, 5, "1e7");
    if (data.baseCounts().values().stream().mapToLong(Long::longValue).sum() != PEOPLE) {
      throw new IllegalStateException("every base person has exactly one row");
    }
  }

  @Test
  void aCountOfUnitsWhoseTotalPassesAFilterStaysWithinItsClaimedEpsilon() {
    EpsilonAudit.Result r = audit(AuditRuns.CORRECT, COUNT_OVER, "c", RUNS, countEvents());
    AuditRuns.report("COUNT of people whose total passes a filter", EPSILON, r);
    assertFalse(r.epsilonLowerBound() > EPSILON, "the subquery leaks more than epsilon " + EPSILON + ": " + r);
  }

  @Test
  void aSumOfPerUnitCountsStaysWithinItsClaimedEpsilon() {
    EpsilonAudit.Result r = audit(AuditRuns.CORRECT, SUM_OF_COUNTS, "tn", RUNS, sumEvents());
    AuditRuns.report("SUM of per-person row counts", EPSILON, r);
    assertFalse(r.epsilonLowerBound() > EPSILON, "the subquery leaks more than epsilon " + EPSILON + ": " + r);
  }

  @Test
  void theSameCheckRejectsACountWithTooLittleNoise() {
    EpsilonAudit.Result r = audit(AuditRuns.shrunk(SHRINK), COUNT_OVER, "c", BROKEN_RUNS, countEvents());
    AuditRuns.report("COUNT of people whose total passes a filter, noise / " + SHRINK, EPSILON, r);
    assertTrue(r.epsilonLowerBound() > EPSILON, "the audit missed a count with too little noise: " + r);
  }

  @Test
  void theSameCheckRejectsASumWithTooLittleNoise() {
    EpsilonAudit.Result r = audit(AuditRuns.shrunk(SHRINK), SUM_OF_COUNTS, "tn", BROKEN_RUNS, sumEvents());
    AuditRuns.report("SUM of per-person row counts, noise / " + SHRINK, EPSILON, r);
    assertTrue(r.epsilonLowerBound() > EPSILON, "the audit missed a sum with too little noise: " + r);
  }

  @Test
  void withoutTheInnerRowLimitTheOuterClampStillHoldsTheBound() {
    EpsilonAudit.Result r = audit(AuditRuns.rewrittenBy(Rewriter.withoutPerUnitBoundsForTest()), SUM_OF_COUNTS,
        "tn", BROKEN_RUNS, sumEvents());
    AuditRuns.report("SUM of per-person row counts, inner row limit skipped (outer clamp kept)", EPSILON, r);
    assertFalse(r.epsilonLowerBound() > EPSILON, "without the inner row limit the outer clamp alone must keep the "
        + "release within epsilon " + EPSILON + ": " + r);
  }

  private static synchronized AuditData freshCopy() {
    AuditData copy = AuditData.write(dir.resolve("copy" + (++copies)), PEOPLE, 5, "1e7");
    if (!copy.baseSums().equals(data.baseSums())) {
      throw new IllegalStateException("the audit shop is not reproducible from its seed");
    }
    return copy;
  }

  private static EpsilonAudit.Result audit(AuditRuns.Engine engine, String query, String column, int runs,
      List<EpsilonAudit.Event> events) {
    AuditData fresh = freshCopy();
    return AuditRuns.lowerBound(engine, fresh.base(), 41, fresh.neighbour(), 42, query, EPSILON, runs,
        r -> sample(r, column), events, ALPHA);
  }

  private static double[] sample(QueryResult r, String column) {
    if (r.rows().size() != 1) {
      throw new IllegalStateException("an aggregate without GROUP BY releases one row, got " + r.rows().size());
    }
    return new double[] {((Number) r.value(0, column)).doubleValue()};
  }

  // ---- events, fixed before sampling from the base's exact answers ----

  /** Over [c]: base 0 (every base total is at most 1000); the target's bounded total 6000 passes: c moves by 1. */
  private static List<EpsilonAudit.Event> countEvents() {
    double c = 0;
    return List.of(
        new EpsilonAudit.Event("c >= base+1", x -> x[0] >= c + 1),
        new EpsilonAudit.Event("c >= base+2", x -> x[0] >= c + 2),
        new EpsilonAudit.Event("c <= base", x -> x[0] <= c));
  }

  /** Over [tn]: base = the number of people; the target adds its bounded row count m. */
  private static List<EpsilonAudit.Event> sumEvents() {
    double tn = PEOPLE;
    return List.of(
        new EpsilonAudit.Event("tn >= base+m/2", x -> x[0] >= tn + M / 2.0),
        new EpsilonAudit.Event("tn >= base+m", x -> x[0] >= tn + M),
        new EpsilonAudit.Event("tn >= base+2m", x -> x[0] >= tn + 2 * M),
        new EpsilonAudit.Event("tn <= base", x -> x[0] <= tn));
  }
}
