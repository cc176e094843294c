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

  /**
   * The smallest interval with integer ends that contains every integer this one contains, for values known to
   * be integers (counts, sums of integer columns). Ends within a few ulps of an integer are taken as that
   * integer, so floating-point error in {@code value +- h} never shows as {@code 1170.9999999999998} and never
   * widens the interval by one.
   */
  public Interval integral() {
    return new Interval(Math.floor(low + 4 * Math.ulp(low)), Math.ceil(high - 4 * Math.ulp(high)));
  }

  /** {@code [low, high]}, integers without a fraction ({@code [829, 1171]}). */
  @Override
  public String toString() {
    return "[" + text(low) + ", " + text(high) + "]";
  }

  private static String text(double v) {
    return v == Math.rint(v) && Math.abs(v) < 0x1p53 ? Long.toString((long) v) : Double.toString(v);
  }

  /** True when {@code low <= value <= high}. */
  public boolean contains(double value) {
    return low <= value && value <= high;
  }
}
