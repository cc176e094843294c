package org.dpq.mechanisms;

import java.util.Locale;

/** What an analyst may ask for: Laplace, Gaussian, or whichever has the smaller variance. */
public enum MechanismChoice {
  LAPLACE, GAUSSIAN, AUTO;

  /** Parses a choice case-insensitively. */
  public static MechanismChoice parse(String text) {
    try {
      return valueOf(text.strip().toUpperCase(Locale.ROOT));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("unknown mechanism; use one of laplace, gaussian, auto");
    }
  }
}
