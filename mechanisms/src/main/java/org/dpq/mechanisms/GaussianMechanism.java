package org.dpq.mechanisms;

import java.math.BigDecimal;
import org.dpq.errors.InvalidPrivacyParameterException;

/**
 * The Gaussian mechanism with discrete Gaussian noise: (epsilon, delta)-DP for a query whose values move by
 * at most {@code l2Sensitivity} in L2 when one privacy unit is added or removed. Owns the calibration of
 * Gaussian noise to the sensitivity (invariant 2 and the (epsilon, delta) claim of each Gaussian release).
 *
 * <p>Privacy argument. The noise actually added is discrete Gaussian, so the claim rests on the discrete
 * Gaussian's own guarantee (CKS 2020): N_Z(0, σ²) per coordinate on an integer vector of L2 sensitivity Δ is
 * Δ²/(2σ²)-zCDP, converted to (epsilon, delta) by CKS Corollary 13. The constructor refuses any {@code sigma}
 * for which that certificate does not give {@code delta} at {@code epsilon} (see {@link GaussianPrivacy}).
 * {@link Calibration#gaussian} returns the larger of that sigma and the analytic Gaussian sigma of Balle and
 * Wang, so the released noise is also at least what the continuous analysis requires.
 *
 * <p>Integer values carry integer noise with parameter {@code sigma} directly (integer L2 distance is at
 * most {@code l2Sensitivity}; below 1 it is 0, and the noise is scaled as if it were 1). Real values are rounded to the grid {@code g} (see {@link NoiseMechanism}): the
 * grid-index vector moves by at most {@code l2Sensitivity/g + sqrt(MAX_CELLS_PER_UNIT)} in L2, and the noise
 * in grid steps is scaled by the same factor, {@code σ_g = sigma/g + 64·sigma/l2Sensitivity}, which keeps ρ.
 *
 * @param l2Sensitivity the L2 sensitivity in value units
 * @param epsilon the epsilon this release may spend
 * @param delta the delta this release may spend, in (0, 1)
 * <p>With {@link GaussianCalibration#EXACT_DISCRETE} (only for a release in which a unit moves one cell of the
 * measurement), the certificate is instead the exact one-dimensional delta of CKS Theorem 7
 * ({@link DiscreteGaussianPrivacy}), checked on the noise actually sampled for each kind of release: its sigma in grid
 * steps against the sensitivity in grid steps (the same inflation as above).
 *
 * @param sigma the noise parameter in value units; the certificate named by {@code calibration} must hold for it
 * @param calibration which analysis certifies (epsilon, delta)
 */
public record GaussianMechanism(double l2Sensitivity, double epsilon, double delta, double sigma,
    GaussianCalibration calibration) implements NoiseMechanism {
  private static final int SENSITIVITY_STEPS_LOG2 = 24;
  private static final int MAX_STEPS_LOG2 = 40;
  private static final BigDecimal CELL_ALLOWANCE = BigDecimal.valueOf(Math.sqrt(MAX_CELLS_PER_UNIT));
  private static final BigDecimal MAX_SIGMA_STEPS = new BigDecimal(1L << 48);

  private static final PlanCache<GaussianMechanism, GaussianNoise[]> PLANS = new PlanCache<>();

  /**
   * Validates the parameters and the privacy certificate.
   *
   * @throws InvalidPrivacyParameterException for a bad epsilon or delta
   * @throws IllegalArgumentException for a bad sensitivity, or a sigma too small for (epsilon, delta)
   */
  public GaussianMechanism {
    Checks.sensitivity("L2", l2Sensitivity);
    Checks.epsilon(epsilon);
    Checks.positiveDelta(delta);
    if (calibration == null) {
      throw new IllegalArgumentException("Gaussian calibration is missing");
    }
    if (!(sigma > 0) || Double.isInfinite(sigma)
        || !(calibration == GaussianCalibration.EXACT_DISCRETE
            ? exactHolds(l2Sensitivity, sigma, epsilon, delta)
            : GaussianPrivacy.cdpHolds(l2Sensitivity, sigma, epsilon, delta))) {
      throw new IllegalArgumentException("Gaussian sigma is too small for this epsilon and delta; "
          + "build the mechanism with Calibration.gaussian(l2, epsilon, delta)");
    }
    integerNoise(l2Sensitivity, sigma);
    realNoise(l2Sensitivity, sigma);
  }

  /** A mechanism certified by the zCDP certificate (any number of cells per unit). */
  public GaussianMechanism(double l2Sensitivity, double epsilon, double delta, double sigma) {
    this(l2Sensitivity, epsilon, delta, sigma, GaussianCalibration.ZCDP_CERTIFICATE);
  }

  /**
   * True when CKS Theorem 7 gives at most {@code delta} at {@code epsilon} for both noise laws that sigma leads to
   * (integer and real releases), each in grid steps: sensitivity {@code max(l2, 1)} for integers on the unit grid,
   * otherwise {@code sensitivity/g + sqrt(MAX_CELLS_PER_UNIT)}, against the sampled sigma in steps.
   */
  static boolean exactHolds(double l2, double sigma, double epsilon, double delta) {
    GaussianNoise integer = integerNoise(l2, sigma);
    double intSteps = integer.rounds()
        ? Math.max(l2, 1) / Grid.pow2(integer.exponent()) + CELL_ALLOWANCE.doubleValue()
        : Math.max(l2, 1);
    GaussianNoise real = realNoise(l2, sigma);
    double realSteps = l2 / Grid.pow2(real.exponent()) + CELL_ALLOWANCE.doubleValue();
    // sigmaSteps() is the square root of the sampled sigma^2 to within an ulp; the 1e-10 margin of the delta
    // bound covers that (delta's relative derivative in sigma is of order (epsilon sigma / sensitivity)^2)
    return DiscreteGaussianPrivacy.holds(Math.nextUp(intSteps), integer.sigmaSteps(), epsilon, delta)
        && DiscreteGaussianPrivacy.holds(Math.nextUp(realSteps), real.sigmaSteps(), epsilon, delta);
  }

  @Override
  public MechanismKind kind() {
    return MechanismKind.GAUSSIAN;
  }

  @Override
  public double scale() {
    return sigma;
  }

  @Override
  public double variance() {
    return sigma * sigma;
  }

  @Override
  public long addNoise(long value, RandomBits bits) {
    GaussianNoise noise = integerNoise();
    long index = Grid.index(value, noise.exponent());
    return Grid.release(index, noise.sample(new BitReader(bits)), noise.exponent());
  }

  @Override
  public double addNoise(double value, RandomBits bits) {
    Checks.finiteValue(value);
    GaussianNoise noise = realNoise();
    return Grid.release(value, noise.sample(new BitReader(bits)), noise.exponent());
  }

  @Override
  public double addNoise(BigDecimal value, RandomBits bits) {
    GaussianNoise noise = realNoise();
    return Grid.release(Grid.index(value, noise.exponent()), noise.sample(new BitReader(bits)), noise.exponent());
  }

  @Override
  public double halfWidth(double confidence) {
    return Math.max(integerNoise().halfWidth(confidence), realNoise().halfWidth(confidence));
  }

  GaussianNoise integerNoise() {
    return plans()[0];
  }

  GaussianNoise realNoise() {
    return plans()[1];
  }

  /** The integer and the real noise law, derived once per mechanism value. */
  private GaussianNoise[] plans() {
    return PLANS.get(this, m -> new GaussianNoise[] {integerNoise(m.l2Sensitivity, m.sigma), realNoise(m.l2Sensitivity, m.sigma)});
  }

  /**
   * Integer releases: a non-zero integer vector has L2 norm at least 1, so the integer sensitivity is
   * {@code max(l2, 1)} and the noise is {@code sigma·max(l2, 1)/l2} (the same ρ).
   */
  private static GaussianNoise integerNoise(double l2, double sigma) {
    double intSigma = l2 >= 1 ? sigma : Exact.toDoubleUp(Exact.of(sigma).divide(Exact.of(l2), Ratio.UP));
    if (intSigma <= Grid.pow2(MAX_STEPS_LOG2)) {
      return GaussianNoise.of(0, Exact.of(intSigma), false);
    }
    double intL2 = Math.max(l2, 1);
    int e = Grid.ceilLog2(intSigma) - MAX_STEPS_LOG2;
    return GaussianNoise.of(e, sampleable(stepsSigma(intL2, intSigma, e)), true);
  }

  private static GaussianNoise realNoise(double l2, double sigma) {
    double fine = Math.scalb(Math.min(sigma, l2), -SENSITIVITY_STEPS_LOG2);
    double coarse = Math.scalb(sigma, -MAX_STEPS_LOG2);
    int e = Grid.floorLog2(Math.max(fine, coarse));
    return GaussianNoise.of(e, sampleable(stepsSigma(l2, sigma, e)), true);
  }

  /** σ in grid steps with the rounding allowance: sigma/g + sqrt(MAX_CELLS_PER_UNIT)·sigma/l2, rounded up. */
  private static BigDecimal stepsSigma(double l2, double sigma, int e) {
    BigDecimal s = Exact.of(sigma);
    return s.divide(Grid.pow2Exact(e)).add(CELL_ALLOWANCE.multiply(s).divide(Exact.of(l2), Ratio.UP));
  }

  private static BigDecimal sampleable(BigDecimal sigmaSteps) {
    if (sigmaSteps.compareTo(MAX_SIGMA_STEPS) >= 0) {
      throw new InvalidPrivacyParameterException("epsilon is too small for the Gaussian noise to be sampled "
          + "exactly (sigma in grid steps above 2^48); use epsilon of at least 1e-9");
    }
    return sigmaSteps;
  }
}
