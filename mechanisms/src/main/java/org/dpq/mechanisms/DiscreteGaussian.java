package org.dpq.mechanisms;

import java.math.BigInteger;

/**
 * Exact sampler for the discrete Gaussian distribution on the integers, {@code P(z) ∝ exp(-z²/(2σ²))} with a
 * rational variance parameter {@code σ² = sigmaSqNumerator / sigmaSqDenominator} (Canonne, Kamath, Steinke
 * 2020, Algorithm 3). Owns invariant 2 for Gaussian noise: rejection from a discrete Laplace proposal with
 * exact Bernoulli trials, integer and {@link BigInteger} arithmetic only.
 *
 * <p>Privacy (CKS 2020, Theorem 14 with Corollary 13): adding independent discrete Gaussian noise of
 * parameter σ² to each coordinate of an integer vector query with L2 sensitivity Δ is (Δ²/2σ²)-zCDP, exactly
 * as for continuous noise, which {@link Calibration#gaussian} converts to (epsilon, delta).
 */
public final class DiscreteGaussian {
  /** The largest accepted σ², 2^62. */
  public static final long MAX_SIGMA_SQUARED = 1L << 62;

  private DiscreteGaussian() {}

  /**
   * One sample with variance parameter {@code sigmaSqNumerator / sigmaSqDenominator}.
   *
   * @throws IllegalArgumentException when a term is not in {@code [1, 2^62]}
   */
  public static long sample(RandomBits bits, long sigmaSqNumerator, long sigmaSqDenominator) {
    checkSigmaSquared(sigmaSqNumerator, sigmaSqDenominator);
    return sample(new BitReader(bits), sigmaSqNumerator, sigmaSqDenominator);
  }

  static void checkSigmaSquared(long num, long den) {
    if (num < 1 || den < 1 || num > MAX_SIGMA_SQUARED || den > MAX_SIGMA_SQUARED) {
      throw new IllegalArgumentException("discrete Gaussian sigma^2 terms must be in [1, 2^62]; got "
          + num + "/" + den + ". Pass sigma^2 as a positive fraction");
    }
  }

  /**
   * Algorithm 3 of CKS 2020: with {@code t = floor(σ) + 1}, draw Y from the discrete Laplace of scale t and
   * accept it with probability exp(-(|Y| - σ²/t)² / (2σ²)). With σ² = n/d this exponent is the rational
   * {@code (|Y|·t·d - n)² / (2·t²·n·d)}; it is evaluated in {@code long} when that cannot overflow and in
   * {@link BigInteger} otherwise.
   */
  static long sample(BitReader in, long num, long den) {
    long t = floorSqrt(num / den) + 1;
    while (true) {
      long y = DiscreteLaplace.sample(in, t, 1);
      long a = Math.abs(y);
      if (acceptLong(in, a, t, num, den)) {
        return y;
      }
    }
  }

  /**
   * As {@link #sample(BitReader, long, long)} for a σ² given as a BigInteger fraction, up to σ below 2^49
   * (the proposal's discrete Laplace scale must stay within its sampler's range).
   */
  static long sample(BitReader in, BigInteger num, BigInteger den) {
    if (num.bitLength() <= 62 && den.bitLength() <= 62) {
      return sample(in, num.longValueExact(), den.longValueExact());
    }
    BigInteger floorSigma = num.divide(den).sqrt();
    if (floorSigma.bitLength() > 49) {
      throw new IllegalArgumentException("discrete Gaussian sigma above 2^49 cannot be sampled exactly; "
          + "use a coarser grid or a larger epsilon");
    }
    long t = floorSigma.longValueExact() + 1;
    BigInteger bt = BigInteger.valueOf(t);
    BigInteger denominator = BigInteger.TWO.multiply(bt).multiply(bt).multiply(num).multiply(den);
    BigInteger tden = bt.multiply(den);
    while (true) {
      long y = DiscreteLaplace.sample(in, t, 1);
      BigInteger diff = BigInteger.valueOf(Math.abs(y)).multiply(tden).subtract(num);
      if (in.bernoulliExpMinus(diff.multiply(diff), denominator)) {
        return y;
      }
    }
  }

  /**
   * Returns the acceptance decision: in {@code long} arithmetic when the bit lengths show that nothing can
   * overflow, in 128-bit {@code long}-pair arithmetic for larger sigma (up to about 2^30), and in
   * {@link BigInteger} otherwise (no exceptions on any path).
   */
  private static boolean acceptLong(BitReader in, long a, long t, long n, long d) {
    // A product of numbers with bit lengths b1, b2, ... has bit length at most b1 + b2 + ...
    int bitsAtd = bitLength(a) + bitLength(t) + bitLength(d);
    int bitsDen = 1 + 2 * bitLength(t) + bitLength(n) + bitLength(d);
    if (bitsAtd <= 62 && bitLength(n) <= 62) {
      long diff = a * t * d - n; // both terms in [0, 2^62): no overflow
      if (bitsDen <= 62 && bitLength(Math.abs(diff)) <= 31) { // diff² < 2^62
        return in.bernoulliExpMinus(diff * diff, 2 * t * t * n * d);
      }
      int bitsA = 1 + 2 * bitLength(t);
      int bitsB = bitLength(n) + bitLength(d);
      if (bitsA <= 62 && bitsB <= 62) { // 128-bit: diff² < 2^124, denominator (2t²)(nd) < 2^124
        long x = 2 * t * t;
        long y = n * d;
        return in.bernoulliExpMinus(Math.multiplyHigh(diff, diff), diff * diff, Math.multiplyHigh(x, y), x * y);
      }
    }
    BigInteger bt = BigInteger.valueOf(t);
    BigInteger bn = BigInteger.valueOf(n);
    BigInteger bd = BigInteger.valueOf(d);
    BigInteger diff = BigInteger.valueOf(a).multiply(bt).multiply(bd).subtract(bn);
    BigInteger numerator = diff.multiply(diff);
    BigInteger denominator = BigInteger.TWO.multiply(bt).multiply(bt).multiply(bn).multiply(bd);
    return in.bernoulliExpMinus(numerator, denominator);
  }

  private static int bitLength(long x) {
    return 64 - Long.numberOfLeadingZeros(x);
  }

  /** floor(sqrt(x)) for {@code x >= 0}, exact. */
  static long floorSqrt(long x) {
    long r = (long) Math.sqrt((double) x);
    while (r * r > x) {
      r--;
    }
    while ((r + 1) * (r + 1) <= x) {
      r++;
    }
    return r;
  }
}
