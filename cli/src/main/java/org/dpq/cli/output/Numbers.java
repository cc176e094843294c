package org.dpq.cli.output;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Locale;
import org.dpq.mechanisms.Interval;

/**
 * Formats released values: exactly for machines (CSV), and for people rounded to the precision their noise
 * allows ({@code 812 ± 9}, {@code 41.37 ± 0.52}).
 */
public final class Numbers {
  private static final int MAX_DECIMALS = 10;

  private Numbers() {}

  /** A released value as an exact token: integers as is, doubles in plain notation, NULL as the empty string. */
  public static String exact(Object value) {
    if (value == null) {
      return "";
    }
    if (value instanceof Double || value instanceof Float) {
      return exactDouble(((Number) value).doubleValue());
    }
    if (value instanceof BigDecimal b) {
      return b.toPlainString();
    }
    return String.valueOf(value);
  }

  /** A double in plain (non-scientific) notation; NaN and infinities by name. */
  public static String exactDouble(double d) {
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      return Double.toString(d);
    }
    String s = Double.toString(d);
    return s.indexOf('E') < 0 ? s : new BigDecimal(s).stripTrailingZeros().toPlainString();
  }

  /** True for values printed right-aligned. */
  public static boolean isNumber(Object value) {
    return value instanceof Number;
  }

  /** True for integer-valued types (counts). */
  public static boolean isIntegral(Object value) {
    return value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte
        || value instanceof BigInteger;
  }

  /**
   * Decimals that show a value to the precision of its noise: two significant digits of the half-width
   * ({@code 9.87 -> 1}, {@code 0.0123 -> 3}, {@code 123 -> 0}).
   */
  public static int decimalsFor(double halfWidth) {
    if (!(halfWidth > 0) || Double.isInfinite(halfWidth)) {
      return 0;
    }
    int d = 1 - (int) Math.floor(Math.log10(halfWidth));
    return Math.max(0, Math.min(MAX_DECIMALS, d));
  }

  /** A value for people; NULL shown as {@code NULL}. With a noise interval, rounded to its precision. */
  public static String human(Object value, Interval ci) {
    if (value == null) {
      return "NULL";
    }
    if (!(value instanceof Number n) || isIntegral(value)) {
      return String.valueOf(value);
    }
    double d = n.doubleValue();
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      return Double.toString(d);
    }
    if (ci != null) {
      return fixed(d, decimalsFor(halfWidth(ci)));
    }
    return new BigDecimal(d).round(new MathContext(6, RoundingMode.HALF_EVEN)).stripTrailingZeros().toPlainString();
  }

  /** The +- part for people ({@code 9}, {@code 0.52}), or null when the value has no interval. */
  public static String humanHalfWidth(Object value, Interval ci) {
    if (ci == null || !(value instanceof Number)) {
      return null;
    }
    double half = halfWidth(ci);
    int decimals = isIntegral(value) && half >= 1 ? 0 : decimalsFor(half);
    return fixed(half, decimals);
  }

  /** True when the interval is centred on the value (so {@code value ± half} describes it). */
  public static boolean centred(Object value, Interval ci) {
    if (!(value instanceof Number n)) {
      return false;
    }
    double mid = (ci.low() + ci.high()) / 2;
    double tolerance = 1e-9 * Math.max(1, Math.max(Math.abs(mid), halfWidth(ci)));
    return Math.abs(n.doubleValue() - mid) <= tolerance;
  }

  /** The interval for people, e.g. {@code [0, 12.5]}, rounded like its value. */
  public static String humanInterval(Object value, Interval ci) {
    int decimals = isIntegral(value) && halfWidth(ci) >= 1 ? 0 : decimalsFor(halfWidth(ci));
    return "[" + fixed(ci.low(), decimals) + ", " + fixed(ci.high(), decimals) + "]";
  }

  /** Half the interval's width. */
  public static double halfWidth(Interval ci) {
    return (ci.high() - ci.low()) / 2;
  }

  private static String fixed(double d, int decimals) {
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      return Double.toString(d);
    }
    return String.format(Locale.ROOT, "%." + decimals + "f", d);
  }
}
