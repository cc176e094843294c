package org.dpq.mechanisms;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.dpq.errors.InvalidPrivacyParameterException;

/**
 * An exact (epsilon, delta) privacy loss. Owns the arithmetic half of invariant 4: values are exact
 * decimals, invalid parameters are rejected at construction, composition is an exact sum, and a split never
 * hands out more than the whole.
 *
 * <p>Epsilon must be finite, at least 2^-50 and at most {@value #MAX_EPSILON_TEXT}. Delta is either exactly 0
 * (pure DP) or in {@code [2^-50, 1)}. The unit {@link #ZERO} (no loss) exists for sums and remainders only and
 * is never accepted as a request.
 */
public record PrivacyLoss(BigDecimal epsilon, BigDecimal delta) implements Comparable<PrivacyLoss> {
  /** The smallest epsilon or non-zero delta accepted: 2^-50. */
  public static final BigDecimal MIN_VALUE = BigDecimal.ONE.divide(BigDecimal.valueOf(2).pow(50));

  static final String MAX_EPSILON_TEXT = "100";

  /** The largest epsilon accepted for one request; anything larger offers no meaningful protection. */
  public static final BigDecimal MAX_EPSILON = new BigDecimal(MAX_EPSILON_TEXT);

  /** No loss at all; the identity of {@link #plus}. */
  public static final PrivacyLoss ZERO = new PrivacyLoss(BigDecimal.ZERO, BigDecimal.ZERO);

  /**
   * Checks only what holds for every loss, sums and remainders included: non-null and non-negative. Requests
   * must come through {@link #of} or {@link #parse}, which apply the full validation.
   */
  public PrivacyLoss {
    Objects.requireNonNull(epsilon, "epsilon");
    Objects.requireNonNull(delta, "delta");
    if (epsilon.signum() < 0 || delta.signum() < 0) {
      throw new InvalidPrivacyParameterException("a privacy loss cannot be negative");
    }
  }

  /** Re-applies the request validation of {@link #of} (for values that arrive as records, e.g. from storage). */
  public PrivacyLoss validatedRequest() {
    return of(epsilon, delta);
  }

  /** A validated request-sized loss from doubles (as typed by an analyst). */
  public static PrivacyLoss of(double epsilon, double delta) {
    return of(decimal("epsilon", epsilon), decimal("delta", delta));
  }

  /** A validated request-sized loss from decimal text (as in YAML or on the command line). */
  public static PrivacyLoss parse(String epsilon, String delta) {
    return of(parseDecimal("epsilon", epsilon), parseDecimal("delta", delta));
  }

  /** A validated request-sized loss. */
  public static PrivacyLoss of(BigDecimal epsilon, BigDecimal delta) {
    validateEpsilon(epsilon);
    validateDelta(delta);
    return new PrivacyLoss(epsilon, delta);
  }

  /**
   * A validated total budget: like {@link #of} but epsilon may exceed {@link #MAX_EPSILON} (a dataset's
   * lifetime budget may be larger than any single request).
   */
  public static PrivacyLoss budget(BigDecimal epsilon, BigDecimal delta) {
    validateEpsilonRange(epsilon, null);
    validateDelta(delta);
    return new PrivacyLoss(epsilon, delta);
  }

  /** Exact basic composition. */
  public PrivacyLoss plus(PrivacyLoss other) {
    return new PrivacyLoss(epsilon.add(other.epsilon), delta.add(other.delta));
  }

  /** Exact difference; fails if it would go negative in either coordinate. */
  public PrivacyLoss minus(PrivacyLoss other) {
    return new PrivacyLoss(epsilon.subtract(other.epsilon), delta.subtract(other.delta));
  }

  /** True when both coordinates of this are at most those of {@code other}. */
  public boolean fitsWithin(PrivacyLoss other) {
    return epsilon.compareTo(other.epsilon) <= 0 && delta.compareTo(other.delta) <= 0;
  }

  /** True when delta is exactly zero (pure DP). */
  public boolean isPure() {
    return delta.signum() == 0;
  }

  /**
   * Splits this loss into {@code k} equal parts, each rounded down to 20 significant digits, so that the
   * parts never add up to more than the whole.
   *
   * @throws IllegalArgumentException when {@code k < 1}
   */
  public List<PrivacyLoss> split(int k) {
    if (k < 1) {
      throw new IllegalArgumentException("a privacy loss must be split into at least 1 part (got " + k + ")");
    }
    double[] weights = new double[k];
    java.util.Arrays.fill(weights, 1.0);
    return splitWeighted(weights);
  }

  /**
   * Splits this loss in proportion to positive {@code weights}; each part is rounded down, so the parts
   * never add up to more than the whole. A part of delta is zero when the whole delta is zero.
   */
  public List<PrivacyLoss> splitWeighted(double... weights) {
    if (weights.length == 0) {
      throw new IllegalArgumentException("cannot split a privacy loss into zero parts");
    }
    BigDecimal total = BigDecimal.ZERO;
    for (double w : weights) {
      if (!(w > 0) || Double.isInfinite(w)) {
        throw new IllegalArgumentException("split weights must be positive and finite");
      }
      total = total.add(new BigDecimal(w));
    }
    MathContext down = new MathContext(20, RoundingMode.DOWN);
    List<PrivacyLoss> parts = new ArrayList<>(weights.length);
    for (double w : weights) {
      // one rounding (down) of the exact share w/total of each coordinate: exact when it divides evenly
      BigDecimal weight = new BigDecimal(w);
      parts.add(new PrivacyLoss(epsilon.multiply(weight).divide(total, down), delta.multiply(weight).divide(total, down)));
    }
    return List.copyOf(parts);
  }

  /** Epsilon as a double, for calibration (rounded towards zero so that noise is never too small). */
  public double epsilonDouble() {
    return towardZero(epsilon);
  }

  /** Delta as a double, for calibration (rounded towards zero so that noise is never too small). */
  public double deltaDouble() {
    return towardZero(delta);
  }

  @Override
  public int compareTo(PrivacyLoss other) {
    int c = epsilon.compareTo(other.epsilon);
    return c != 0 ? c : delta.compareTo(other.delta);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PrivacyLoss p && epsilon.compareTo(p.epsilon) == 0 && delta.compareTo(p.delta) == 0;
  }

  @Override
  public int hashCode() {
    return Objects.hash(epsilon.stripTrailingZeros(), delta.stripTrailingZeros());
  }

  @Override
  public String toString() {
    // Plain decimals without trailing zeros (0.5, 0.0000001; never 1E-7 or 0.50000000000000000000): budgets are
    // exact decimals and are read by people. The values themselves keep their scale.
    return "(epsilon=" + plain(epsilon) + ", delta=" + plain(delta) + ")";
  }

  private static String plain(BigDecimal value) {
    return value.signum() == 0 ? "0" : value.stripTrailingZeros().toPlainString();
  }

  private static double towardZero(BigDecimal value) {
    double d = value.doubleValue();
    if (d > 0 && new BigDecimal(d).compareTo(value) > 0) {
      d = Math.nextDown(d);
    }
    return d;
  }

  private static BigDecimal decimal(String name, double value) {
    if (Double.isNaN(value)) {
      throw new InvalidPrivacyParameterException(name + " is NaN; give a positive finite number such as 0.5");
    }
    if (Double.isInfinite(value)) {
      throw new InvalidPrivacyParameterException(name + " is infinite; give a positive finite number such as 0.5");
    }
    return new BigDecimal(Double.toString(value));
  }

  private static BigDecimal parseDecimal(String name, String text) {
    if (text == null || text.isBlank()) {
      throw new InvalidPrivacyParameterException(name + " is missing; give a positive finite number such as 0.5");
    }
    String t = text.strip();
    String lower = t.toLowerCase(java.util.Locale.ROOT);
    if (lower.contains("nan")) {
      throw new InvalidPrivacyParameterException(name + " is NaN; give a positive finite number such as 0.5");
    }
    if (lower.contains("inf")) {
      throw new InvalidPrivacyParameterException(name + " is infinite; give a positive finite number such as 0.5");
    }
    try {
      if (t.length() > 64) {
        throw new NumberFormatException();
      }
      return new BigDecimal(t);
    } catch (NumberFormatException e) {
      throw new InvalidPrivacyParameterException(name + " is not a number; give a positive finite number such as 0.5");
    }
  }

  private static void validateEpsilon(BigDecimal epsilon) {
    validateEpsilonRange(epsilon, MAX_EPSILON);
  }

  private static void validateEpsilonRange(BigDecimal epsilon, BigDecimal max) {
    if (epsilon.signum() <= 0) {
      throw new InvalidPrivacyParameterException("epsilon must be > 0 (got a value <= 0); use a positive value, typically 0.1 to 1");
    }
    if (epsilon.compareTo(MIN_VALUE) < 0) {
      throw new InvalidPrivacyParameterException("epsilon is below 2^-50; such noise would drown any answer. Use at least 1e-6");
    }
    if (max != null && epsilon.compareTo(max) > 0) {
      throw new InvalidPrivacyParameterException("epsilon above " + max.toPlainString()
          + " gives no meaningful protection; use a value of at most " + max.toPlainString());
    }
  }

  private static void validateDelta(BigDecimal delta) {
    if (delta.signum() < 0) {
      throw new InvalidPrivacyParameterException("delta must be >= 0 (0 for pure DP); got a negative value");
    }
    if (delta.signum() > 0 && delta.compareTo(MIN_VALUE) < 0) {
      throw new InvalidPrivacyParameterException("delta is positive but below 2^-50; use 0 (pure DP) or at least 1e-15");
    }
    if (delta.compareTo(BigDecimal.ONE) >= 0) {
      throw new InvalidPrivacyParameterException("delta must be < 1; a typical value is below 1/(number of people), e.g. 1e-7");
    }
  }
}
