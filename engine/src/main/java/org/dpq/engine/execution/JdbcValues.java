package org.dpq.engine.execution;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * Normalizes the Java values JDBC drivers return for aggregate cells so that the release step sees few types:
 * integers of any width (and decimals without fraction digits) become {@link Long} when they fit, decimals
 * with fraction digits become {@link Double} when exactly representable, dates become {@link java.time.LocalDate};
 * anything that would lose precision is kept as it is. Owns no privacy property: it keeps
 * bounded aggregates exact on their way to the noise.
 */
final class JdbcValues {
  private JdbcValues() {}

  static Object normalize(Object v) {
    if (v == null || v instanceof Long || v instanceof Double || v instanceof String || v instanceof Boolean) {
      return v;
    }
    if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof Float f) {
      return f.doubleValue();
    }
    if (v instanceof BigInteger b) {
      return b.bitLength() < Long.SIZE ? (Object) b.longValue() : b;
    }
    if (v instanceof BigDecimal d) {
      return decimal(d);
    }
    if (v instanceof java.sql.Date date) {
      return date.toLocalDate(); // PostgreSQL's and Spark's dates as DuckDB's: a date key is a LocalDate everywhere
    }
    return v;
  }

  /** A decimal without fraction digits becomes a Long when it fits; one with them a Double when exact. */
  private static Object decimal(BigDecimal d) {
    if (d.scale() <= 0) {
      try {
        return d.longValueExact();
      } catch (ArithmeticException e) {
        return d;
      }
    }
    double x = d.doubleValue();
    if (Double.isFinite(x) && new BigDecimal(x).compareTo(d) == 0) {
      return x;
    }
    return d;
  }

  /** Every row of {@code r}, each value normalised (the shape {@link Backend#execute} returns). */
  static java.util.List<Object[]> rows(java.sql.ResultSet r) throws java.sql.SQLException {
    int n = r.getMetaData().getColumnCount();
    java.util.List<Object[]> rows = new java.util.ArrayList<>();
    while (r.next()) {
      Object[] row = new Object[n];
      for (int i = 0; i < n; i++) {
        row[i] = normalize(r.getObject(i + 1));
      }
      rows.add(row);
    }
    return rows;
  }
}
