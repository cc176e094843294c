package org.dpq.engine.execution;

import java.util.List;
import org.dpq.engine.catalog.ColumnType;

/**
 * How many of one column's non-empty source cells did not convert to the declared type (and so read as NULL).
 * Counts only, never a cell: owns the rule that a data owner learns that a column is misdeclared without any
 * value reaching a message.
 *
 * @param column the declared column
 * @param type its declared type
 * @param nonEmpty cells that are neither empty, blank nor the null text
 * @param unparsable those of them that do not convert to {@code type}
 */
public record UnparsableCells(String column, ColumnType type, long nonEmpty, long unparsable) {
  /** How an owner fixes a column with too many unparsable cells. */
  public static final String FIX = "Fix the declared type (e.g. double for amounts with cents), set "
      + "source.date_format for dates such as 31/12/2024, or raise source.max_unparsable_fraction to read such "
      + "cells as NULL";

  /** True when more than {@code maxFraction} of the non-empty cells do not convert. */
  public boolean exceeds(double maxFraction) {
    return unparsable > 0 && unparsable > maxFraction * nonEmpty;
  }

  /** {@code salary (int): 990 of 1000 non-empty cells}: names and counts only. */
  public String describe() {
    return column + " (" + type.name().toLowerCase(java.util.Locale.ROOT) + "): " + unparsable + " of " + nonEmpty
        + " non-empty cells";
  }

  /** The columns above the threshold, described on one line each. */
  static List<String> above(List<UnparsableCells> cells, double maxFraction) {
    return cells.stream().filter(c -> c.exceeds(maxFraction)).map(UnparsableCells::describe).toList();
  }
}
