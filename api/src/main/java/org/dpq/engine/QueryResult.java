package org.dpq.engine;

import java.util.List;
import java.util.Optional;
import org.dpq.mechanisms.Interval;
import org.dpq.mechanisms.PrivacyLoss;

/**
 * A released answer: only noisy aggregates and keys that passed public domains or partition selection, the
 * privacy loss charged for it, and what remains of the dataset's budget. Everything in it is safe to show.
 *
 * @param columns output column names
 * @param rows released rows, each with one cell per column
 * @param cost the loss charged for this answer (zero when {@code reused})
 * @param remaining the dataset's remaining budget after this answer
 * @param reused true when this is the stored answer of an identical earlier query (no charge)
 * @param ledgerSequence the ledger entry of the charge that paid for this answer
 */
public record QueryResult(List<String> columns, List<List<Cell>> rows, PrivacyLoss cost, PrivacyLoss remaining,
    boolean reused, long ledgerSequence) {

  public QueryResult {
    columns = List.copyOf(columns);
    rows = rows.stream().map(List::copyOf).toList();
  }

  /** The released value at a row and column, for convenience. */
  public Object value(int row, int column) {
    return rows.get(row).get(column).value();
  }

  /** The released value at a row and named column (case-insensitive). */
  public Object value(int row, String column) {
    return value(row, columnIndex(column));
  }

  /** The index of a named column (case-insensitive). */
  public int columnIndex(String column) {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).equalsIgnoreCase(column)) {
        return i;
      }
    }
    throw new IllegalArgumentException("no column '" + column + "' in the result; columns are " + columns);
  }

  /**
   * An integer value (a count, a sum of an integer column, an integer key), or null for NULL. A double is
   * accepted only when it is a whole number.
   *
   * @throws IllegalStateException when the value is not an integer (e.g. an average)
   */
  public Long getLong(int row, int column) {
    Object v = value(row, column);
    if (v == null || v instanceof Long) {
      return (Long) v;
    }
    if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 0x1p63) {
      return d.longValue();
    }
    throw notA("an integer", row, column, v);
  }

  public Long getLong(int row, String column) {
    return getLong(row, columnIndex(column));
  }

  /**
   * A numeric value as a double (any count, sum, average, variance or numeric key), or null for NULL.
   *
   * @throws IllegalStateException when the value is not a number
   */
  public Double getDouble(int row, int column) {
    Object v = value(row, column);
    if (v == null) {
      return null;
    }
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    throw notA("a number", row, column, v);
  }

  public Double getDouble(int row, String column) {
    return getDouble(row, columnIndex(column));
  }

  /** The value's text (keys of any type, numbers in Java's notation), or null for NULL. */
  public String getString(int row, int column) {
    Object v = value(row, column);
    return v == null ? null : v.toString();
  }

  public String getString(int row, String column) {
    return getString(row, columnIndex(column));
  }

  /** The 95% noise interval of a released value; empty for keys and values without a derived interval. */
  public Optional<Interval> interval(int row, int column) {
    return rows.get(row).get(column).interval();
  }

  public Optional<Interval> interval(int row, String column) {
    return interval(row, columnIndex(column));
  }

  private IllegalStateException notA(String kind, int row, int column, Object v) {
    // Only the type is named: released values are safe to show, but an error message is not the place.
    return new IllegalStateException("column '" + columns.get(column) + "' (row " + row + ") holds a "
        + v.getClass().getSimpleName() + ", not " + kind);
  }
}
