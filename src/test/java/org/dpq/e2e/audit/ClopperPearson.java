package org.dpq.e2e.audit;

import org.apache.commons.math3.distribution.BetaDistribution;

/**
 * Exact (Clopper-Pearson) one-sided confidence bounds for a binomial proportion, from Beta quantiles; k = 0 and
 * k = n have the closed forms 0 and 1 at the open end.
 */
public final class ClopperPearson {
  /** Absolute accuracy of the Beta quantiles (the library default, 1e-9, is coarser than the bounds need). */
  private static final double ACCURACY = 1e-14;

  private ClopperPearson() {}

  /** A lower bound on p that holds with probability at least {@code 1 - alpha}, from k successes in n trials. */
  public static double lower(long k, long n, double alpha) {
    check(k, n, alpha);
    if (k == 0) {
      return 0;
    }
    return new BetaDistribution(null, k, n - k + 1, ACCURACY).inverseCumulativeProbability(alpha);
  }

  /** An upper bound on p that holds with probability at least {@code 1 - alpha}, from k successes in n trials. */
  public static double upper(long k, long n, double alpha) {
    check(k, n, alpha);
    if (k == n) {
      return 1;
    }
    return new BetaDistribution(null, k + 1, n - k, ACCURACY).inverseCumulativeProbability(1 - alpha);
  }

  private static void check(long k, long n, double alpha) {
    if (n < 1 || k < 0 || k > n || !(alpha > 0 && alpha < 1)) {
      throw new IllegalArgumentException("need 0 <= k <= n, n >= 1 and alpha in (0, 1)");
    }
  }
}
