package org.dpq.engine.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dpq.budget.Accounting;
import org.dpq.budget.Zcdp;
import org.dpq.engine.analysis.Analyzer;
import org.dpq.engine.analysis.DpPlan;
import org.dpq.engine.catalog.Dataset;
import org.dpq.mechanisms.Calibration;
import org.dpq.mechanisms.GaussianMechanism;
import org.dpq.mechanisms.MechanismChoice;
import org.dpq.mechanisms.MechanismKind;
import org.dpq.mechanisms.PrivacyLoss;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.BigRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Scale;
import org.junit.jupiter.api.Test;

/**
 * Under zCDP accounting a query of Gaussian measurements splits its rho, not its epsilon ({@link RhoSplit}, issue
 * 16). The pinned plans below were printed by main at 8927e4d (label | epsilon | delta | mechanism | scale in hex),
 * so the queries the rho split must leave alone are checked byte for byte against the code before it.
 */
class RhoSplitTest {
  private static final Dataset BASIC = ReleaseNoiseTest.DATASET;
  private static final Dataset ZCDP = withAccounting(BASIC, BASIC.maxGroupsContributed(), Accounting.ZCDP);
  /** Six measurements: COUNT(*), SUM(v - 5), COUNT(v), SUM(w^2), SUM(w), COUNT(w). */
  private static final String SIX = "SELECT g, COUNT(*) AS n, SUM(v) AS s, AVG(v) AS a, VAR_POP(w) AS vw FROM t "
      + "GROUP BY g";
  private static final PrivacyLoss REQUEST = PrivacyLoss.parse("1", "1e-6");

  private static Dataset withAccounting(Dataset d, int groups, Accounting accounting) {
    return new Dataset(d.name(), d.table(), d.source(), d.unit(), groups, d.maxRowsPerGroup(), d.budget(),
        d.defaults(), d.ledger(), d.columns(), d.yamlPath(), d.limits(), accounting);
  }

  private static NoisePlan allocate(Dataset d, String sql, MechanismChoice choice, PrivacyLoss loss,
      Map<String, Double> weights) {
    return new BudgetAllocator().allocate(new Analyzer().analyze(d, sql), loss, choice, weights);
  }

  private static NoisePlan allocate(Dataset d, String sql, MechanismChoice choice, PrivacyLoss loss) {
    return allocate(d, sql, choice, loss, Map.of());
  }

  /** Everything explain and the release key read of a plan: label | epsilon | delta | mechanism | scale (hex). */
  static String fingerprint(NoisePlan n) {
    StringBuilder sb = new StringBuilder();
    for (MeasurementNoise m : n.measurements()) {
      sb.append(m.label()).append(" | ").append(m.loss().epsilon().toPlainString()).append(" | ")
          .append(m.loss().delta().toPlainString()).append(" | ").append(m.mechanism().kind()).append(" | ")
          .append(Double.toHexString(m.mechanism().scale())).append('\n');
    }
    return sb.append("total ").append(n.total().epsilon().toPlainString()).append(' ')
        .append(n.total().delta().toPlainString()).toString();
  }

  @Test
  void basicAccountingIsUnchanged() {
    assertEquals("""
        COUNT(*) [sigma: exact discrete Gaussian delta (CKS Thm 7), one group per unit] | 0.117 | 0.00000016666666666666666666 | GAUSSIAN | 0x1.a0758cee1dcb2p6
        SUM((v - 5)) [also gives SUM(v) = this + 5 * COUNT(v), not measured] [sigma: exact discrete Gaussian delta (CKS Thm 7), one group per unit] | 0.134 | 0.00000016666666666666666666 | GAUSSIAN | 0x1.c9edf5d6a783p8
        COUNT(v) [sigma: exact discrete Gaussian delta (CKS Thm 7), one group per unit] | 0.117 | 0.00000016666666666666666666 | GAUSSIAN | 0x1.a0758cee1dcb2p6
        SUM(w^2) [sigma: exact discrete Gaussian delta (CKS Thm 7), one group per unit] | 0.244 | 0.00000016666666666666666666 | GAUSSIAN | 0x1.44c99a0dda5f2p10
        SUM(w) [sigma: exact discrete Gaussian delta (CKS Thm 7), one group per unit] | 0.268 | 0.00000016666666666666666666 | GAUSSIAN | 0x1.db8bb58f2e731p7
        COUNT(w) [sigma: exact discrete Gaussian delta (CKS Thm 7), one group per unit] | 0.120 | 0.00000016666666666666666670 | GAUSSIAN | 0x1.969d136efd112p6
        total 1 0.00000100000000000000000000""", fingerprint(allocate(BASIC, SIX, MechanismChoice.GAUSSIAN, REQUEST)));
  }

  /** Laplace under zCDP (asked for, or chosen by AUTO) keeps the epsilon split, its plan and its rho charge. */
  @Test
  void laplaceMeasurementsUnderZcdpAreUnchanged() {
    String laplace = """
        COUNT(*) | 0.117 | 0 | LAPLACE | 0x1.9a41a41a41a43p4
        SUM((v - 5)) [also gives SUM(v) = this + 5 * COUNT(v), not measured] | 0.134 | 0 | LAPLACE | 0x1.bfc2dd9ca81ebp6
        COUNT(v) | 0.117 | 0 | LAPLACE | 0x1.9a41a41a41a43p4
        SUM(w^2) | 0.244 | 0 | LAPLACE | 0x1.3360864b8a7dfp8
        SUM(w) | 0.268 | 0 | LAPLACE | 0x1.bfc2dd9ca81ebp5
        COUNT(w) | 0.120 | 0 | LAPLACE | 0x1.9000000000001p4
        total 1 0""";
    for (MechanismChoice c : List.of(MechanismChoice.LAPLACE, MechanismChoice.AUTO)) {
      NoisePlan n = allocate(ZCDP, SIX, c, REQUEST);
      assertEquals(laplace, fingerprint(n), c.name());
      assertEquals(0, new BigDecimal("0.0955470").compareTo(ZcdpCharge.of(n).total().epsilon()), c.name());
    }
  }

  /** One measurement: the rho split would be the whole rho, and the sigma is today's (main's pinned plan). */
  @Test
  void aOneMeasurementQueryKeepsTodaysSigmaAndCharge() {
    NoisePlan n = allocate(ZCDP, "SELECT g, COUNT(*) AS n FROM t GROUP BY g", MechanismChoice.GAUSSIAN,
        PrivacyLoss.parse("0.5", "1e-6"));
    assertEquals("""
        COUNT(*) | 0.5 | 0.000001 | GAUSSIAN | 0x1.a07a7066d9a74p4
        total 0.5 0.000001""", fingerprint(n));
    assertEquals(0, new BigDecimal("0.006641524357").compareTo(ZcdpCharge.of(n).total().epsilon()));
    // and the query's rho is the same conversion: sigma from the whole rho_q is that sigma up to rho's rounding
    GaussianMechanism g = (GaussianMechanism) n.measurements().get(0).mechanism();
    double fromRho = RhoSplit.sigma(g.l2Sensitivity(), RhoSplit.queryRho(0.5, 1e-6));
    assertEquals(g.sigma(), fromRho, 1e-8 * g.sigma());
    assertTrue(fromRho >= Calibration.discreteGaussianSigma(g.l2Sensitivity(), 0.5, 1e-6) * (1 - 1e-9));
  }

  /**
   * k = 6 Gaussian measurements: the rho parts add up exactly to rho_q, each measurement is charged at most its part,
   * so the charge is at most rho_q and within k units of its last place of it; sigma_i = D_i / sqrt(2 rho_i); the
   * parts follow sqrt(W_i) D_i; every sigma is below the epsilon split's, and the request is reported exactly.
   */
  @Test
  void sixGaussianMeasurementsShareTheQueryRho() {
    DpPlan p = new Analyzer().analyze(ZCDP, SIX);
    NoisePlan n = new BudgetAllocator().allocate(p, REQUEST, MechanismChoice.GAUSSIAN);
    int k = n.measurements().size();
    assertEquals(6, k);
    BigDecimal rhoQ = RhoSplit.queryRho(1, 1e-6);
    List<RhoSplit.Part> parts = RhoSplit.split(p, REQUEST, ErrorWeights.of(p, Map.of())).orElseThrow();
    assertEquals(0, rhoQ.compareTo(parts.stream().map(RhoSplit.Part::rho).reduce(BigDecimal.ZERO, BigDecimal::add)));
    ZcdpCharge charge = ZcdpCharge.of(n);
    BigDecimal charged = charge.total().epsilon();
    assertTrue(charged.compareTo(rhoQ) <= 0, charged + " > " + rhoQ);
    assertTrue(charged.compareTo(rhoQ.subtract(new BigDecimal("1e-12").multiply(BigDecimal.valueOf(k)))) >= 0,
        charged + " far below " + rhoQ);
    // today's epsilon split charged 0.004737679018 for the same request (main's pinned run): now about 4.6 times more
    assertTrue(charged.compareTo(new BigDecimal("0.02")) > 0, charged.toPlainString());
    double[] w = ErrorWeights.of(p, Map.of());
    List<BigDecimal> epsilonParts = BudgetAllocator.epsilonParts(p, REQUEST, MechanismChoice.GAUSSIAN, w);
    for (int i = 0; i < k; i++) {
      MeasurementNoise m = n.measurements().get(i);
      GaussianMechanism g = (GaussianMechanism) m.mechanism();
      BigDecimal rho = parts.get(i).rho();
      assertTrue(charge.measurements().get(i).loss().epsilon().compareTo(rho) <= 0, m.label());
      double d = p.measurements().get(i).l2();
      assertEquals(d / Math.sqrt(2 * rho.doubleValue()), g.sigma(), 1e-12 * g.sigma(), m.label());
      assertTrue(m.label().contains("[zCDP: rho " + rho.toPlainString() + " of the query's " + rhoQ.toPlainString()),
          m.label());
      double epsilonSplitSigma = Calibration.gaussian(d, epsilonParts.get(i).doubleValue(), 1e-6 / k).sigma();
      assertTrue(g.sigma() < 0.7 * epsilonSplitSigma, m.label() + ": " + g.sigma() + " vs " + epsilonSplitSigma);
      // rho_i / (sqrt(W_i) D_i) is the same for every measurement (no share is at the floor here)
      double ratio = rho.doubleValue() / (Math.sqrt(w[i]) * d);
      double ratio0 = parts.get(0).rho().doubleValue() / (Math.sqrt(w[0]) * p.measurements().get(0).l2());
      assertEquals(ratio0, ratio, 1e-6 * ratio0, m.label());
    }
    assertEquals(REQUEST, n.total());
  }

  @Test
  void analystWeightsShiftTheRhoShares() {
    DpPlan p = new Analyzer().analyze(ZCDP, SIX);
    List<RhoSplit.Part> plain = RhoSplit.split(p, REQUEST, ErrorWeights.of(p, Map.of())).orElseThrow();
    List<RhoSplit.Part> heavy = RhoSplit.split(p, REQUEST, ErrorWeights.of(p, Map.of("vw", 50.0))).orElseThrow();
    // SUM(w^2) is read by VAR_POP(w) only: its share grows, COUNT(*) (read by n, s and a) loses
    assertTrue(heavy.get(3).rho().compareTo(plain.get(3).rho()) > 0, plain.get(3) + " vs " + heavy.get(3));
    assertTrue(heavy.get(0).rho().compareTo(plain.get(0).rho()) < 0, plain.get(0) + " vs " + heavy.get(0));
    NoisePlan n = allocate(ZCDP, SIX, MechanismChoice.GAUSSIAN, REQUEST, Map.of("vw", 50.0));
    assertEquals(heavy.get(3).mechanism().sigma(), n.measurements().get(3).mechanism().scale());
  }

  /**
   * AUTO choosing the Gaussian for every measurement (G = 50 of 50 public groups: L2 = sqrt(G) R far below L1 = G R)
   * gets the same rho split as the Gaussian mechanism.
   */
  @Test
  void autoChoosingTheGaussianSplitsRhoToo() {
    List<org.dpq.engine.catalog.Column> columns = new ArrayList<>(BASIC.columns());
    columns.add(new org.dpq.engine.catalog.Column("c", org.dpq.engine.catalog.ColumnType.STRING,
        java.util.OptionalDouble.empty(), java.util.OptionalDouble.empty(), java.util.Optional.of(
            java.util.stream.IntStream.range(0, 50).mapToObj(i -> "c" + i).toList())));
    Dataset wide = new Dataset(BASIC.name(), BASIC.table(), BASIC.source(), BASIC.unit(), 50, BASIC.maxRowsPerGroup(),
        BASIC.budget(), BASIC.defaults(), BASIC.ledger(), columns, BASIC.yamlPath(), BASIC.limits(), Accounting.ZCDP);
    String sql = SIX.replace("g,", "c,").replace("BY g", "BY c");
    NoisePlan auto = allocate(wide, sql, MechanismChoice.AUTO, REQUEST);
    auto.measurements().forEach(m -> assertEquals(MechanismKind.GAUSSIAN, m.mechanism().kind(), m.label()));
    assertEquals(fingerprint(allocate(wide, sql, MechanismChoice.GAUSSIAN, REQUEST)), fingerprint(auto));
    assertTrue(auto.measurements().get(0).label().contains("(split in rho)"), auto.measurements().get(0).label());
  }

  /** Any request and query shape: the charge is at most the query's rho and within k units of its last place. */
  @Property(tries = 60)
  void theChargeIsTheQueryRhoUpToRoundingForAnyRequest(
      @ForAll @BigRange(min = "0.01", max = "10") @Scale(3) BigDecimal epsilon,
      @ForAll @IntRange(min = 3, max = 9) int deltaDigits, @ForAll @IntRange(min = 0, max = 2) int shape) {
    String sql = List.of(SIX, "SELECT g, AVG(v) AS a, STDDEV(w) AS sw FROM t GROUP BY g",
        "SELECT SUM(w) AS s, COUNT(v) AS c FROM t").get(shape);
    PrivacyLoss request = PrivacyLoss.parse(epsilon.toPlainString(), "1e-" + deltaDigits);
    NoisePlan n = allocate(ZCDP, sql, MechanismChoice.GAUSSIAN, request);
    int k = n.measurements().size();
    BigDecimal rhoQ = RhoSplit.queryRho(request.epsilonDouble(), request.deltaDouble());
    BigDecimal charged = ZcdpCharge.of(n).total().epsilon();
    assertTrue(charged.compareTo(rhoQ) <= 0, charged + " > " + rhoQ);
    assertTrue(charged.compareTo(rhoQ.subtract(new BigDecimal("1e-12").multiply(BigDecimal.valueOf(k)))) >= 0,
        charged + " vs " + rhoQ);
    n.measurements().forEach(m -> assertTrue(m.label().contains("(split in rho)"), m.label()));
    assertEquals(request, n.total());
  }

  /** A request whose rho rounds to nothing at 12 places cannot be split: the epsilon split stays (main's plan). */
  @Test
  void aRequestTooSmallToSplitKeepsTheEpsilonSplit() {
    PrivacyLoss tiny = PrivacyLoss.parse("0.000001", "1e-6"); // rho_q 3e-12: sixths of it round to 0
    DpPlan p = new Analyzer().analyze(ZCDP, SIX);
    assertTrue(RhoSplit.split(p, tiny, ErrorWeights.of(p, Map.of())).isEmpty());
    NoisePlan n = new BudgetAllocator().allocate(p, tiny, MechanismChoice.GAUSSIAN);
    List<BigDecimal> epsilonParts = BudgetAllocator.epsilonParts(p, tiny, MechanismChoice.GAUSSIAN,
        ErrorWeights.of(p, Map.of()));
    for (int i = 0; i < n.measurements().size(); i++) {
      assertFalse(n.measurements().get(i).label().contains("zCDP"), n.measurements().get(i).label());
      assertEquals(epsilonParts.get(i), n.measurements().get(i).loss().epsilon());
    }
  }

  // ---- the engine-level check and the broken variants it rejects ----

  /**
   * The zCDP claim of a plan asked at {@code requested}: the rho of the noise actually released (sum of
   * D_i^2/(2 sigma_i^2), exact) is at most what the ledger charges, and the charge is at most the largest rho whose
   * certificate conversion gives the request. Returns the problem, or null.
   */
  static String zcdpProblem(NoisePlan n, BigDecimal charged, PrivacyLoss requested) {
    BigDecimal noiseRho = BigDecimal.ZERO;
    for (MeasurementNoise m : n.measurements()) {
      GaussianMechanism g = (GaussianMechanism) m.mechanism();
      BigDecimal d = new BigDecimal(g.l2Sensitivity());
      BigDecimal s = new BigDecimal(g.sigma());
      noiseRho = noiseRho.add(d.multiply(d).divide(BigDecimal.valueOf(2).multiply(s).multiply(s),
          java.math.MathContext.DECIMAL128));
    }
    if (noiseRho.compareTo(charged) > 0) {
      return "the noise is " + noiseRho.toPlainString() + "-zCDP but the ledger charges " + charged.toPlainString();
    }
    BigDecimal rhoQ = RhoSplit.queryRho(requested.epsilonDouble(), requested.deltaDouble());
    if (charged.compareTo(rhoQ) > 0) {
      return "the charge " + charged.toPlainString() + " exceeds the request's rho " + rhoQ.toPlainString();
    }
    return null;
  }

  @Test
  void theCheckAcceptsTheSplitAndRejectsBrokenVariants() {
    NoisePlan n = allocate(ZCDP, SIX, MechanismChoice.GAUSSIAN, REQUEST);
    assertEquals(null, zcdpProblem(n, ZcdpCharge.of(n).total().epsilon(), REQUEST));
    // broken 1: rho_q split, but the ledger charged only one measurement's part
    BigDecimal oneShare = ZcdpCharge.of(n).measurements().get(0).loss().epsilon();
    assertTrue(zcdpProblem(n, oneShare, REQUEST).contains("the ledger charges"));
    // broken 2: every sigma from the whole rho_q, without the split (the ledger charges the noise's rho)
    BigDecimal rhoQ = RhoSplit.queryRho(1, 1e-6);
    List<MeasurementNoise> unsplit = new ArrayList<>();
    for (MeasurementNoise m : n.measurements()) {
      double d = m.measurement().l2();
      unsplit.add(new MeasurementNoise(m.measurement(), m.label(), m.loss(),
          new GaussianMechanism(d, 1, 1e-6, RhoSplit.sigma(d, rhoQ)), m.threshold()));
    }
    NoisePlan broken = new NoisePlan(unsplit, n.threshold(), n.total());
    String problem = zcdpProblem(broken, ZcdpCharge.of(broken).total().epsilon(), REQUEST);
    assertTrue(problem != null && problem.contains("exceeds the request's rho"), problem);
    // and the split's charge would not fit under the rho of the request with one share more
    assertFalse(ZcdpCharge.of(n).total().epsilon().add(oneShare).compareTo(rhoQ) <= 0);
  }

  @Test
  void theQueryRhoConvertsToTheRequestAndNoLarger() {
    for (double[] ed : new double[][] {{1, 1e-6}, {0.1, 1e-6}, {6, 1e-5}, {0.01, 1e-9}}) {
      BigDecimal rho = RhoSplit.queryRho(ed[0], ed[1]);
      double sigma = RhoSplit.sigma(1, rho);
      // the certificate holds at sigma from rho_q (GaussianMechanism checks it) ...
      new GaussianMechanism(1, ed[0], ed[1], sigma);
      // ... and a rho 1e-6 larger no longer converts to (epsilon, delta): rho_q is the largest
      double larger = RhoSplit.sigma(1, rho.multiply(new BigDecimal("1.000001")).setScale(Zcdp.SCALE,
          java.math.RoundingMode.CEILING));
      org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
          () -> new GaussianMechanism(1, ed[0], ed[1], larger), ed[0] + ", " + ed[1]);
    }
  }
}
