package org.dpq.engine.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.BigRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Scale;
import org.dpq.engine.analysis.Analyzer;
import org.dpq.engine.analysis.DpPlan;
import org.dpq.engine.catalog.Dataset;
import org.dpq.errors.QueryRejectedException;
import org.dpq.mechanisms.MechanismChoice;
import org.dpq.mechanisms.MechanismKind;
import org.dpq.mechanisms.PrivacyLoss;
import org.junit.jupiter.api.Test;

class BudgetAllocatorTest {
  private static DpPlan plan(String sql) {
    return new Analyzer().analyze(ReleaseNoiseTest.DATASET, sql);
  }

  @Property(tries = 300)
  void partsAddUpExactlyAndNeverExceedTheWhole(@ForAll @BigRange(min = "0.000001", max = "100") @Scale(12) BigDecimal total,
      @ForAll @IntRange(min = 1, max = 40) int k) {
    List<BigDecimal> parts = BudgetAllocator.exactParts(total, k);
    assertEquals(k, parts.size());
    assertEquals(0, total.compareTo(parts.stream().reduce(BigDecimal.ZERO, BigDecimal::add)));
    for (BigDecimal p : parts) {
      assertTrue(p.signum() >= 0 && p.compareTo(total) <= 0);
    }
  }

  @Test
  void aLaplaceQueryIsChargedExactlyWhatWasAsked() {
    DpPlan p = plan("SELECT g, COUNT(*), SUM(v), AVG(v) FROM t GROUP BY g");
    NoisePlan n = new BudgetAllocator().allocate(p, PrivacyLoss.parse("0.5", "0"), MechanismChoice.LAPLACE);
    assertEquals(3, n.measurements().size(), "count, and AVG's centred sum and count of values (SUM is derived)");
    assertEquals(PrivacyLoss.parse("0.5", "0"), n.total());
    n.measurements().forEach(m -> assertEquals(MechanismKind.LAPLACE, m.mechanism().kind()));
  }

  @Test
  void aTotalCapBelowGLowersTheGroupsPartitionSelectionAccountsFor() {
    String sql = "SELECT h, COUNT(*) FROM t GROUP BY h";
    Dataset d = ReleaseNoiseTest.DATASET;
    PrivacyLoss loss = PrivacyLoss.parse("1", "1e-6");
    assertEquals(2, new BudgetAllocator().allocate(plan(sql), loss, MechanismChoice.LAPLACE).threshold()
        .orElseThrow().maxGroups());
    for (int cap : new int[] {1, 5}) {
      Dataset capped = new Dataset(d.name(), d.table(), d.source(), d.unit(), d.maxGroupsContributed(),
          d.maxRowsPerGroup(), d.budget(), d.defaults(), d.ledger(), d.columns(), d.yamlPath(), d.limits(),
          java.util.OptionalInt.of(cap));
      DpPlan p = new Analyzer().analyze(capped, sql);
      NoisePlan n = new BudgetAllocator().allocate(p, loss, MechanismChoice.LAPLACE);
      assertEquals(Math.min(2, cap), n.threshold().orElseThrow().maxGroups(), "C = " + cap);
      assertEquals(Math.min(2, cap), p.measurements().get(p.selectionMeasurement()).l1(), 0, "C = " + cap);
    }
  }

  @Test
  void oneCellPerUnitGetsTheExactDiscreteGaussianSigmaAndSeveralKeepTheCertificate() {
    PrivacyLoss loss = PrivacyLoss.parse("1", "1e-6");
    NoiseMechanismCheck one = check(plan("SELECT COUNT(*) FROM t"), loss);
    assertEquals(org.dpq.mechanisms.GaussianCalibration.EXACT_DISCRETE, one.g().calibration());
    assertTrue(one.label().contains("CKS Thm 7"), one.label());
    assertTrue(one.g().sigma() < org.dpq.mechanisms.Calibration.gaussian(one.g().l2Sensitivity(), one.g().epsilon(),
        one.g().delta()).sigma());
    // G = 2 groups per unit: two cells move, Theorem 7 does not apply
    NoiseMechanismCheck two = check(plan("SELECT h, COUNT(*) FROM t GROUP BY h"), loss);
    assertEquals(org.dpq.mechanisms.GaussianCalibration.ZCDP_CERTIFICATE, two.g().calibration());
    assertTrue(!two.label().contains("CKS Thm 7"), two.label());
    // a total cap of one row per unit: one cell again
    Dataset d = ReleaseNoiseTest.DATASET;
    Dataset capped = new Dataset(d.name(), d.table(), d.source(), d.unit(), d.maxGroupsContributed(),
        d.maxRowsPerGroup(), d.budget(), d.defaults(), d.ledger(), d.columns(), d.yamlPath(), d.limits(),
        java.util.OptionalInt.of(1));
    NoiseMechanismCheck cap = check(new Analyzer().analyze(capped, "SELECT h, COUNT(*) FROM t GROUP BY h"), loss);
    assertEquals(org.dpq.mechanisms.GaussianCalibration.EXACT_DISCRETE, cap.g().calibration());
  }

  private record NoiseMechanismCheck(org.dpq.mechanisms.GaussianMechanism g, String label) {}

  private static NoiseMechanismCheck check(DpPlan p, PrivacyLoss loss) {
    NoisePlan n = new BudgetAllocator().allocate(p, loss, MechanismChoice.GAUSSIAN);
    MeasurementNoise m = n.measurements().stream().filter(x -> x.threshold().isEmpty()).findFirst().orElseThrow();
    return new NoiseMechanismCheck((org.dpq.mechanisms.GaussianMechanism) m.mechanism(), m.label());
  }

  @Test
  void thresholdingTakesDeltaAndGaussianMeasurementsShareTheRest() {
    DpPlan p = plan("SELECT h, COUNT(*) FROM t GROUP BY h");
    NoisePlan n = new BudgetAllocator().allocate(p, PrivacyLoss.parse("1", "1e-6"), MechanismChoice.GAUSSIAN);
    assertTrue(n.threshold().isPresent());
    assertTrue(n.total().fitsWithin(PrivacyLoss.parse("1", "1e-6")));
    assertEquals(0, new BigDecimal("1").compareTo(n.total().epsilon()));
    BigDecimal selectionDelta = n.measurements().stream().filter(m -> m.threshold().isPresent()).findFirst()
        .orElseThrow().loss().delta();
    assertEquals(0, new BigDecimal("5e-7").compareTo(selectionDelta));
    BigDecimal selectionEpsilon = n.measurements().stream().filter(m -> m.threshold().isPresent()).findFirst()
        .orElseThrow().loss().epsilon();
    assertEquals(0, new BigDecimal("0.5").compareTo(selectionEpsilon), "partition selection keeps an equal share");
  }

  @Test
  void thresholdingWithoutDeltaOrGaussianWithoutDeltaIsRejected() {
    BudgetAllocator a = new BudgetAllocator();
    assertThrows(QueryRejectedException.class, () -> a.allocate(plan("SELECT h, COUNT(*) FROM t GROUP BY h"),
        PrivacyLoss.parse("1", "0"), MechanismChoice.AUTO));
    assertThrows(QueryRejectedException.class, () -> a.allocate(plan("SELECT COUNT(*) FROM t"),
        PrivacyLoss.parse("1", "0"), MechanismChoice.GAUSSIAN));
  }

  private static List<BigDecimal> epsilons(NoisePlan n) {
    return n.measurements().stream().map(m -> m.loss().epsilon()).toList();
  }

  /**
   * v in [0, 10], G = 1, R = 3: L1 is 3 (COUNT(*)), 15 (SUM(v - 5)), 3 (COUNT(v)). Expected magnitudes (ErrorWeights):
   * m^2 = 5^2 + 10^2/12 = 33.33, spread 8.33, so W = 1, 1/m^2 = 0.03, 8.33/m^2 = 0.25 and W*L1^2 = 9, 6.75, 2.25,
   * whose cube roots give shares 0.3939, 0.3579, 0.2482: rounded down to 3 digits, the last taking the remainder.
   */
  @Test
  void epsilonIsSplitByTheCubeRootOfWeightedSquaredSensitivitiesAndAddsUpExactly() {
    DpPlan p = plan("SELECT g, COUNT(*) AS n, AVG(v) AS a FROM t GROUP BY g");
    NoisePlan n = new BudgetAllocator().allocate(p, PrivacyLoss.parse("1", "0"), MechanismChoice.LAPLACE);
    assertEquals(List.of(new BigDecimal("0.393"), new BigDecimal("0.357"), new BigDecimal("0.250")), epsilons(n));
    assertEquals(0, BigDecimal.ONE.compareTo(n.total().epsilon()));
    // the split lowers the summed relative variances sum W_i L1_i^2 / eps_i^2 below the equal split's
    double[] w = ErrorWeights.of(p, java.util.Map.of());
    double split = 0;
    double equal = 0;
    for (int i = 0; i < w.length; i++) {
      double l1 = p.measurements().get(i).l1();
      split += w[i] * l1 * l1 / Math.pow(epsilons(n).get(i).doubleValue(), 2);
      equal += w[i] * l1 * l1 * 9;
    }
    assertTrue(split < 0.95 * equal, split + " vs " + equal);
  }

  /** A weight of 8 on AVG multiplies its terms by 8 (9, 54, 18): shares 0.2453, 0.4457, 0.3090. */
  @Test
  void analystWeightsShiftTheSplitTowardsTheirAggregatesAndUnknownNamesAreRejected() {
    DpPlan p = plan("SELECT g, COUNT(*) AS n, AVG(v) AS a FROM t GROUP BY g");
    BudgetAllocator a = new BudgetAllocator();
    NoisePlan n = a.allocate(p, PrivacyLoss.parse("1", "0"), MechanismChoice.LAPLACE, java.util.Map.of("A", 8.0));
    assertEquals(List.of(new BigDecimal("0.245"), new BigDecimal("0.445"), new BigDecimal("0.310")), epsilons(n));
    QueryRejectedException unknown = assertThrows(QueryRejectedException.class, () -> a.allocate(p,
        PrivacyLoss.parse("1", "0"), MechanismChoice.LAPLACE, java.util.Map.of("avg_w", 2.0)));
    assertTrue(unknown.getMessage().contains("'avg_w', which is not an aggregate of the query"), unknown.getMessage());
    assertThrows(QueryRejectedException.class, () -> a.allocate(p, PrivacyLoss.parse("1", "0"),
        MechanismChoice.LAPLACE, java.util.Map.of("n", 0.0)));
  }

  @Property(tries = 200)
  void everySplitAddsUpExactlyToTheRequest(@ForAll @BigRange(min = "0.000001", max = "100") @Scale(9) BigDecimal total,
      @ForAll @IntRange(min = 0, max = 3) int shape) {
    String sql = List.of("SELECT g, COUNT(*), SUM(v), AVG(v), VAR_POP(w) FROM t GROUP BY g",
        "SELECT h, AVG(v), SUM(v), STDDEV(w) FROM t GROUP BY h", "SELECT SUM(w), COUNT(v) FROM t",
        "SELECT h, COUNT(*) FROM t GROUP BY h").get(shape);
    NoisePlan n = new BudgetAllocator().allocate(plan(sql), PrivacyLoss.parse(total.toPlainString(), "1e-7"),
        MechanismChoice.LAPLACE);
    assertEquals(0, total.compareTo(epsilons(n).stream().reduce(BigDecimal.ZERO, BigDecimal::add)));
    epsilons(n).forEach(e -> assertTrue(e.signum() > 0, "every share is positive: " + epsilons(n)));
  }
}
