package org.dpq.mechanisms;

import java.util.Locale;

/**
 * What an analyst asked for (Laplace, Gaussian or automatic). Owns the rule that the choice is
 * made from public parameters only (sensitivities, epsilon, delta), never from data; see
 * {@link Calibration#choose}.
 */
public enum MechanismChoice {
  /** Always Laplace (pure DP). */
  LAPLACE,
  /** Always Gaussian; needs delta &gt; 0. */
  GAUSSIAN,
  /** The mechanism with the smaller noise variance; Laplace when delta is 0. */
  AUTO;

  /**
   * Parses {@code laplace}, {@code gaussian} or {@code auto}, ignoring case and surrounding blanks.
   *
   * @throws IllegalArgumentException naming the accepted values when the text is none of them
   */
  public static MechanismChoice parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("mechanism is missing; use one of: laplace, gaussian, auto");
    }
    String t = text.strip().toUpperCase(Locale.ROOT);
    for (MechanismChoice c : values()) {
      if (c.name().equals(t)) {
        return c;
      }
    }
    throw new IllegalArgumentException("unknown mechanism '" + shorten(text.strip())
        + "'; use one of: laplace, gaussian, auto");
  }

  private static String shorten(String s) {
    return s.length() <= 20 ? s : s.substring(0, 20) + "...";
  }
}
