package org.dpq.mechanisms;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * Discrete Gaussian noise with parameter {@code σ² = num/den} grid steps² on the grid {@code 2^exponent}:
 * the exact law a {@link GaussianMechanism} adds for one kind of release. Owns the upward rounding of σ²
 * to a fraction with a power-of-two denominator (never less noise than derived).
 */
record GaussianNoise(int exponent, BigInteger num, BigInteger den, boolean rounds) {
  private static final int RATIO_BITS = 20;

  /** σ² rounded up to a dyadic fraction with about 20 significant bits, or to an integer when large. */
  static GaussianNoise of(int exponent, BigDecimal sigmaSteps, boolean rounds) {
    BigDecimal sq = sigmaSteps.multiply(sigmaSteps);
    if (sq.compareTo(BigDecimal.valueOf(1L << RATIO_BITS)) >= 0) {
      return new GaussianNoise(exponent, sq.setScale(0, RoundingMode.CEILING).toBigIntegerExact(), BigInteger.ONE, rounds);
    }
    Ratio r = Ratio.ceil(sq, RATIO_BITS);
    return new GaussianNoise(exponent, BigInteger.valueOf(r.num()), BigInteger.valueOf(r.den()), rounds);
  }

  long sample(BitReader in) {
    return DiscreteGaussian.sample(in, num, den);
  }

  double sigmaSteps() {
    return Math.sqrt(new BigDecimal(num).divide(new BigDecimal(den)).doubleValue());
  }

  /** Half-width in value units, plus half a grid step when the value was rounded to the grid. */
  double halfWidth(double confidence) {
    long h = NoiseTails.gaussianHalfWidth(sigmaSteps(), confidence);
    return Math.scalb(rounds ? h + 0.5 : h, exponent);
  }
}
