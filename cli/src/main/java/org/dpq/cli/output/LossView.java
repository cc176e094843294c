package org.dpq.cli.output;

import java.math.BigDecimal;
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
    if (value.signum() == 0) {
      return "0";
    }
    return value.stripTrailingZeros().toPlainString();
  }

  /** Human form for tables, e.g. {@code epsilon 0.5, delta 1.0E-7}. */
  public String text() {
    return "epsilon " + epsilon + ", delta " + deltaText();
  }

  private String deltaText() {
    BigDecimal d = new BigDecimal(delta);
    if (d.signum() != 0 && d.compareTo(new BigDecimal("0.001")) < 0) {
      BigDecimal s = d.stripTrailingZeros(); // 1e-7 reads better than 0.0000001
      int exponent = s.precision() - s.scale() - 1;
      return s.scaleByPowerOfTen(-exponent).toPlainString() + "e" + exponent;
    }
    return delta;
  }
}
