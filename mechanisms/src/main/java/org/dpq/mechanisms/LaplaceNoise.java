package org.dpq.mechanisms;

/**
 * Discrete Laplace noise of scale {@code t} grid steps on the grid {@code 2^exponent}: the exact law that a
 * {@link LaplaceMechanism} adds for one kind of release; {@code rounds} says whether values are rounded to
 * the grid first. Owns nothing beyond carrying the parameters that
 * the mechanism derived (see there for the privacy argument).
 */
record LaplaceNoise(int exponent, Ratio t, boolean rounds) {
  long sample(BitReader in) {
    return DiscreteLaplace.sample(in, t.num(), t.den());
  }

  /**
   * Half-width in value units: grid × the exact integer quantile, plus half a grid step when the value was
   * rounded to the grid (the interval is around the released value and must cover the unrounded one).
   */
  double halfWidth(double confidence) {
    double tt = (double) t.num() / t.den();
    long h = NoiseTails.laplaceHalfWidth(tt, confidence);
    return Math.scalb(rounds ? h + 0.5 : h, exponent);
  }

  /** The exact variance 2q/(1-q)², q = exp(-1/t), in value units. */
  double variance() {
    double tt = (double) t.num() / t.den();
    double half = Math.sinh(0.5 / tt);
    return Math.scalb(1 / (2 * half * half), 2 * exponent);
  }
}
