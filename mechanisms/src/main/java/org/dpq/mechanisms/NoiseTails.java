package org.dpq.mechanisms;

import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * Two-sided quantiles of the exact integer noise laws, for confidence intervals. Owns no privacy property
 * (it reads only public noise parameters); it owns the accuracy claim: each half-width h returned satisfies
 * {@code P(|Z| > h) <= 1 - confidence} for the discrete law actually sampled.
 */
final class NoiseTails {
  /** Commons Math is used for its CDF and quantile only; no sampler is attached. */
  private static final NormalDistribution STANDARD_NORMAL = new NormalDistribution(null, 0, 1);

  /** Up to this sigma the discrete Gaussian tail is summed exactly; above, a proven bound is used. */
  private static final double EXACT_GAUSSIAN_SIGMA = 64;

  private NoiseTails() {}

  static void checkConfidence(double confidence) {
    if (!(confidence > 0 && confidence < 1)) {
      throw new IllegalArgumentException("confidence must be strictly between 0 and 1, e.g. 0.95");
    }
  }

  /** log P(|Z| > h) for the discrete Laplace of scale t: P = 2 q^(h+1) / (1 + q), q = exp(-1/t). */
  static double logLaplaceTail(double t, long h) {
    double q = Math.exp(-1 / t);
    return Math.log(2) - (h + 1) / t - Math.log1p(q);
  }

  /** The smallest integer h >= 0 with P(|Z| > h) <= 1 - confidence, Z discrete Laplace of scale t. */
  static long laplaceHalfWidth(double t, double confidence) {
    checkConfidence(confidence);
    double logAlpha = Math.log1p(-confidence);
    double q = Math.exp(-1 / t);
    double guess = Math.ceil(t * (Math.log(2) - Math.log1p(q) - logAlpha)) - 1;
    long h = Math.max(0, (long) Math.min(guess, 0x1p62));
    while (logLaplaceTail(t, h) > logAlpha) {
      h++;
    }
    while (h > 0 && logLaplaceTail(t, h - 1) <= logAlpha) {
      h--;
    }
    return h;
  }

  /**
   * The smallest integer h >= 0 with P(|Z| > h) <= 1 - confidence for the discrete Gaussian of parameter
   * sigma (exact summation for small sigma), or an upper bound on it for large sigma: with f(z) =
   * exp(-z²/2σ²) decreasing on [0, ∞), the tail sum over z > h is at most the integral of f from h, and the
   * normaliser is at least σ√(2π) (Poisson summation), so P(|Z| > h) <= 2(1 - Φ(h/σ)).
   */
  static long gaussianHalfWidth(double sigma, double confidence) {
    checkConfidence(confidence);
    double alpha = 1 - confidence;
    if (sigma <= EXACT_GAUSSIAN_SIGMA) {
      int m = (int) Math.ceil(sigma * 40) + 2;
      double[] w = new double[m + 1];
      double total = 0;
      for (int z = m; z >= 1; z--) { // small terms first for accuracy
        w[z] = Math.exp(-(double) z * z / (2 * sigma * sigma));
        total += 2 * w[z];
      }
      w[0] = 1;
      total += 1;
      double tail = 0; // sum over |z| > h, built from the outside in
      long best = m;
      for (int h = m; h >= 0; h--) {
        // tail currently = P-mass (unnormalised) of |z| > h
        if (tail / total <= alpha * (1 - 1e-12)) {
          best = h;
        } else {
          break;
        }
        tail += 2 * w[h];
      }
      return best;
    }
    double z = STANDARD_NORMAL.inverseCumulativeProbability(1 - alpha / 2);
    return (long) Math.ceil(sigma * z * (1 + 1e-9));
  }

  /** Φ, the standard normal CDF (Commons Math). */
  static double phi(double x) {
    return STANDARD_NORMAL.cumulativeProbability(x);
  }

  /** Φ^-1, the standard normal quantile (Commons Math). */
  static double phiInverse(double p) {
    return STANDARD_NORMAL.inverseCumulativeProbability(p);
  }
}
