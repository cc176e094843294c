package org.dpq.engine.execution;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.dpq.engine.analysis.PublicTuples;
import org.dpq.engine.catalog.TableSpec;

/**
 * Reads a public table's distinct tuples for a joint key domain through a backend, with
 * {@code SELECT DISTINCT ... WHERE ... IS NOT NULL} in the backend's dialect. Owns the rule that only tables declared
 * public are read this way (a private table is refused), and that the values come back in one spelling on every
 * backend (numbers without trailing zeros, dates ISO), so DuckDB, PostgreSQL and Spark release the same tuples.
 */
public final class BackendPublicTuples implements PublicTuples {
  private final Function<TableSpec, Backend> backend;

  /** Reads each public table through the backend {@code backend} gives for it (opened on demand). */
  public BackendPublicTuples(Function<TableSpec, Backend> backend) {
    this.backend = backend;
  }

  /** Reads every public table through {@code backend}. */
  public static BackendPublicTuples over(Backend backend) {
    return new BackendPublicTuples(t -> backend);
  }

  /**
   * Reads each public table of {@code dataset} (CSV or Parquet) through an embedded DuckDB that loads that table alone,
   * opened and closed per read: no private table is loaded (what {@code explain} and analysis-only tools need).
   */
  public static PublicTuples fromFiles(org.dpq.engine.catalog.Dataset dataset) {
    return (table, columns) -> {
      try (DuckDbBackend one = DuckDbBackend.open(dataset.single(table))) {
        return over(one).read(table, columns);
      }
    };
  }

  @Override
  public List<List<String>> read(TableSpec table, List<String> columns) {
    if (table.isPrivate()) {
      throw new IllegalArgumentException("a joint key domain reads public tables only, not " + table.name());
    }
    Backend b = backend.apply(table);
    org.apache.calcite.sql.SqlDialect dialect = b.dialect();
    List<String> quoted = columns.stream().map(dialect::quoteIdentifier).toList();
    String sql = "SELECT DISTINCT " + String.join(", ", quoted) + " FROM " + dialect.quoteIdentifier(table.name())
        + " WHERE " + String.join(" AND ", quoted.stream().map(c -> c + " IS NOT NULL").toList());
    List<List<String>> out = new ArrayList<>();
    for (Object[] row : b.execute(sql)) {
      List<String> tuple = new ArrayList<>(row.length);
      for (Object v : row) {
        tuple.add(spelling(v));
      }
      out.add(List.copyOf(tuple));
    }
    // one order on every backend (DISTINCT has none): by text, value by value
    out.sort((x, y) -> {
      for (int i = 0; i < x.size(); i++) {
        int c = x.get(i).compareTo(y.get(i));
        if (c != 0) {
          return c;
        }
      }
      return 0;
    });
    return List.copyOf(out);
  }

  private static String spelling(Object v) {
    if (v instanceof Number n) {
      try {
        return new BigDecimal(n.toString()).stripTrailingZeros().toPlainString();
      } catch (NumberFormatException e) {
        return n.toString(); // NaN or an infinity: matches no released key's spelling, kept as written
      }
    }
    if (v instanceof java.sql.Date d) {
      return d.toLocalDate().toString();
    }
    if (v instanceof java.sql.Timestamp t) {
      return t.toLocalDateTime().toLocalDate().toString();
    }
    return String.valueOf(v);
  }
}
