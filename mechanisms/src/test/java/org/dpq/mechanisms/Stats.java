package org.dpq.mechanisms;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import java.util.function.LongToDoubleFunction;
import org.apache.commons.math3.distribution.BetaDistribution;
import org.apache.commons.math3.stat.inference.ChiSquareTest;

/** Test-side statistics: binned chi-square goodness of fit and Clopper-Pearson bounds with exact edges. */
final class Stats {
  private Stats() {}

  /** Counts of each integer value. */
  static Map<Long, Long> histogram(long n, LongSupplier draw) {
    Map<Long, Long> counts = new TreeMap<>();
    for (long i = 0; i < n; i++) {
      counts.merge(draw.getAsLong(), 1L, Long::sum);
    }
    return counts;
  }

  /**
   * The chi-square p-value of integer samples against a pmf: values with expected count of at least 5 get
   * a bin each (scanning outwards from 0 while the pmf is large enough), everything else falls into the two
   * tail bins, which are merged inwards until each expects at least 5.
   */
  static double chiSquarePValue(Map<Long, Long> counts, long n, LongToDoubleFunction pmf) {
    // central range: the contiguous integers around 0 whose expected count is >= 5
    long lo = 0;
    while (pmf.applyAsDouble(lo - 1) * n >= 5) {
      lo--;
    }
    long hi = 0;
    while (pmf.applyAsDouble(hi + 1) * n >= 5) {
      hi++;
    }
    List<Double> expected = new ArrayList<>();
    List<Long> observed = new ArrayList<>();
    double centralMass = 0;
    for (long z = lo; z <= hi; z++) {
      double p = pmf.applyAsDouble(z);
      centralMass += p;
      expected.add(p * n);
      observed.add(counts.getOrDefault(z, 0L));
    }
    // tails: by symmetry each gets half of the remaining mass (both pmfs tested here are symmetric)
    double tailMass = Math.max(0, 1 - centralMass) / 2;
    long below = 0;
    long above = 0;
    for (Map.Entry<Long, Long> entry : counts.entrySet()) {
      if (entry.getKey() < lo) {
        below += entry.getValue();
      } else if (entry.getKey() > hi) {
        above += entry.getValue();
      }
    }
    if (tailMass * n >= 5) {
      expected.add(0, tailMass * n);
      observed.add(0, below);
      expected.add(tailMass * n);
      observed.add(above);
    } else {
      // fold the tails into the outermost central bins
      expected.set(0, expected.get(0) + tailMass * n);
      observed.set(0, observed.get(0) + below);
      int last = expected.size() - 1;
      expected.set(last, expected.get(last) + tailMass * n);
      observed.set(last, observed.get(last) + above);
    }
    if (expected.size() < 2) {
      throw new IllegalStateException("too few bins for a chi-square test");
    }
    double[] e = expected.stream().mapToDouble(Double::doubleValue).toArray();
    long[] o = observed.stream().mapToLong(Long::longValue).toArray();
    return new ChiSquareTest().chiSquareTest(e, o);
  }

  /** Clopper-Pearson lower bound at one-sided level alpha; 0 when k = 0. */
  static double clopperPearsonLower(long k, long n, double alpha) {
    if (k == 0) {
      return 0;
    }
    return new BetaDistribution(null, k, n - k + 1, 1e-15).inverseCumulativeProbability(alpha);
  }

  /** Clopper-Pearson upper bound at one-sided level alpha; 1 when k = n. */
  static double clopperPearsonUpper(long k, long n, double alpha) {
    if (k == n) {
      return 1;
    }
    return new BetaDistribution(null, k + 1, n - k, 1e-15).inverseCumulativeProbability(1 - alpha);
  }
}
