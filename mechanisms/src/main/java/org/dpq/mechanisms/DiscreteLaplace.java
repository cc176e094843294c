package org.dpq.mechanisms;

import java.math.BigInteger;

/**
 * Exact sampler for the discrete Laplace distribution on the integers, {@code P(z) ∝ exp(-|z|/t)} with a
 * rational scale {@code t = scaleNumerator / scaleDenominator} (Canonne, Kamath, Steinke 2020, Algorithm 2).
 * Owns invariant 2 for Laplace noise: the sample is drawn with integer arithmetic and exact Bernoulli trials
 * from {@link RandomBits} only, with no floating point anywhere in the sampling.
 *
 * <p>Adding this noise to an integer query whose values differ by at most {@code Δ} between neighbours is
 * {@code Δ/t}-DP, because the pmf ratio of two shifts is at most {@code exp(Δ/t)}.
 */
public final class DiscreteLaplace {
  /** The largest accepted scale, 2^50: larger noise would not fit a {@code long} with certainty. */
  public static final long MAX_SCALE = 1L << 50;

  /** The largest accepted numerator or denominator, 2^62. */
  public static final long MAX_TERM = 1L << 62;

  private static final long OVERFLOW_GUARD = 1L << 62;

  private DiscreteLaplace() {}

  /**
   * One sample with scale {@code scaleNumerator / scaleDenominator}.
   *
   * @throws IllegalArgumentException when a term is not in {@code [1, 2^62]} or the scale exceeds 2^50
   */
  public static long sample(RandomBits bits, long scaleNumerator, long scaleDenominator) {
    checkScale(scaleNumerator, scaleDenominator);
    return sample(new BitReader(bits), scaleNumerator, scaleDenominator);
  }

  static void checkScale(long num, long den) {
    if (num < 1 || den < 1 || num > MAX_TERM || den > MAX_TERM) {
      throw new IllegalArgumentException("discrete Laplace scale terms must be in [1, 2^62]; got "
          + num + "/" + den + ". Pass the scale as a positive fraction");
    }
    if (num / den >= MAX_SCALE) {
      throw new IllegalArgumentException("discrete Laplace scale " + num + "/" + den
          + " exceeds 2^50; use a coarser grid (the mechanisms do this for you) or a larger epsilon");
    }
  }

  /**
   * Algorithm 2 of CKS 2020 with {@code t = num} and {@code s = den}: draw U uniform in [0, t) and accept it
   * with probability exp(-U/t); draw V ~ Geometric(1 - 1/e); X = U + tV is then geometric with ratio
   * exp(-1/t); Y = floor(X/s) is geometric with ratio exp(-s/t); a random sign, rejecting "-0", gives the
   * two-sided law. X is formed in {@link BigInteger} when {@code U + tV} would pass 2^62. Only a result
   * whose magnitude passes 2^62 (probability below exp(-4096) at the largest accepted scale, 2^50) is
   * rejected and redrawn.
   */
  static long sample(BitReader in, long num, long den) {
    while (true) {
      long u = in.uniform(num);
      if (!in.bernoulliExpMinus(u, num)) {
        continue;
      }
      long v = 0;
      while (in.bernoulliExpMinusOne()) {
        v++;
      }
      long y;
      if (v == 0 || num <= (OVERFLOW_GUARD - u) / v) {
        long x = u + num * v; // at most 2^62: no overflow
        y = den == 1 ? x : x / den;
      } else {
        // X = U + tV passes 2^62 (large t and V): compute Y = floor(X/s) exactly in big arithmetic.
        BigInteger big = BigInteger.valueOf(num).multiply(BigInteger.valueOf(v)).add(BigInteger.valueOf(u))
            .divide(BigInteger.valueOf(den));
        if (big.bitLength() > 62) {
          continue; // |Y| >= 2^62: probability below exp(-4096) at the largest accepted scale
        }
        y = big.longValue();
      }
      boolean negative = in.bit();
      if (negative && y == 0) {
        continue;
      }
      return negative ? -y : y;
    }
  }
}
