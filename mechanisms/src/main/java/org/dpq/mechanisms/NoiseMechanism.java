package org.dpq.mechanisms;

/**
 * A calibrated noise-adding mechanism: the single place where released numbers receive noise. Owns
 * invariants 1 and 2 for every release: noise comes only from {@link RandomBits} through the exact samplers
 * {@link DiscreteLaplace} and {@link DiscreteGaussian}; nothing is sampled in floating point.
 *
 * <p><b>Integer values</b> ({@link #addNoise(long, RandomBits)}) receive integer noise directly. <b>Real
 * values</b> ({@link #addNoise(double, RandomBits)}) use the granularity method: the value is rounded to the
 * nearest multiple of a power of two {@code g} (chosen from the noise scale and the sensitivity), integer
 * noise in units of {@code g} is added, and the result is the double nearest to that multiple of {@code g}.
 *
 * <p><b>Why rounding keeps the privacy claim.</b> Rounding to the nearest grid point is monotone, so if one
 * privacy unit changes a value by {@code d}, its grid index changes by at most {@code |d|/g + 1}, and a value
 * it does not change keeps its index. A unit changes at most {@link #MAX_CELLS_PER_UNIT} released cells of
 * one measurement (dpq bounds this by {@code max_groups_contributed}), so the grid-index vector moves by at
 * most {@code L1/g + MAX_CELLS_PER_UNIT} in L1 and {@code L2/g + sqrt(MAX_CELLS_PER_UNIT)} in L2. The noise
 * in grid units is calibrated to exactly these inflated sensitivities. The grid is chosen so fine
 * ({@code g <= sensitivity·2^-36} for Laplace, {@code 2^-24} for Gaussian, unless epsilon is extreme) that
 * the inflation costs at most about a millionth of the noise in ordinary use; for very small epsilon the
 * grid is coarsened to keep integer noise within the samplers' range, which adds more (still accounted)
 * noise; an epsilon so small that even this fails is rejected when the mechanism is built.
 */
public sealed interface NoiseMechanism permits LaplaceMechanism, GaussianMechanism {
  /**
   * The most cells of one measurement that a single privacy unit may change for which the rounding of real
   * values is accounted. Callers must not use one mechanism for a release in which a unit can change more
   * cells (dpq rejects {@code max_groups_contributed} above this).
   */
  int MAX_CELLS_PER_UNIT = 1 << 12;

  /** Which family of noise. */
  MechanismKind kind();

  /** Laplace scale b, or Gaussian sigma, in value units (the calibrated, nominal parameter). */
  double scale();

  /** The nominal noise variance in value units: 2b² for Laplace, σ² for Gaussian. */
  double variance();

  /**
   * {@code value} plus integer noise, for counts and integer sums. Integer noise is calibrated to
   * the sensitivity rounded up to an integer, so it is never less than the nominal noise.
   */
  long addNoise(long value, RandomBits bits);

  /**
   * {@code value} rounded to the mechanism's power-of-two grid, plus integer noise times the grid (the
   * granularity method; see the type's documentation).
   *
   * @throws IllegalArgumentException when {@code value} is NaN or infinite (clamp it first)
   */
  double addNoise(double value, RandomBits bits);

  /**
   * An exact real {@code value} (a bounded sum computed without rounding, such as an integer number of grid
   * steps) rounded to the mechanism's power-of-two grid in exact arithmetic, plus integer noise times the grid:
   * the same release as {@link #addNoise(double, RandomBits)}, without first rounding the value to a double. The
   * privacy argument of the type applies unchanged: the rounding to the grid is the one it accounts for.
   */
  double addNoise(java.math.BigDecimal value, RandomBits bits);

  /**
   * A two-sided interval that covers the true (pre-noise, pre-rounding) value with probability at least
   * {@code confidence}, computed from the noise law alone. It is valid for releases of either
   * {@code addNoise} method (the larger of the two half-widths is used).
   */
  default Interval confidenceInterval(double released, double confidence) {
    double h = halfWidth(confidence);
    // one ulp outwards, so that rounding of the subtraction never narrows the interval
    return new Interval(Math.nextDown(released - h), Math.nextUp(released + h));
  }

  /**
   * The smallest half-width h with {@code P(|noise| > h) <= 1 - confidence} for the exact discrete noise
   * law of both release kinds (their maximum), plus half a grid step where values are rounded to a grid.
   */
  double halfWidth(double confidence);
}
