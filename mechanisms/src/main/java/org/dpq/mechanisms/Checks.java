package org.dpq.mechanisms;

import org.dpq.errors.InvalidPrivacyParameterException;

/** Argument checks shared by the mechanisms; each message names the problem and the fix. */
final class Checks {
  /** The smallest epsilon a mechanism accepts (below a request's 2^-50 so that splits of it still work). */
  static final double MIN_EPSILON = 0x1p-60;
  /** The smallest positive delta a mechanism accepts (likewise below a request's 2^-50). */
  static final double MIN_DELTA = 0x1p-60;

  private Checks() {}

  static void epsilon(double epsilon) {
    if (Double.isNaN(epsilon) || Double.isInfinite(epsilon)) {
      throw new InvalidPrivacyParameterException("epsilon is not a finite number; give a positive number such as 0.5");
    }
    if (epsilon <= 0) {
      throw new InvalidPrivacyParameterException("epsilon must be > 0; a typical value is 0.1 to 1");
    }
    if (epsilon < MIN_EPSILON) {
      throw new InvalidPrivacyParameterException("epsilon is below 2^-60; use at least 1e-6");
    }
    if (epsilon > PrivacyLoss.MAX_EPSILON.doubleValue()) {
      throw new InvalidPrivacyParameterException("epsilon above " + PrivacyLoss.MAX_EPSILON.toPlainString()
          + " gives no meaningful protection; use a smaller epsilon");
    }
  }

  static void positiveDelta(double delta) {
    if (Double.isNaN(delta) || Double.isInfinite(delta)) {
      throw new InvalidPrivacyParameterException("delta is not a finite number; give a value such as 1e-7");
    }
    if (delta <= 0) {
      throw new InvalidPrivacyParameterException(
          "delta must be > 0 here (this needs approximate DP); give a value such as 1e-7, or use Laplace for delta = 0");
    }
    if (delta < MIN_DELTA) {
      throw new InvalidPrivacyParameterException("delta is below 2^-60; use at least 1e-15");
    }
    if (delta >= 1) {
      throw new InvalidPrivacyParameterException("delta must be < 1; a typical value is below 1/(number of people), e.g. 1e-7");
    }
  }

  static void sensitivity(String name, double value) {
    if (!(value >= Grid.MIN_MAGNITUDE && value <= Grid.MAX_MAGNITUDE)) {
      throw new IllegalArgumentException(name + " sensitivity must be a finite number in [2^-900, 2^900] (got "
          + (Double.isNaN(value) ? "NaN" : value <= 0 ? "a value <= 0" : "a value out of range")
          + "); check the column bounds and contribution limits");
    }
  }

  static void finiteValue(double value) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      throw new IllegalArgumentException("cannot add noise to NaN or an infinite value; clamp it to the column bounds first");
    }
  }
}
