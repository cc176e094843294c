package org.dpq.mechanisms;

/**
 * A closed interval {@code [low, high]}, e.g. a confidence interval around a released value. Owns no privacy
 * property: it is computed from public noise parameters and a released (already private) value only.
 */
public record Interval(double low, double high) {
  public Interval {
    if (Double.isNaN(low) || Double.isNaN(high) || low > high) {
      throw new IllegalArgumentException("an interval needs low <= high (got low > high or NaN)");
    }
  }

  /** {@code high - low}. */
  public double width() {
    return high - low;
  }

  /** True when {@code low <= value <= high}. */
  public boolean contains(double value) {
    return low <= value && value <= high;
  }
}
