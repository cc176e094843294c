package org.dpq.e2e.audit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dpq.e2e.MemoryTempDir;
import org.dpq.engine.QueryResult;
import org.dpq.engine.rewrite.RewriteSeams;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Empirical DP audit of joins between private tables (issue 17): the whole engine (analysis of the join, the unit
 * attached through the key chain items -> orders -> customers, bounding per unit AFTER the join, DuckDB over three
 * CSV files, ledger, release) runs a grouped COUNT over the three-table join and a grouped SUM over orders JOIN
 * customers many times on two neighbouring shops ({@link ShopAuditData}: the neighbour adds one customer with rows
 * in every private table, {@value ShopAuditData#TARGET_ORDERS} orders of {@value ShopAuditData#ITEMS_PER_ORDER}
 * items in each of two channels, so 100 joined rows per channel before bounding). {@link EpsilonAudit} turns
 * events fixed from the base's exact answers into a Clopper-Pearson lower bound on epsilon (overall confidence
 * 95%), which must not exceed the claimed 1.0 (delta 0). The same check must reject two broken engines: noise
 * deviations divided by {@value #SHRINK} ({@link ShrunkNoise}), and the correct noise over a rewrite that skips
 * the per-unit limits after the join ({@link RewriteSeams#withoutPerUnitLimits}: the join's multiplication of the
 * target's rows reaches the release while the noise is calibrated for G groups of R rows).
 *
 * <p>Runs: {@value #RUNS} per dataset for the correct engine, {@value #BROKEN_RUNS} for the broken ones (their
 * signal is far stronger); each run is a separate release, see {@link AuditRuns}.
 */
class JoinAuditTest {
  static final double EPSILON = 1.0;
  static final double ALPHA = 0.05;
  static final int RUNS = 150;
  static final int BROKEN_RUNS = 40;
  static final int SHRINK = 10;
  static final int CUSTOMERS = 300;
  /** A grouped COUNT over all three private tables, filtered through the unit table. */
  private static final String COUNT = "SELECT o.channel, COUNT(*) AS n FROM items i "
      + "JOIN orders o ON i.order_id = o.order_id JOIN customers c ON o.customer_id = c.customer_id "
      + "WHERE c.region IN ('north', 'south', 'east', 'west') GROUP BY o.channel";
  /** A grouped SUM over orders JOIN customers. */
  private static final String SUM = "SELECT o.channel, SUM(o.amount) AS s FROM orders o "
      + "JOIN customers c ON o.customer_id = c.customer_id WHERE c.region <> 'nowhere' GROUP BY o.channel";

  @TempDir(factory = MemoryTempDir.class) static Path dir;
  private static ShopAuditData data;
  private static int copies;

  @BeforeAll
  static void shops() {
    data = ShopAuditData.write(dir.resolve("events"), CUSTOMERS, 7);
  }

  @Test
  void aGroupedCountOverAThreeTableJoinStaysWithinItsClaimedEpsilon() {
    EpsilonAudit.Result r = audit(AuditRuns.CORRECT, COUNT, "n", RUNS, countEvents());
    AuditRuns.report("grouped COUNT over items JOIN orders JOIN customers", EPSILON, r);
    assertFalse(r.epsilonLowerBound() > EPSILON, "the join leaks more than epsilon " + EPSILON + ": " + r);
  }

  @Test
  void aGroupedSumOverAJoinStaysWithinItsClaimedEpsilon() {
    EpsilonAudit.Result r = audit(AuditRuns.CORRECT, SUM, "s", RUNS, sumEvents());
    AuditRuns.report("grouped SUM over orders JOIN customers", EPSILON, r);
    assertFalse(r.epsilonLowerBound() > EPSILON, "the join leaks more than epsilon " + EPSILON + ": " + r);
  }

  @Test
  void theSameCheckRejectsAJoinWithTooLittleNoise() {
    EpsilonAudit.Result count = audit(AuditRuns.shrunk(SHRINK), COUNT, "n", BROKEN_RUNS, countEvents());
    AuditRuns.report("grouped COUNT over the three-table join, noise / " + SHRINK, EPSILON, count);
    assertTrue(count.epsilonLowerBound() > EPSILON, "the audit missed a join with too little noise: " + count);
    EpsilonAudit.Result sum = audit(AuditRuns.shrunk(SHRINK), SUM, "s", BROKEN_RUNS, sumEvents());
    AuditRuns.report("grouped SUM over orders JOIN customers, noise / " + SHRINK, EPSILON, sum);
    assertTrue(sum.epsilonLowerBound() > EPSILON, "the audit missed a join with too little noise: " + sum);
  }

  @Test
  void theSameCheckRejectsAJoinNotBoundedPerUnitAfterwards() {
    AuditRuns.Engine broken = AuditRuns.rewrittenBy(RewriteSeams.withoutPerUnitLimits());
    EpsilonAudit.Result count = audit(broken, COUNT, "n", BROKEN_RUNS, countEvents());
    AuditRuns.report("grouped COUNT over the three-table join, no per-unit bound after the join", EPSILON, count);
    assertTrue(count.epsilonLowerBound() > EPSILON, "the audit missed a join left unbounded: " + count);
    EpsilonAudit.Result sum = audit(broken, SUM, "s", BROKEN_RUNS, sumEvents());
    AuditRuns.report("grouped SUM over orders JOIN customers, no per-unit bound after the join", EPSILON, sum);
    assertTrue(sum.epsilonLowerBound() > EPSILON, "the audit missed a join left unbounded: " + sum);
  }

  /** The same two shops with new ledgers, so that no audit sees another's stored answers or spent budget. */
  private static synchronized ShopAuditData freshCopy() {
    ShopAuditData copy = ShopAuditData.write(dir.resolve("copy" + (++copies)), CUSTOMERS, 7);
    if (!copy.joinedRows().equals(data.joinedRows())) {
      throw new IllegalStateException("the audit shop is not reproducible from its seed");
    }
    return copy;
  }

  private static EpsilonAudit.Result audit(AuditRuns.Engine engine, String query, String column, int runs,
      List<EpsilonAudit.Event> events) {
    ShopAuditData fresh = freshCopy();
    return AuditRuns.lowerBound(engine, fresh.base(), 31, fresh.neighbour(), 32, query, EPSILON, runs,
        r -> sample(r, column), events, ALPHA);
  }

  /** [web, store] of {@code column}. */
  private static double[] sample(QueryResult r, String column) {
    Map<String, Integer> rowOf = new HashMap<>();
    for (int i = 0; i < r.rows().size(); i++) {
      rowOf.put(String.valueOf(r.value(i, "channel")), i);
    }
    double[] x = new double[ShopAuditData.TARGET_CHANNELS.size()];
    for (int j = 0; j < x.length; j++) {
      x[j] = ((Number) r.value(rowOf.get(ShopAuditData.TARGET_CHANNELS.get(j)), column)).doubleValue();
    }
    return x;
  }

  // ---- events, fixed before sampling from the base's exact answers ----

  /** Over [n_web, n_store]: bounded after the join, the target adds R joined rows to each. */
  private static List<EpsilonAudit.Event> countEvents() {
    double web = data.joinedRows().get("web");
    double store = data.joinedRows().get("store");
    int r = ShopAuditData.R;
    return List.of(
        new EpsilonAudit.Event("n_web >= base+R/2 and n_store >= base+R/2",
            x -> x[0] >= web + r / 2.0 && x[1] >= store + r / 2.0),
        new EpsilonAudit.Event("n_web >= base+R", x -> x[0] >= web + r),
        new EpsilonAudit.Event("n_web >= base+2R and n_store >= base+2R",
            x -> x[0] >= web + 2 * r && x[1] >= store + 2 * r),
        new EpsilonAudit.Event("n_web <= base and n_store <= base", x -> x[0] <= web && x[1] <= store));
  }

  /** Over [s_web, s_store]: the target adds R orders at the upper bound to each. */
  private static List<EpsilonAudit.Event> sumEvents() {
    double web = data.orderAmounts().get("web");
    double store = data.orderAmounts().get("store");
    double shift = ShopAuditData.R * ShopAuditData.AMOUNT_UPPER;
    return List.of(
        new EpsilonAudit.Event("s_web >= base+R*U/2 and s_store >= base+R*U/2",
            x -> x[0] >= web + shift / 2 && x[1] >= store + shift / 2),
        new EpsilonAudit.Event("s_web >= base+R*U", x -> x[0] >= web + shift),
        new EpsilonAudit.Event("s_web >= base+2R*U and s_store >= base+2R*U",
            x -> x[0] >= web + 2 * shift && x[1] >= store + 2 * shift),
        new EpsilonAudit.Event("s_web <= base and s_store <= base", x -> x[0] <= web && x[1] <= store));
  }
}
