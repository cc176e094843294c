package org.dpq.mechanisms;

/**
 * The (epsilon, delta) accounting of Gaussian noise. Owns the delta claim of every Gaussian release: the
 * analytic bound for continuous Gaussian noise (Balle and Wang 2018, Theorem 8) and the zCDP certificate that
 * covers the discrete Gaussian actually sampled (Canonne, Kamath, Steinke 2020: adding N_Z(0, σ²) to each
 * coordinate of an integer query of L2 sensitivity Δ is ρ-zCDP with ρ = Δ²/(2σ²), Theorem 14; and ρ-zCDP
 * implies (ε, δ)-DP with δ = inf over α &gt; 1 of exp((α-1)(αρ-ε)) / (α-1) · (1-1/α)^α, Corollary 13).
 *
 * <p>Every function here errs towards more noise: deltas are over-estimated by a relative margin, and the
 * sigma searches return the upper end of a bracket whose upper end satisfies the condition.
 */
final class GaussianPrivacy {
  private static final double MARGIN = 1e-10;

  private GaussianPrivacy() {}

  /**
   * Balle–Wang: the exact delta of the continuous Gaussian mechanism at epsilon with noise-to-sensitivity
   * ratio {@code s = σ/Δ}, over-estimated by a small margin.
   */
  static double analyticDelta(double s, double epsilon) {
    double a = 1 / (2 * s);
    double b = epsilon * s;
    double t1 = NoiseTails.phi(a - b);
    double t2 = Math.exp(epsilon) * NoiseTails.phi(-a - b);
    return t1 - t2 + MARGIN * (t1 + t2);
  }

  /** The zCDP-to-(ε, δ) conversion of CKS 2020 at the (numerically) best order α, over-estimated. */
  static double cdpDelta(double rho, double epsilon) {
    // g(α) = (α-1)(αρ-ε) - ln(α-1) + α ln(1-1/α) is convex with g'(α) = (2α-1)ρ - ε + ln(1-1/α).
    // Every α > 1 gives a valid bound, so an inexact minimiser only costs tightness.
    double lo = 1 + 1e-12;
    double hi = 2;
    while (derivative(hi, rho, epsilon) < 0 && hi < 1e300) {
      hi *= 2;
    }
    for (int i = 0; i < 200 && lo < hi; i++) {
      double mid = lo + (hi - lo) / 2;
      if (mid <= lo || mid >= hi) {
        break;
      }
      if (derivative(mid, rho, epsilon) < 0) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    double best = Math.min(logDelta(lo, rho, epsilon), logDelta(hi, rho, epsilon));
    return Math.min(1, Math.exp(best) * (1 + MARGIN));
  }

  private static double derivative(double alpha, double rho, double epsilon) {
    return (2 * alpha - 1) * rho - epsilon + Math.log1p(-1 / alpha);
  }

  private static double logDelta(double alpha, double rho, double epsilon) {
    return (alpha - 1) * (alpha * rho - epsilon) - Math.log(alpha - 1) + alpha * Math.log1p(-1 / alpha);
  }

  /** True when discrete Gaussian noise σ on L2 sensitivity Δ is (ε, δ)-DP by the zCDP certificate. */
  static boolean cdpHolds(double sensitivity, double sigma, double epsilon, double delta) {
    double ratio = sensitivity / sigma;
    return cdpDelta(ratio * ratio / 2, epsilon) <= delta;
  }

  /** The smallest σ/Δ (up to bisection precision, never below) for which the analytic delta is ≤ δ. */
  static double analyticRatio(double epsilon, double delta) {
    double hi = Math.sqrt(2 * Math.log(1.25 / delta)) / epsilon;
    while (analyticDelta(hi, epsilon) > delta) {
      hi *= 2;
    }
    double lo = hi;
    do {
      lo /= 2;
    } while (analyticDelta(lo, epsilon) <= delta && lo > 1e-300);
    return bisectRatio(lo, hi, s -> analyticDelta(s, epsilon) <= delta);
  }

  /** The smallest σ/Δ (never below) for which the discrete Gaussian's zCDP certificate gives δ. */
  static double cdpRatio(double epsilon, double delta) {
    double hi = Math.max(1, 2 / epsilon);
    while (!cdpHolds(1, hi, epsilon, delta)) {
      hi *= 2;
    }
    double lo = hi;
    do {
      lo /= 2;
    } while (cdpHolds(1, lo, epsilon, delta) && lo > 1e-300);
    return bisectRatio(lo, hi, s -> cdpHolds(1, s, epsilon, delta));
  }

  private static double bisectRatio(double lo, double hi, java.util.function.DoublePredicate ok) {
    for (int i = 0; i < 200; i++) {
      double mid = lo + (hi - lo) / 2;
      if (mid <= lo || mid >= hi) {
        break;
      }
      if (ok.test(mid)) {
        hi = mid;
      } else {
        lo = mid;
      }
    }
    return hi;
  }
}
