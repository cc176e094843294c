package org.dpq.mechanisms;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * The power-of-two grid of the granularity method and the rounding onto it. Owns the sensitivity argument
 * for rounded releases (see {@link NoiseMechanism}): the grid index {@code rint(x/g)} is within 1/2 of
 * {@code x/g}, so a change of {@code d} in one value changes its index by at most {@code |d|/g + 1}, and a
 * value that does not change keeps its index.
 */
final class Grid {
  /** Smallest and largest accepted sensitivity or scale: keeps every grid a normal double. */
  static final double MIN_MAGNITUDE = 0x1p-900;
  static final double MAX_MAGNITUDE = 0x1p900;

  private Grid() {}

  /** floor(log2(x)) for a positive normal double. */
  static int floorLog2(double x) {
    return Math.getExponent(x);
  }

  /** ceil(log2(x)) for a positive normal double. */
  static int ceilLog2(double x) {
    int e = Math.getExponent(x);
    return x == Math.scalb(1.0, e) ? e : e + 1;
  }

  /** 2^e as a double. */
  static double pow2(int e) {
    return Math.scalb(1.0, e);
  }

  /** 2^e as an exact decimal. */
  static BigDecimal pow2Exact(int e) {
    return new BigDecimal(pow2(e));
  }

  /**
   * The grid index of {@code value}: the nearest integer to {@code value / 2^e}, ties to even. The division
   * by a power of two is exact for every value that does not round to 0 anyway, so the index is exactly
   * {@code rint(value / 2^e)}; an index beyond the double range is clamped to the largest finite double.
   */
  static double index(double value, int e) {
    double scaled = Math.scalb(value, -e);
    if (Double.isInfinite(scaled)) {
      // clamping is monotone and never increases a difference: the sensitivity argument is unchanged
      return Math.copySign(Double.MAX_VALUE, scaled);
    }
    return Math.rint(scaled);
  }

  /**
   * The grid index of an integer {@code value} on the grid {@code 2^e}, {@code e >= 0}: nearest, ties to
   * even, computed in integer arithmetic.
   */
  static long index(long value, int e) {
    if (e == 0) {
      return value;
    }
    long q = value >> e; // floor
    long rem = value - (q << e);
    long half = 1L << (e - 1);
    if (rem > half || (rem == half && (q & 1) != 0)) {
      q++;
    }
    return q;
  }

  /**
   * The granularity release of a finite {@code value}: its grid index k (nearest, ties to even) plus
   * {@code noise}, returned as the double nearest to the exact value {@code (k + noise) · 2^e}. The result
   * depends only on the exact integer {@code k + noise} (post-processing of an integer release). A value with
   * {@code |value| >= 2^62 · 2^e} is already on the grid (its ulp is a multiple of {@code 2^e}), so k is
   * exact there too and the sum is formed in exact decimal arithmetic. Infinite results are clamped to the
   * largest finite double. {@code |noise| < 2^62} (the samplers guarantee it).
   */
  static double release(double value, long noise, int e) {
    double scaled = Math.scalb(value, -e);
    double sum;
    if (Math.abs(scaled) < 0x1p62) {
      long exact = (long) Math.rint(scaled) + noise; // both below 2^62 in magnitude: no overflow
      sum = Math.scalb((double) exact, e);
    } else {
      sum = new BigDecimal(value).add(new BigDecimal(noise).multiply(pow2Exact(e))).doubleValue();
    }
    if (Double.isInfinite(sum)) {
      return Math.copySign(Double.MAX_VALUE, sum);
    }
    return sum;
  }

  /**
   * The grid index of an exact {@code value}: the nearest integer to {@code value / 2^e}, ties to even, in exact
   * decimal arithmetic (dividing by a power of two is exact).
   */
  static BigInteger index(BigDecimal value, int e) {
    BigDecimal scaled = e >= 0 ? value.divide(pow2Exact(e)) : value.multiply(pow2Exact(-e));
    return scaled.setScale(0, RoundingMode.HALF_EVEN).toBigIntegerExact();
  }

  /**
   * The granularity release of an exact grid index: the double nearest to {@code (index + noise) · 2^e}, formed in
   * exact arithmetic and rounded once (post-processing of the integer release). Infinite results are clamped to
   * the largest finite double.
   */
  static double release(BigInteger index, long noise, int e) {
    double sum = new BigDecimal(index.add(BigInteger.valueOf(noise))).multiply(pow2Exact(e)).doubleValue();
    if (Double.isInfinite(sum)) {
      return Math.copySign(Double.MAX_VALUE, sum);
    }
    return sum;
  }

  /** {@code (index + noise) * 2^e} for integer releases, saturating at the long range. */
  static long release(long index, long noise, int e) {
    long sum;
    try {
      sum = Math.addExact(index, noise);
    } catch (ArithmeticException overflow) {
      return index > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
    }
    if (e == 0) {
      return sum;
    }
    if (sum > (Long.MAX_VALUE >> e) || sum < (Long.MIN_VALUE >> e)) {
      return sum > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
    }
    return sum << e;
  }
}
