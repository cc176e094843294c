package org.dpq.mechanisms;

import java.math.BigDecimal;
import java.math.RoundingMode;
import org.dpq.errors.InvalidPrivacyParameterException;

/**
 * The Laplace mechanism with discrete Laplace noise: pure {@code epsilon}-DP for a query whose values move by
 * at most {@code l1Sensitivity} in L1 when one privacy unit is added or removed. Owns the calibration of
 * Laplace noise to the sensitivity (invariant 2 and the epsilon claim of each Laplace release).
 *
 * <p>Privacy argument. Let {@code c = scale / l1Sensitivity} (at least {@code 1/epsilon}). Integer values: the
 * integer L1 distance is at most {@code Δ = ceil(l1Sensitivity)}; discrete Laplace noise of scale
 * {@code t >= c·Δ} per cell has pmf ratio at most {@code exp(Δ/t) <= exp(epsilon)}. Real values are rounded to
 * the grid {@code g} (see {@link NoiseMechanism}); the grid-index vector moves by at most
 * {@code Δg = floor(l1Sensitivity/g) + MAX_CELLS_PER_UNIT} in L1, and the noise has scale {@code t >= c·Δg}
 * grid steps. Scales are rounded up to fractions with a power-of-two denominator, never down.
 *
 * @param l1Sensitivity the L1 sensitivity in value units
 * @param epsilon the privacy loss this release may spend
 * @param scale the Laplace scale b in value units; must be at least {@code l1Sensitivity / epsilon}
 */
public record LaplaceMechanism(double l1Sensitivity, double epsilon, double scale) implements NoiseMechanism {
  /** Real-value grid: at most sensitivity·2^-36 (so the per-cell rounding allowance is negligible). */
  private static final int SENSITIVITY_STEPS_LOG2 = 36;
  /** Integer noise stays below 2^48 grid steps (before the rounding allowance). */
  private static final int MAX_STEPS_LOG2 = 47;
  private static final int RATIO_BITS = 30;
  private static final BigDecimal MAX_SAMPLER_SCALE = new BigDecimal(DiscreteLaplace.MAX_SCALE);

  private static final PlanCache<LaplaceMechanism, LaplaceNoise[]> PLANS = new PlanCache<>();

  /**
   * Validates the parameters and that the noise is large enough and can be sampled.
   *
   * @throws InvalidPrivacyParameterException for a bad epsilon
   * @throws IllegalArgumentException for a bad sensitivity, or a scale below {@code l1Sensitivity/epsilon}
   */
  public LaplaceMechanism {
    Checks.sensitivity("L1", l1Sensitivity);
    Checks.epsilon(epsilon);
    if (!(scale > 0) || Double.isInfinite(scale)
        || Exact.of(scale).multiply(Exact.of(epsilon)).compareTo(Exact.of(l1Sensitivity)) < 0) {
      throw new IllegalArgumentException("Laplace scale must be at least L1 sensitivity / epsilon; "
          + "build the mechanism with Calibration.laplace(l1, epsilon)");
    }
    integerNoise(l1Sensitivity, scale);
    realNoise(l1Sensitivity, scale);
  }

  @Override
  public MechanismKind kind() {
    return MechanismKind.LAPLACE;
  }

  @Override
  public double variance() {
    return 2 * scale * scale;
  }

  @Override
  public long addNoise(long value, RandomBits bits) {
    LaplaceNoise noise = integerNoise();
    long index = Grid.index(value, noise.exponent());
    return Grid.release(index, noise.sample(new BitReader(bits)), noise.exponent());
  }

  @Override
  public double addNoise(double value, RandomBits bits) {
    Checks.finiteValue(value);
    LaplaceNoise noise = realNoise();
    return Grid.release(value, noise.sample(new BitReader(bits)), noise.exponent());
  }

  @Override
  public double halfWidth(double confidence) {
    return Math.max(integerNoise().halfWidth(confidence), realNoise().halfWidth(confidence));
  }

  /** The integer-release noise law (grid 1 unless the scale needs a coarser integer grid). */
  LaplaceNoise integerNoise() {
    return plans()[0];
  }

  /** The real-release noise law. */
  LaplaceNoise realNoise() {
    return plans()[1];
  }

  /** The integer and the real noise law, derived once per mechanism value. */
  private LaplaceNoise[] plans() {
    return PLANS.get(this, m -> new LaplaceNoise[] {integerNoise(m.l1Sensitivity, m.scale), realNoise(m.l1Sensitivity, m.scale)});
  }

  private static LaplaceNoise integerNoise(double l1, double scale) {
    BigDecimal perUnit = Exact.of(scale).divide(Exact.of(l1), Ratio.UP); // c = scale / l1 >= 1/epsilon
    BigDecimal delta = Exact.of(l1).setScale(0, RoundingMode.CEILING);
    BigDecimal t = delta.multiply(perUnit);
    if (t.compareTo(new BigDecimal(1L << (MAX_STEPS_LOG2 + 1))) < 0) {
      return new LaplaceNoise(0, Ratio.ceil(t, RATIO_BITS), false);
    }
    int e = Grid.ceilLog2(Exact.toDoubleUp(t)) - MAX_STEPS_LOG2;
    BigDecimal steps = delta.divide(Grid.pow2Exact(e)).setScale(0, RoundingMode.FLOOR)
        .add(BigDecimal.valueOf(MAX_CELLS_PER_UNIT));
    return new LaplaceNoise(e, sampleable(steps.multiply(perUnit)), true);
  }

  private static LaplaceNoise realNoise(double l1, double scale) {
    BigDecimal perUnit = Exact.of(scale).divide(Exact.of(l1), Ratio.UP);
    double fine = Math.scalb(Math.min(scale, l1), -SENSITIVITY_STEPS_LOG2);
    double coarse = Math.scalb(scale, -MAX_STEPS_LOG2);
    int e = Grid.floorLog2(Math.max(fine, coarse));
    BigDecimal steps = Exact.of(l1).divide(Grid.pow2Exact(e)).setScale(0, RoundingMode.FLOOR)
        .add(BigDecimal.valueOf(MAX_CELLS_PER_UNIT));
    return new LaplaceNoise(e, sampleable(steps.multiply(perUnit)), true);
  }

  private static Ratio sampleable(BigDecimal t) {
    if (t.compareTo(MAX_SAMPLER_SCALE) >= 0) {
      throw new InvalidPrivacyParameterException("epsilon is too small for the Laplace noise to be sampled "
          + "exactly (scale in grid steps above 2^50); use epsilon of at least 1e-9");
    }
    return Ratio.ceil(t, RATIO_BITS);
  }
}
