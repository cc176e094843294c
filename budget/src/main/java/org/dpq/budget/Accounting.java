package org.dpq.budget;

import java.util.Locale;

/**
 * How a dataset's ledger composes the losses of its queries. Owns the choice of composition theorem; a dataset's
 * accounting is fixed by its INIT entry and cannot change once its ledger has entries.
 *
 * <ul>
 *   <li>{@link #BASIC}: (epsilon, delta) basic composition, exact decimals; the ledger's columns hold epsilon and
 *       delta. The default.
 *   <li>{@link #ZCDP}: zero-concentrated DP (Bun and Steinke 2016). The ledger's epsilon columns hold rho: the
 *       total is the largest rho whose (epsilon, delta) conversion fits the officer's budget (rounded down), each
 *       charge is the sum of its measurements' rho (rounded up), and the delta columns of the total hold the delta
 *       at which rho is converted back; charges carry delta 0. See {@link Zcdp}.
 * </ul>
 */
public enum Accounting {
  /** (epsilon, delta) basic composition. */
  BASIC,
  /** Zero-concentrated DP: losses are rho, composed by addition, converted to (epsilon, delta) for display. */
  ZCDP;

  /** The name written in YAML and in ledger notes: {@code basic} or {@code zcdp}. */
  public String yamlName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The accounting named {@code text} ({@code basic} or {@code zcdp}, any case); null when it names none. */
  public static Accounting parse(String text) {
    if (text == null) {
      return null;
    }
    for (Accounting a : values()) {
      if (a.yamlName().equalsIgnoreCase(text.trim())) {
        return a;
      }
    }
    return null;
  }

  /** The note an INIT or CHARGE entry of a zCDP chain carries (hashed with the entry); null for BASIC. */
  String entryNote() {
    return this == ZCDP ? "accounting: zcdp" : null;
  }
}
