package org.dpq.mechanisms;

import java.util.Objects;

/**
 * A range-free DP estimate of clamp bounds for one numeric column (after Google's ApproxBounds): a histogram of
 * power-of-two magnitude bins, exact discrete Laplace noise on every bin, and the outer edges of the lowest and
 * highest bins whose noisy count clears a threshold. Owns the epsilon claim of an automatic bounds estimate.
 *
 * <p><b>Bins.</b> For exponents {@code k} in {@code [minExponent, maxExponent]}: a positive bin holds the values
 * in {@code [2^k, 2^(k+1))}, a negative bin the values in {@code (-2^(k+1), -2^k]}, and one bin holds exactly 0.
 * Magnitudes below {@code 2^(minExponent+1)} fall into the smallest bin of their sign and magnitudes of at least
 * {@code 2^maxExponent} (infinity too) into the largest; NaN falls into none. Bins are numbered in the order of
 * their values: the negative bins from the largest magnitude down, then 0, then the positive bins upwards.
 *
 * <p><b>Privacy claim and sensitivity.</b> The caller counts, in each bin, the privacy units that have a value
 * there, each unit counted at most once per bin and in at most {@code maxBinsPerUnit} bins (dpq keeps a unit's
 * lowest {@code K = min(G x R, max_rows_per_unit, bins)} bins, a rule that reads only the unit's own rows). Adding
 * or removing one unit then moves the histogram by at most {@code K} in L1. Every bin, empty or not, receives
 * discrete Laplace noise calibrated to L1 = {@code K} ({@link Calibration#laplace}), so the noisy histogram is
 * {@code epsilon}-DP; everything after it (threshold, edges) is post-processing and spends nothing more.
 *
 * <p><b>Accuracy claim.</b> The threshold is the smallest integer {@code tau} with {@code P(|noise| > tau) <=
 * failureProbability / bins} for the noise actually sampled, so with probability at least {@code 1 -
 * failureProbability} no empty bin clears it, and the bounds never extend past the data's own bins. A bin with at
 * least {@code 2 tau + 1} units clears it with probability at least {@code 1 - failureProbability / bins}. The
 * bounds bracket every value of the bins between the two cleared bins; values in sparser outer bins are clamped to
 * them, which is what clamp bounds are for.
 *
 * @param minExponent the smallest magnitude exponent with its own bins
 * @param maxExponent the largest magnitude exponent with its own bins
 * @param mechanism the noise of every bin
 * @param threshold tau: a bin clears it when its noisy count is strictly greater
 */
public record ApproxBounds(int minExponent, int maxExponent, LaplaceMechanism mechanism, long threshold) {
  /** The default exponents: magnitudes from below 2^-20 (about 1e-6) to 2^62 and above (about 4.6e18). */
  public static final int DEFAULT_MIN_EXPONENT = -20;
  /** See {@link #DEFAULT_MIN_EXPONENT}. */
  public static final int DEFAULT_MAX_EXPONENT = 62;
  /** The default probability that any empty bin clears the threshold. */
  public static final double DEFAULT_FAILURE_PROBABILITY = 1e-4;

  public ApproxBounds {
    Objects.requireNonNull(mechanism, "mechanism");
    if (minExponent >= maxExponent || minExponent < -1000 || maxExponent > 1000) {
      throw new IllegalArgumentException("the exponent range must satisfy -1000 <= minExponent < maxExponent <= 1000");
    }
    if (threshold < 0) {
      throw new IllegalArgumentException("the threshold must be >= 0");
    }
  }

  /** The estimator over the default exponents and failure probability. */
  public static ApproxBounds of(double epsilon, long maxBinsPerUnit) {
    return of(epsilon, maxBinsPerUnit, DEFAULT_MIN_EXPONENT, DEFAULT_MAX_EXPONENT, DEFAULT_FAILURE_PROBABILITY);
  }

  /**
   * An estimator spending {@code epsilon} on a histogram in which one unit counts in at most
   * {@code maxBinsPerUnit} bins, once in each.
   *
   * @throws org.dpq.errors.InvalidPrivacyParameterException for a bad epsilon
   * @throws IllegalArgumentException for a bad bin cap, exponent range or failure probability
   */
  public static ApproxBounds of(double epsilon, long maxBinsPerUnit, int minExponent, int maxExponent,
      double failureProbability) {
    if (maxBinsPerUnit < 1) {
      throw new IllegalArgumentException("a unit must be allowed at least one bin");
    }
    if (!(failureProbability > 0 && failureProbability < 1)) {
      throw new IllegalArgumentException("the failure probability must be strictly between 0 and 1, e.g. 1e-4");
    }
    int bins = 2 * (maxExponent - minExponent + 1) + 1;
    LaplaceMechanism m = Calibration.laplace(Math.min(maxBinsPerUnit, bins), epsilon);
    long tau = (long) Math.ceil(m.halfWidth(1 - failureProbability / bins));
    return new ApproxBounds(minExponent, maxExponent, m, tau);
  }

  /** How many bins the histogram has. */
  public int bins() {
    return 2 * exponents() + 1;
  }

  /** The index of the bin that holds exactly 0. */
  public int zeroBin() {
    return exponents();
  }

  private int exponents() {
    return maxExponent - minExponent + 1;
  }

  /** The bin of {@code value} ({@code -1} for NaN, which is ignored as by every aggregate). */
  public int binOf(double value) {
    if (Double.isNaN(value)) {
      return -1;
    }
    if (value == 0) {
      return zeroBin();
    }
    int k = Math.max(minExponent, Math.min(maxExponent, Math.getExponent(Math.abs(value))));
    int offset = k - minExponent;
    return value > 0 ? zeroBin() + 1 + offset : zeroBin() - 1 - offset;
  }

  /** The bin of positive exponent {@code k} with the given sign (0 for the zero bin). */
  public int bin(int signum, int k) {
    if (signum == 0) {
      return zeroBin();
    }
    int offset = Math.max(minExponent, Math.min(maxExponent, k)) - minExponent;
    return signum > 0 ? zeroBin() + 1 + offset : zeroBin() - 1 - offset;
  }

  /** The smallest value the bin may hold (its outer edge when it is the lowest cleared bin). */
  public double lowerEdge(int bin) {
    checkBin(bin);
    if (bin == zeroBin()) {
      return 0;
    }
    int k = exponentOf(bin);
    if (bin > zeroBin()) {
      return k == minExponent ? 0 : Math.scalb(1.0, k);
    }
    return -Math.scalb(1.0, k + 1);
  }

  /** The largest value the bin may hold (its outer edge when it is the highest cleared bin). */
  public double upperEdge(int bin) {
    checkBin(bin);
    if (bin == zeroBin()) {
      return 0;
    }
    int k = exponentOf(bin);
    if (bin > zeroBin()) {
      return Math.scalb(1.0, k + 1);
    }
    return k == minExponent ? 0 : -Math.scalb(1.0, k);
  }

  private int exponentOf(int bin) {
    return minExponent + (bin > zeroBin() ? bin - zeroBin() - 1 : zeroBin() - 1 - bin);
  }

  private void checkBin(int bin) {
    if (bin < 0 || bin >= bins()) {
      throw new IllegalArgumentException("bin " + bin + " is outside [0, " + bins() + ")");
    }
  }

  /**
   * The noisy histogram of per-bin unit counts: each count plus its own discrete Laplace noise (the only step
   * that reads data and spends epsilon).
   */
  public long[] noisy(long[] counts, RandomBits bits) {
    checkLength(counts);
    long[] out = new long[counts.length];
    for (int i = 0; i < counts.length; i++) {
      out[i] = mechanism.addNoise(counts[i], bits);
    }
    return out;
  }

  /** The bounds of a noisy histogram (post-processing only). */
  public Estimate estimate(long[] noisyCounts) {
    checkLength(noisyCounts);
    int low = -1;
    int high = -1;
    for (int i = 0; i < noisyCounts.length; i++) {
      if (noisyCounts[i] > threshold) {
        if (low < 0) {
          low = i;
        }
        high = i;
      }
    }
    if (low < 0) {
      return Estimate.NONE;
    }
    double lower = lowerEdge(low);
    double upper = upperEdge(high);
    return upper > lower ? new Estimate(true, lower, upper) : Estimate.NONE;
  }

  private void checkLength(long[] counts) {
    if (counts.length != bins()) {
      throw new IllegalArgumentException("expected " + bins() + " bin counts, got " + counts.length);
    }
  }

  /**
   * What an estimate found: bounds with {@code upper > lower}, or none (no bin cleared the threshold, or only the
   * zero bin did). A DP output either way.
   *
   * @param found whether bounds were found
   * @param lower the lower bound (0 when none)
   * @param upper the upper bound (0 when none)
   */
  public record Estimate(boolean found, double lower, double upper) {
    /** No bounds: too few units in any bin for their count to clear the noise. */
    public static final Estimate NONE = new Estimate(false, 0, 0);
  }
}
