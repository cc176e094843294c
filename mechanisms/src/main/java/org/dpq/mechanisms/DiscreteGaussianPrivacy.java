package org.dpq.mechanisms;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The exact (epsilon, delta) of one-dimensional discrete Gaussian noise. Owns the delta claim of a Gaussian
 * release calibrated with {@link GaussianCalibration#EXACT_DISCRETE}: by Canonne, Kamath and Steinke 2020 ("The
 * Discrete Gaussian for Differential Privacy", Theorem 7), adding {@code Y ~ N_Z(0, σ²)} to an integer-valued
 * query of sensitivity Δ (one coordinate: a unit moves one released cell by at most Δ) is (ε, δ)-DP for
 *
 * <pre>  δ = P[Y &gt; εσ²/Δ − Δ/2] − e^ε · P[Y &gt; εσ²/Δ + Δ/2],</pre>
 *
 * and this δ is exact (tight) at shift Δ. The statement holds for one coordinate only; a unit that can move
 * several cells of one measurement needs the zCDP certificate instead.
 *
 * <p><b>Conservative evaluation.</b> {@link #delta} returns an upper bound on that δ, never an optimistic
 * truncation: with {@code f(y) = exp(−y²/2σ²)} the tail sums {@code S(y0) = Σ_{y ≥ y0} f(y)} are summed exactly for
 * up to {@value #EXPLICIT_TERMS} terms, and the rest is bounded by integrals: where f is convex ({@code y ≥ σ}),
 * {@code Σ_{y ≥ y1} f(y) ≤ ∫_{y1−1/2}^∞ f} (midpoint rule) and {@code ≥ f(y1)/2 + ∫_{y1}^∞ f} (trapezoid rule,
 * Hermite–Hadamard); where f is only decreasing ({@code 0 ≤ y < σ}) the bounds {@code f(y1) + ∫_{y1}^∞ f} and
 * {@code ∫_{y1}^∞ f}; below 0 the whole mass and 0. The first tail is bounded above, the second below, the
 * normaliser {@code Z = Σ_y f(y)} is bounded below by {@code σ√(2π)(1 + 2 exp(−2π²σ²))} (Poisson summation: every
 * term of {@code σ√(2π) Σ_k exp(−2π²σ²k²)} is positive), the integer thresholds are found in exact decimal arithmetic, and the result carries a relative margin of 1e-10 per tail for floating-point error.
 */
final class DiscreteGaussianPrivacy {
  static final int EXPLICIT_TERMS = 1 << 16;
  private static final double MARGIN = 1e-10;
  private static final double SQRT_2PI = Math.sqrt(2 * Math.PI);
  /** Beyond this, consecutive integers are not all doubles: no explicit summation. */
  private static final double EXPLICIT_LIMIT = 0x1p50;

  private DiscreteGaussianPrivacy() {}

  /**
   * An upper bound on CKS Theorem 7's δ for sensitivity {@code sensitivity} (grid steps), noise {@code sigma} (grid
   * steps) and {@code epsilon}; in [0, 1].
   */
  static double delta(double sensitivity, double sigma, double epsilon) {
    if (!(sensitivity > 0) || !(sigma > 0) || !(epsilon >= 0) || Double.isInfinite(sigma)) {
      throw new IllegalArgumentException("the discrete Gaussian delta needs sensitivity > 0, sigma > 0, epsilon >= 0");
    }
    if (!Double.isFinite(epsilon * sigma * sigma / sensitivity)) {
      return 1;
    }
    // the first integers above εσ²/Δ ∓ Δ/2, in exact decimal arithmetic (the inputs are exact binary fractions)
    BigDecimal d = new BigDecimal(sensitivity);
    BigDecimal es2 = new BigDecimal(epsilon).multiply(new BigDecimal(sigma)).multiply(new BigDecimal(sigma));
    BigDecimal halfD2 = d.multiply(d).divide(BigDecimal.valueOf(2));
    double ya = es2.subtract(halfD2).divide(d, 0, RoundingMode.FLOOR).doubleValue() + 1;
    double yb = es2.add(halfD2).divide(d, 0, RoundingMode.FLOOR).doubleValue() + 1;
    double upper = tailUpper(ya, sigma) * (1 + MARGIN);
    double lower = tailLower(yb, sigma) * (1 - MARGIN);
    double bound = (upper - Math.exp(epsilon) * lower) / normaliserLower(sigma);
    return Math.min(1, Math.max(0, bound));
  }

  /** True when the exact δ bound at (sensitivity, sigma, epsilon) is at most {@code delta}. */
  static boolean holds(double sensitivity, double sigma, double epsilon, double delta) {
    return delta(sensitivity, sigma, epsilon) <= delta;
  }

  /** An upper bound on {@code S(y0) / (σ√(2π))}. */
  static double tailUpper(double y0, double sigma) {
    double[] explicit = explicitSum(y0, sigma);
    double y1 = explicit[1];
    double rest;
    if (y1 - 0.5 >= sigma) {
      rest = NoiseTails.phi(-(y1 - 0.5) / sigma);
    } else if (y1 >= 0) {
      rest = density(y1, sigma) + NoiseTails.phi(-y1 / sigma);
    } else {
      rest = wholeMassUpper(sigma);
    }
    return explicit[0] + rest;
  }

  /** A lower bound on {@code S(y0) / (σ√(2π))}. */
  static double tailLower(double y0, double sigma) {
    double[] explicit = explicitSum(y0, sigma);
    double y1 = explicit[1];
    double rest;
    if (y1 >= sigma) {
      rest = NoiseTails.phi(-y1 / sigma) + density(y1, sigma) / 2;
    } else if (y1 >= 0) {
      rest = NoiseTails.phi(-y1 / sigma);
    } else {
      rest = 0;
    }
    return explicit[0] + rest;
  }

  /**
   * {f(y0) + ... + f(y1 − 1)} / (σ√(2π)) and y1: enough terms to pass σ + 64 when that is within
   * {@value #EXPLICIT_TERMS} terms, at least 64 otherwise.
   */
  private static double[] explicitSum(double y0, double sigma) {
    if (Math.abs(y0) >= EXPLICIT_LIMIT) {
      return new double[] {0, y0};
    }
    double wanted = Math.max(64, Math.ceil(sigma + 0.5 - y0) + 64);
    if (sigma <= 4096) {
      wanted = Math.max(wanted, Math.ceil(8 * sigma) + 64); // small sigma: sum well past the tail
    }
    long n = (long) Math.min(EXPLICIT_TERMS, wanted);
    double sum = 0;
    // smallest terms first for accuracy
    for (long i = n - 1; i >= 0; i--) {
      sum += density(y0 + i, sigma);
    }
    return new double[] {sum, y0 + n};
  }

  /** f(y) / (σ√(2π)). */
  private static double density(double y, double sigma) {
    double z = y / sigma;
    return Math.exp(-z * z / 2) / (sigma * SQRT_2PI);
  }

  /** Z / (σ√(2π)) ≥ 1 + 2 exp(−2π²σ²): the k = 0 and k = ±1 terms of the Poisson sum, all of whose terms are positive. */
  private static double normaliserLower(double sigma) {
    return 1 + 2 * Math.exp(-2 * Math.PI * Math.PI * sigma * sigma) * (1 - MARGIN);
  }

  /** Z / (σ√(2π)) ≤ 1 + 2 Σ_{k ≥ 1} exp(−2π²σ²k²) ≤ 1 + 2q/(1 − q), q = exp(−2π²σ²). */
  private static double wholeMassUpper(double sigma) {
    double q = Math.exp(-2 * Math.PI * Math.PI * sigma * sigma);
    return q >= 0.5 ? Double.POSITIVE_INFINITY : 1 + 2 * q / (1 - q);
  }
}
