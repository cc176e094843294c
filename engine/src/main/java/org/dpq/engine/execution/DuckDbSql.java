package org.dpq.engine.execution;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.dpq.engine.catalog.Column;
import org.dpq.engine.catalog.ColumnType;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.Source;

/**
 * The DuckDB SQL that exposes a dataset's source as its private table: exactly the declared columns, under their
 * declared names, converted to their declared types with {@code TRY_CAST} so that an unparsable cell becomes
 * NULL instead of an error that would echo it. Owns the rule that the table the rewrite reads holds typed values
 * only (never the file's raw text) and nothing beyond the declared columns.
 *
 * <p>Types: int and long are BIGINT (an int column never silently loses a value beyond 32 bits, and sums widen
 * to HUGEINT); a value with a fraction (1.5) is not an integer and becomes NULL rather than being rounded,
 * while an integral decimal such as 59.0 (as pandas writes integer columns with gaps) reads as 59. Doubles keep
 * NaN and infinities written as NaN, inf, Infinity or -Infinity. Strings are VARCHAR, as written.
 */
final class DuckDbSql {
  private DuckDbSql() {}

  /** {@code SELECT <typed declared columns> FROM <reader>}. */
  static String relation(Dataset d) {
    List<String> items = new ArrayList<>();
    for (Column c : d.columns()) {
      items.add(typed(c) + " AS " + quote(c.name()));
    }
    return "SELECT " + String.join(", ", items) + " FROM " + reader(d.source());
  }

  /** The table function that reads the source, every CSV column as text (no type sniffing). */
  static String reader(Source source) {
    if (source instanceof Source.Csv csv) {
      return "read_csv(" + literal(csv.path()) + ", header = true, all_varchar = true, delim = ',', quote = '\"', "
          + "escape = '\"')";
    }
    if (source instanceof Source.Parquet parquet) {
      return "read_parquet(" + literal(parquet.path()) + ")";
    }
    throw new IllegalArgumentException("DuckDB reads CSV and Parquet sources only, not " + source);
  }

  private static String typed(Column c) {
    String v = quote(c.name());
    return switch (c.type()) {
      case INT, LONG -> "CASE WHEN TRY_CAST(" + v + " AS DOUBLE) = TRY_CAST(" + v + " AS BIGINT) THEN TRY_CAST(" + v
          + " AS BIGINT) END";
      case DOUBLE -> "TRY_CAST(" + v + " AS DOUBLE)";
      case STRING -> "CAST(" + v + " AS VARCHAR)";
      case BOOLEAN -> "TRY_CAST(" + v + " AS BOOLEAN)";
      case DATE -> "TRY_CAST(" + v + " AS DATE)";
    };
  }

  /** The DuckDB type each declared type is exposed as. */
  static String sqlType(ColumnType type) {
    return switch (type) {
      case INT, LONG -> "BIGINT";
      case DOUBLE -> "DOUBLE";
      case STRING -> "VARCHAR";
      case BOOLEAN -> "BOOLEAN";
      case DATE -> "DATE";
    };
  }

  /** A double-quoted identifier, exactly as declared. */
  static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  /** A single-quoted string literal. */
  static String literal(Path path) {
    return literal(path.toString());
  }

  static String literal(String text) {
    return "'" + text.replace("'", "''") + "'";
  }

  /** True when a path holds glob characters DuckDB would expand. */
  static boolean isGlob(Path path) {
    String s = path.toString();
    return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0;
  }

  static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}
