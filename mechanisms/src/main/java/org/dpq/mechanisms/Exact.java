package org.dpq.mechanisms;

import java.math.BigDecimal;

/** Exact conversions between doubles and decimals with a chosen rounding direction (no privacy property). */
final class Exact {
  private Exact() {}

  /** The exact value of a finite double. */
  static BigDecimal of(double value) {
    return new BigDecimal(value);
  }

  /** The smallest double {@code >= value}. */
  static double toDoubleUp(BigDecimal value) {
    double d = value.doubleValue();
    if (new BigDecimal(d).compareTo(value) < 0) {
      d = Math.nextUp(d);
    }
    return d;
  }

  /** The largest double {@code <= value}. */
  static double toDoubleDown(BigDecimal value) {
    double d = value.doubleValue();
    if (new BigDecimal(d).compareTo(value) > 0) {
      d = Math.nextDown(d);
    }
    return d;
  }

  /** {@code a / b} rounded up, for positive finite doubles. */
  static double divideUp(double a, double b) {
    return toDoubleUp(of(a).divide(of(b), Ratio.UP));
  }
}
