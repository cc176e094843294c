package org.dpq.server.jdbc;

import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.avatica.ColumnMetaData;
import org.apache.calcite.avatica.MetaImpl;
import org.dpq.engine.Cell;
import org.dpq.engine.QueryResult;

/**
 * A released answer as JDBC rows. Holds only what the HTTP API's result holds: each released value in its column,
 * and for every column whose cells carry a 95% noise interval two more columns right after it, {@code <name>_low}
 * and {@code <name>_high} (the interval's ends; NULL in rows without one). A column's JDBC type follows its values:
 * BIGINT when all are integers, DOUBLE when any is fractional, BOOLEAN, else VARCHAR (dates and other keys as text).
 *
 * @param columns the result set's columns
 * @param rows one list of values per released row
 */
record JdbcResult(List<ColumnMetaData> columns, List<Object> rows) {
  static final String LOW = "_low";
  static final String HIGH = "_high";

  private enum Kind { LONG, DOUBLE, BOOLEAN, STRING }

  /** The answer's rows, at most {@code maxRowCount} when that is positive (post-processing of released rows). */
  static JdbcResult of(QueryResult r, long maxRowCount) {
    int n = r.columns().size();
    List<List<Cell>> released = r.rows();
    if (maxRowCount > 0 && released.size() > maxRowCount) {
      released = released.subList(0, (int) maxRowCount);
    }
    Kind[] kinds = new Kind[n];
    boolean[] intervals = new boolean[n];
    for (int j = 0; j < n; j++) {
      kinds[j] = kind(released, j);
      for (List<Cell> row : released) {
        intervals[j] |= row.get(j).ci95() != null;
      }
    }
    List<ColumnMetaData> columns = new ArrayList<>();
    for (int j = 0; j < n; j++) {
      String name = r.columns().get(j);
      columns.add(MetaImpl.columnMetaData(name, columns.size(), switch (kinds[j]) {
        case LONG -> Long.class;
        case DOUBLE -> Double.class;
        case BOOLEAN -> Boolean.class;
        case STRING -> String.class;
      }, true));
      if (intervals[j]) {
        columns.add(MetaImpl.columnMetaData(name + LOW, columns.size(), Double.class, true));
        columns.add(MetaImpl.columnMetaData(name + HIGH, columns.size(), Double.class, true));
      }
    }
    List<Object> rows = new ArrayList<>();
    for (List<Cell> row : released) {
      List<Object> values = new ArrayList<>();
      for (int j = 0; j < n; j++) {
        Cell c = row.get(j);
        values.add(value(c.value(), kinds[j]));
        if (intervals[j]) {
          values.add(c.ci95() == null ? null : c.ci95().low());
          values.add(c.ci95() == null ? null : c.ci95().high());
        }
      }
      rows.add(values);
    }
    return new JdbcResult(List.copyOf(columns), rows);
  }

  private static Kind kind(List<List<Cell>> rows, int j) {
    Kind kind = null;
    for (List<Cell> row : rows) {
      Object v = row.get(j).value();
      if (v == null) {
        continue;
      }
      Kind k = v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte ? Kind.LONG
          : v instanceof Number ? Kind.DOUBLE : v instanceof Boolean ? Kind.BOOLEAN : Kind.STRING;
      if (kind == null || kind == k) {
        kind = k;
      } else if ((kind == Kind.LONG && k == Kind.DOUBLE) || (kind == Kind.DOUBLE && k == Kind.LONG)) {
        kind = Kind.DOUBLE;
      } else {
        kind = Kind.STRING;
      }
    }
    if (kind == null) {
      // No value to go by (no rows, or all NULL): an aggregate column (one with intervals) is numeric.
      boolean aggregate = rows.stream().anyMatch(row -> row.get(j).ci95() != null);
      return aggregate ? Kind.DOUBLE : Kind.STRING;
    }
    return kind;
  }

  private static Object value(Object v, Kind kind) {
    if (v == null) {
      return null;
    }
    return switch (kind) {
      case LONG -> ((Number) v).longValue();
      case DOUBLE -> ((Number) v).doubleValue();
      case BOOLEAN -> v;
      case STRING -> v.toString();
    };
  }
}
