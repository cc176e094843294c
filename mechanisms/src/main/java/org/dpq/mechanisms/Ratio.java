package org.dpq.mechanisms;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * A positive fraction {@code num/den} with a power-of-two denominator, used to hand noise parameters to the
 * exact samplers. Owns the direction of rounding: every conversion from a real parameter rounds up, so a
 * sampler never gets less noise than the calibration asked for.
 */
record Ratio(long num, long den) {
  /** Up-rounding context for intermediate real arithmetic (34 digits, towards +infinity). */
  static final MathContext UP = new MathContext(34, RoundingMode.CEILING);

  Ratio {
    if (num < 1 || den < 1) {
      throw new IllegalArgumentException("a ratio needs positive terms");
    }
  }

  /**
   * The smallest fraction {@code n / 2^k >= x} with {@code n <= 2^bits} and {@code 0 <= k <= 62}, reduced. A
   * value of at least {@code 2^bits} becomes the integer {@code ceil(x)}.
   */
  static Ratio ceil(BigDecimal x, int bits) {
    if (x.signum() <= 0) {
      throw new IllegalArgumentException("a noise parameter must be positive");
    }
    BigDecimal limit = new BigDecimal(BigInteger.ONE.shiftLeft(bits));
    if (x.compareTo(limit) >= 0) {
      BigInteger n = x.setScale(0, RoundingMode.CEILING).toBigIntegerExact();
      if (n.bitLength() > 62) {
        throw new IllegalArgumentException("a noise parameter exceeds 2^62");
      }
      return new Ratio(n.longValueExact(), 1);
    }
    int k = 0;
    BigDecimal scaled = x;
    BigDecimal half = new BigDecimal(BigInteger.ONE.shiftLeft(bits - 1));
    // Double until x * 2^k >= 2^(bits-1) (then ceil(x * 2^k) <= 2^bits keeps `bits` bits of precision), but
    // never past the largest denominator the samplers take, 2^62: a tinier x gets ceil(x * 2^62) >= 1.
    while (scaled.compareTo(half) < 0 && k < 62) {
      scaled = scaled.add(scaled);
      k++;
    }
    long n = scaled.setScale(0, RoundingMode.CEILING).longValueExact();
    while (k > 0 && (n & 1) == 0) {
      n >>= 1;
      k--;
    }
    return new Ratio(n, 1L << k);
  }

  /** This fraction as an exact decimal. */
  BigDecimal toBigDecimal() {
    return new BigDecimal(num).divide(new BigDecimal(den)); // den is a power of two: exact
  }

  /** This fraction as a double, rounded up. */
  double doubleUp() {
    return Exact.toDoubleUp(toBigDecimal());
  }
}
