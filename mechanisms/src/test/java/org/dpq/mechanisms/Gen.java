package org.dpq.mechanisms;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/** Generators for parameters that span many orders of magnitude. */
final class Gen {
  private Gen() {}

  /** Log-uniform doubles in {@code [lo, hi]}. */
  static Arbitrary<Double> logUniform(double lo, double hi) {
    double span = Math.log(hi / lo);
    return Arbitraries.integers().between(0, 1 << 20)
        .map(i -> Math.min(hi, Math.max(lo, lo * Math.exp(span * i / (1 << 20)))));
  }
}
