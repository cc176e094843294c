package org.dpq.engine.release;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.dpq.engine.analysis.DpPlan;
import org.dpq.engine.analysis.Measurement;
import org.dpq.engine.analysis.PartitionMode;
import org.dpq.errors.QueryParameter;
import org.dpq.errors.QueryRejectedException;
import org.dpq.mechanisms.Calibration;
import org.dpq.mechanisms.MechanismChoice;
import org.dpq.mechanisms.MechanismKind;
import org.dpq.mechanisms.NoiseMechanism;
import org.dpq.mechanisms.PartitionThreshold;
import org.dpq.mechanisms.PrivacyLoss;

/**
 * Splits a query's (epsilon, delta) over its measurements and the partition-selection threshold (sequential
 * composition within the query). Owns the guarantee that the charged total covers every share used: epsilon is
 * split to minimise error (parts that add up exactly to the request), delta goes to the threshold and to Gaussian
 * measurements only, and the charge is the exact sum of the shares actually used. Under zCDP accounting a query of
 * Gaussian measurements splits its rho instead ({@link RhoSplit}): zCDP composes in rho, so sigma grows like the
 * square root of the number of measurements rather than like the number.
 */
public final class BudgetAllocator {

  /** Allocates {@code requested} over the plan's measurements with the analyst's mechanism choice. */
  public NoisePlan allocate(DpPlan plan, PrivacyLoss requested, MechanismChoice choice) {
    return allocate(plan, requested, choice, java.util.Map.of());
  }

  /**
   * Allocates {@code requested} over the plan's measurements with the analyst's mechanism choice, epsilon split to
   * minimise the sum of the released values' relative variances, each weighted by {@code weights} (by aggregate name
   * or alias; 1 when absent). See {@link #epsilonParts}.
   *
   * @throws QueryRejectedException before any charge, when a weight names no aggregate or is out of range
   */
  public NoisePlan allocate(DpPlan plan, PrivacyLoss requested, MechanismChoice choice,
      java.util.Map<String, Double> weights) {
    List<Measurement> ms = plan.measurements();
    int k = ms.size();
    boolean thresholded = plan.partitionMode() == PartitionMode.THRESHOLD;
    if (thresholded && requested.isPure()) {
      throw new QueryRejectedException("grouping by " + keyNames(plan) + " needs partition selection, which needs "
          + "delta > 0: give a delta (e.g. 1e-7), or declare public_values for every grouping column",
          Set.of(QueryParameter.DELTA));
    }
    if (choice == MechanismChoice.GAUSSIAN && requested.isPure()) {
      throw new QueryRejectedException("the Gaussian mechanism needs delta > 0: give a delta (e.g. 1e-7) "
          + "or choose the Laplace mechanism", Set.of(QueryParameter.DELTA, QueryParameter.MECHANISM));
    }
    double[] w = ErrorWeights.of(plan, weights);
    List<BigDecimal> epsilonParts = epsilonParts(plan, requested, choice, w);
    int others = thresholded ? k - 1 : k;
    boolean gaussianPossible = choice != MechanismChoice.LAPLACE && !requested.isPure() && others > 0;
    BigDecimal selectionDelta = BigDecimal.ZERO;
    BigDecimal measurementDeltaTotal = BigDecimal.ZERO;
    if (thresholded) {
      List<BigDecimal> halves = exactParts(requested.delta(), gaussianPossible ? 2 : 1);
      selectionDelta = halves.get(0);
      measurementDeltaTotal = gaussianPossible ? halves.get(1) : BigDecimal.ZERO;
    } else if (gaussianPossible) {
      measurementDeltaTotal = requested.delta();
    }
    List<BigDecimal> measurementDeltas = others > 0 ? exactParts(measurementDeltaTotal, others) : List.of();
    int measurementIndex = 0;

    List<MeasurementNoise> out = new ArrayList<>(k);
    List<String> labels = new ArrayList<>(k);
    Optional<PartitionThreshold> threshold = Optional.empty();
    PrivacyLoss total = PrivacyLoss.ZERO;
    for (int i = 0; i < k; i++) {
      Measurement m = ms.get(i);
      BigDecimal eps = epsilonParts.get(i);
      String label = MeasurementLabels.label(plan, m) + MeasurementLabels.derived(plan, i)
          + org.dpq.engine.analysis.ContributionBound.describe(plan, m);
      labels.add(label);
      if (thresholded && i == plan.selectionMeasurement()) {
        PrivacyLoss share = new PrivacyLoss(eps, selectionDelta);
        // a unit's distinct-unit counts move in at most G groups, and with a total cap C in at most C (it keeps at
        // most C rows, each in one group)
        int maxGroups = Math.min(plan.dataset().maxGroupsContributed(),
            plan.dataset().maxRowsPerUnit().orElse(Integer.MAX_VALUE));
        PartitionThreshold t = PartitionThreshold.of(share.epsilonDouble(), share.deltaDouble(), maxGroups);
        threshold = Optional.of(t);
        NoiseMechanism forInterval = Calibration.laplace(m.l1(), share.epsilonDouble());
        out.add(new MeasurementNoise(m, label + " [partition selection]", share, forInterval, threshold));
        total = total.plus(share);
        continue;
      }
      checkSensitivity(m, label);
      PrivacyLoss offered = new PrivacyLoss(eps, measurementDeltas.get(measurementIndex++));
      NoiseMechanism mechanism = Calibration.choose(choice, m.l1(), m.l2(), offered.epsilonDouble(),
          offered.deltaDouble(), cellsForCalibration(plan, m));
      if (mechanism instanceof org.dpq.mechanisms.GaussianMechanism g
          && g.calibration() == org.dpq.mechanisms.GaussianCalibration.EXACT_DISCRETE) {
        label = label + " [sigma: " + g.calibration().description() + "]";
      }
      PrivacyLoss used = mechanism.kind() == MechanismKind.LAPLACE ? new PrivacyLoss(eps, BigDecimal.ZERO) : offered;
      if (m.tree().isPresent()) {
        label = label + ", " + treeError(m.tree().get(), mechanism);
      }
      out.add(new MeasurementNoise(m, label, used, mechanism, Optional.empty()));
      total = total.plus(used);
    }
    if (splitsRho(plan, requested, choice, out)) {
      Optional<List<RhoSplit.Part>> parts = RhoSplit.split(plan, requested, w);
      if (parts.isPresent()) {
        out = rhoSplitNoise(plan, labels, parts.get());
        total = out.stream().map(MeasurementNoise::loss).reduce(PrivacyLoss.ZERO, PrivacyLoss::plus);
      }
    }
    if (!total.fitsWithin(requested)) {
      throw new IllegalStateException("budget split exceeds the request; this is a bug");
    }
    if (total.epsilon().compareTo(requested.epsilon()) == 0) {
      // the same number, spelled as the analyst asked (shares of 3 digits add up to 50.00 for 50)
      total = new PrivacyLoss(requested.epsilon(), total.delta());
    }
    return new NoisePlan(out, threshold, total);
  }

  /**
   * True when the query's rho is split instead of its epsilon ({@link RhoSplit}): the dataset is accounted in zCDP,
   * the query has delta, at least two measurements, no partition selection, and every measurement is Gaussian under
   * the epsilon split (the Gaussian mechanism, or AUTO choosing it for each: a rho split only lowers the Gaussian
   * sigmas, so AUTO would choose the Gaussian again). A query with a Laplace measurement keeps the epsilon split, and
   * a one-measurement query keeps its sigma (its rho split would be the whole rho, the same sigma up to rounding).
   */
  private static boolean splitsRho(DpPlan plan, PrivacyLoss requested, MechanismChoice choice,
      List<MeasurementNoise> epsilonSplit) {
    return plan.dataset().accounting() == org.dpq.budget.Accounting.ZCDP && !requested.isPure()
        && plan.partitionMode() != PartitionMode.THRESHOLD && epsilonSplit.size() >= 2
        && choice != MechanismChoice.LAPLACE
        && epsilonSplit.stream().allMatch(m -> m.mechanism().kind() == MechanismKind.GAUSSIAN);
  }

  private static List<MeasurementNoise> rhoSplitNoise(DpPlan plan, List<String> labels, List<RhoSplit.Part> parts) {
    BigDecimal rhoQ = parts.stream().map(RhoSplit.Part::rho).reduce(BigDecimal.ZERO, BigDecimal::add);
    List<MeasurementNoise> out = new ArrayList<>(parts.size());
    for (int i = 0; i < parts.size(); i++) {
      Measurement m = plan.measurements().get(i);
      RhoSplit.Part p = parts.get(i);
      String label = labels.get(i) + RhoSplit.describe(p, rhoQ)
          + (m.tree().isPresent() ? ", " + treeError(m.tree().get(), p.mechanism()) : "");
      out.add(new MeasurementNoise(m, label, p.loss(), p.mechanism(), Optional.empty()));
    }
    return out;
  }

  /**
   * Cells per unit for the Gaussian calibration: under basic accounting {@code CellsPerUnit} (1 allows the exact
   * discrete Gaussian sigma of CKS Theorem 7, smaller for the same (epsilon, delta)); under zCDP accounting 0, so the
   * zCDP-certified sigma is kept: the ledger charges the rho of the noise, D^2/(2 sigma^2), and a smaller sigma would
   * cost more of the budget, not less.
   */
  private static long cellsForCalibration(DpPlan plan, Measurement m) {
    return plan.dataset().accounting() == org.dpq.budget.Accounting.ZCDP ? 0
        : org.dpq.engine.analysis.CellsPerUnit.of(plan, m);
  }

  /** Significant digits of each epsilon share (rounded down; the last share takes the exact remainder). */
  static final int SHARE_DIGITS = 3;

  /**
   * Epsilon per measurement, adding up exactly to the requested epsilon. The partition-selection count, when there is
   * one, keeps an equal share {@code epsilon / k} (its threshold, not a variance, is what its share buys). The rest is
   * split to minimise {@code sum_i W_i Var_i}, the released values' summed relative variances ({@link ErrorWeights}):
   * with {@code Var_i} proportional to {@code (s_i / epsilon_i)^2} (Laplace: 2 (L1/epsilon)^2; the analytic Gaussian's
   * sigma is close to proportional to L2/epsilon as well, so the same rule is used with L2), the Lagrange condition
   * gives {@code epsilon_i proportional to (W_i s_i^2)^(1/3)} (s = L2 for the Gaussian mechanism, L1 otherwise). A
   * measurement no released value reads gets the mean term of the others; no share falls below a tenth of an equal
   * one. Shares are rounded down to {@value #SHARE_DIGITS} significant digits, and the last takes the exact remainder.
   * Depends on the query, the bounds and the weights only, never on data.
   */
  static List<BigDecimal> epsilonParts(DpPlan plan, PrivacyLoss requested, MechanismChoice choice, double[] w) {
    List<Measurement> ms = plan.measurements();
    int k = ms.size();
    boolean thresholded = plan.partitionMode() == PartitionMode.THRESHOLD;
    BigDecimal total = requested.epsilon();
    BigDecimal selection = BigDecimal.ZERO;
    if (thresholded) {
      selection = total.divide(BigDecimal.valueOf(k), new java.math.MathContext(20, java.math.RoundingMode.DOWN));
    }
    BigDecimal rest = total.subtract(selection);
    boolean gaussian = choice == MechanismChoice.GAUSSIAN;
    double[] s = new double[k];
    for (int i = 0; i < k; i++) {
      s[i] = gaussian ? ms.get(i).l2() : ms.get(i).l1();
    }
    double[] q = fractions(plan, s, w, 3);
    int last = -1;
    for (int i = 0; i < k; i++) {
      if (!(thresholded && i == plan.selectionMeasurement())) {
        last = i;
      }
    }
    List<BigDecimal> parts = new ArrayList<>(k);
    BigDecimal used = BigDecimal.ZERO;
    for (int i = 0; i < k; i++) {
      if (thresholded && i == plan.selectionMeasurement()) {
        parts.add(selection);
      } else if (i == last) {
        parts.add(null); // the exact remainder, below
      } else {
        BigDecimal part = rest.multiply(new BigDecimal(q[i]))
            .round(new java.math.MathContext(SHARE_DIGITS, java.math.RoundingMode.DOWN));
        parts.add(part);
        used = used.add(part);
      }
    }
    if (last >= 0) {
      parts.set(last, rest.subtract(used));
    }
    return parts;
  }

  /**
   * The fraction of a split each measurement gets to minimise {@code sum_i W_i Var_i} when {@code Var_i} is
   * proportional to {@code s_i^2 / share_i^(root - 1)}: by the Lagrange condition, share_i proportional to
   * {@code (W_i s_i^2)^(1/root)} (root 3 for an epsilon split, where Var is proportional to (s/epsilon)^2; root 2 for a
   * rho split, where Var is proportional to s^2/rho). The partition-selection measurement, when there is one, gets 0
   * (its share is set apart); a measurement no released value reads gets the mean term of the others; no fraction
   * falls below a tenth of an equal one (the fractions then add up to 1 after renormalising).
   */
  static double[] fractions(DpPlan plan, double[] s, double[] w, int root) {
    int k = s.length;
    boolean thresholded = plan.partitionMode() == PartitionMode.THRESHOLD;
    double[] log = new double[k];
    double sumLog = 0;
    int known = 0;
    for (int i = 0; i < k; i++) {
      if (thresholded && i == plan.selectionMeasurement() || !(w[i] > 0) || !(s[i] > 0) || !Double.isFinite(s[i])) {
        log[i] = Double.NaN;
        continue;
      }
      log[i] = (Math.log(w[i]) + 2 * Math.log(s[i])) / root;
      sumLog += log[i];
      known++;
    }
    double fill = known == 0 ? 0 : sumLog / known;
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < k; i++) {
      if (!(thresholded && i == plan.selectionMeasurement())) {
        if (Double.isNaN(log[i])) {
          log[i] = fill;
        }
        max = Math.max(max, log[i]);
      }
    }
    int others = thresholded ? k - 1 : k;
    double[] p = new double[k];
    double sum = 0;
    for (int i = 0; i < k; i++) {
      if (!(thresholded && i == plan.selectionMeasurement())) {
        p[i] = StrictMath.exp(log[i] - max);
        sum += p[i];
      }
    }
    double floor = 0.1 / others;
    double floored = 0;
    for (int i = 0; i < k; i++) {
      if (!(thresholded && i == plan.selectionMeasurement())) {
        p[i] = Math.max(p[i] / sum, floor);
        floored += p[i];
      }
    }
    double[] q = new double[k];
    for (int i = 0; i < k; i++) {
      if (!(thresholded && i == plan.selectionMeasurement())) {
        q[i] = p[i] / floored;
      }
    }
    return q;
  }

  /**
   * {@code k} non-negative parts of {@code total} that add up to it exactly: k - 1 equal parts rounded down to
   * 20 significant digits, and the remainder (never smaller than the others) as the last part.
   */
  static List<BigDecimal> exactParts(BigDecimal total, int k) {
    if (total.signum() == 0) {
      return java.util.Collections.nCopies(k, BigDecimal.ZERO);
    }
    BigDecimal part = total.divide(BigDecimal.valueOf(k), new java.math.MathContext(20, java.math.RoundingMode.DOWN));
    List<BigDecimal> parts = new ArrayList<>(java.util.Collections.nCopies(k - 1, part));
    parts.add(total.subtract(part.multiply(BigDecimal.valueOf(k - 1))));
    return parts;
  }

  /**
   * Noise is calibrated only for sensitivities within [2^-900, 2^900] (the mechanisms' Checks.sensitivity);
   * column bounds that put a measurement outside that range make it unanswerable, which is a rejection before
   * any charge rather than an internal error.
   */
  private static void checkSensitivity(Measurement m, String label) {
    if (!(calibratable(m.l1()) && calibratable(m.l2()))) {
      throw new QueryRejectedException(label + " cannot be answered: its sensitivity (the column's bounds times "
          + "the contribution limits) is outside the range noise can be calibrated for (2^-900 to 2^900). Fix: "
          + "declare narrower lower and upper bounds for the column in the dataset YAML");
    }
  }

  private static boolean calibratable(double sensitivity) {
    return sensitivity >= 0x1p-900 && sensitivity <= 0x1p900;
  }

  /**
   * The expected error of a quantile tree's order statistics, for explain: one node's 95% noise, and the rank error
   * of a quantile (about sqrt(depth * (branching - 1)) nodes' noise, see {@code QuantileTree.Noisy#interval}).
   */
  static String treeError(org.dpq.mechanisms.QuantileTree.Shape tree, NoiseMechanism mechanism) {
    double node = mechanism.halfWidth(0.95);
    double rank = Math.sqrt(tree.depth() * (tree.branching() - 1.0)) * node;
    return "95% noise per tree node +-" + Math.round(Math.ceil(node)) + " values, a quantile's rank off by about +-"
        + Math.round(Math.ceil(rank)) + " values";
  }

  private static String keyNames(DpPlan plan) {
    return String.join(", ", plan.keys().stream().map(k -> k.name()).toList());
  }
}
