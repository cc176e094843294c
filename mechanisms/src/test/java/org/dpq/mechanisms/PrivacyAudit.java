package org.dpq.mechanisms;

import java.util.Arrays;
import java.util.function.DoubleSupplier;

/**
 * An empirical privacy audit: runs a mechanism on two neighbouring inputs, counts threshold events
 * {@code {y >= c}} and {@code {y <= c}} on each, and turns Clopper-Pearson bounds into a lower confidence
 * bound on epsilon: for every event E, (epsilon, delta)-DP implies
 * {@code P_x(E) <= e^epsilon P_x'(E) + delta} in both directions, so
 * {@code epsilon >= ln((lower(P_x(E)) - delta) / upper(P_x'(E)))} with the stated confidence.
 * Bonferroni over all events and bounds keeps the overall error probability at most {@code alpha}.
 */
final class PrivacyAudit {
  private PrivacyAudit() {}

  /** The largest lower confidence bound on epsilon over all events (0 when no event gives evidence). */
  static double epsilonLowerBound(DoubleSupplier onX, DoubleSupplier onNeighbour, int n, double delta,
      double[] cuts, double alpha) {
    double[] x = draw(onX, n);
    double[] y = draw(onNeighbour, n);
    int bounds = cuts.length * 2 * 2 * 2; // events (>= and <=) x directions x (lower, upper)
    double a = alpha / bounds;
    double best = 0;
    for (double c : cuts) {
      for (boolean upperEvent : new boolean[] {true, false}) {
        long kx = count(x, c, upperEvent);
        long ky = count(y, c, upperEvent);
        best = Math.max(best, bound(kx, ky, n, delta, a));
        best = Math.max(best, bound(ky, kx, n, delta, a));
      }
    }
    return best;
  }

  private static double bound(long kNum, long kDen, int n, double delta, double a) {
    double lower = Stats.clopperPearsonLower(kNum, n, a) - delta;
    double upper = Stats.clopperPearsonUpper(kDen, n, a);
    if (lower <= 0) {
      return 0;
    }
    return Math.log(lower / upper);
  }

  private static double[] draw(DoubleSupplier s, int n) {
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = s.getAsDouble();
    }
    Arrays.sort(out);
    return out;
  }

  /** Number of sorted values >= c (upperEvent) or <= c. */
  private static long count(double[] sorted, double c, boolean upperEvent) {
    int lo = 0;
    int hi = sorted.length;
    if (upperEvent) { // first index with value >= c
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (sorted[mid] >= c) {
          hi = mid;
        } else {
          lo = mid + 1;
        }
      }
      return sorted.length - lo;
    }
    while (lo < hi) { // first index with value > c
      int mid = (lo + hi) >>> 1;
      if (sorted[mid] > c) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }
}
