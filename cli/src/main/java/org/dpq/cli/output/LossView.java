package org.dpq.cli.output;

import java.math.BigDecimal;
import org.dpq.client.Wire;
import org.dpq.mechanisms.PrivacyLoss;

/**
 * A privacy loss as printed: epsilon and delta as exact decimal strings in plain notation without trailing
 * zeros (e.g. {@code "0.5"}, {@code "0.0000001"}), so that budgets survive JSON and CSV without rounding.
 *
 * @param epsilon exact epsilon
 * @param delta exact delta
 */
public record LossView(String epsilon, String delta) {

  /** The printed form of a loss. */
  public static LossView of(PrivacyLoss loss) {
    return new LossView(plain(loss.epsilon()), plain(loss.delta()));
  }

  /** Exact plain notation without trailing zeros. */
  public static String plain(BigDecimal value) {
    return Wire.plain(value);
  }

  /**
   * Human form for tables, e.g. {@code epsilon 0.5, delta 1e-7}; a value with more than 10 significant digits
   * (an exact share such as 0.16666666666666666666) is shown rounded, as {@code ~0.166667}.
   */
  public String text() {
    return "epsilon " + human(epsilon) + ", delta " + human(delta);
  }

  /** One exact decimal string for people: short values as they are, long ones rounded, tiny ones as 1e-7. */
  public static String human(String exact) {
    BigDecimal d = new BigDecimal(exact);
    String approx = "";
    if (d.signum() != 0 && d.stripTrailingZeros().precision() > 10) {
      d = d.round(new java.math.MathContext(6, java.math.RoundingMode.HALF_EVEN));
      approx = "~";
    }
    if (d.signum() != 0 && d.compareTo(new BigDecimal("0.001")) < 0) {
      BigDecimal s = d.stripTrailingZeros(); // 1e-7 reads better than 0.0000001
      int exponent = s.precision() - s.scale() - 1;
      return approx + s.scaleByPowerOfTen(-exponent).toPlainString() + "e" + exponent;
    }
    return approx + plain(d);
  }
}
