package org.dpq.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.dpq.engine.catalog.Column;
import org.dpq.engine.catalog.ColumnType;
import org.dpq.engine.catalog.Source;
import org.dpq.errors.BackendException;

/**
 * Exposes a Spark source as the dataset's table: a temporary view with exactly the declared columns, under their
 * declared names, typed as on DuckDB (int and long as {@code BIGINT}, double as {@code DOUBLE}, string as
 * {@code STRING}). Owns the rule that the bounded query reads only the declared columns of the declared source,
 * typed as the rewrite assumes.
 *
 * <p>CSV files (with a header row) are read as text and converted with the rules DuckDB applies to CSV: an
 * unparsable cell becomes NULL rather than an error that would echo it; an integer column takes integral values
 * only (59 and 59.0 read as 59, 59.5 and values beyond the BIGINT range are NULL); doubles keep NaN and
 * infinities; an empty cell is NULL. One difference remains: DuckDB reads {@code infinity} in a date column as an
 * infinite date, which Spark cannot represent, so it is NULL here. Tables and
 * Parquet files are typed already: int and long need an integral column, double a numeric one, boolean and date
 * their own type, and string accepts any (its text form); a mismatch is reported when the backend opens. Names
 * match case-insensitively, as for CSV headers and PostgreSQL; two source columns differing only in case are an
 * error.
 */
final class SparkView {
  private SparkView() {}

  /**
   * Registers the view {@code dataset.table()} of a single-table dataset (or of one table of a dataset of several,
   * {@link org.dpq.engine.catalog.Dataset#single}) in {@code session}; {@code what} names it in messages.
   */
  static void register(SparkSession session, org.dpq.engine.catalog.Dataset dataset, String what) {
    Source.Spark source = (Source.Spark) dataset.source();
    Dataset<Row> raw = switch (source.format()) {
      case TABLE -> session.table(source.location());
      case PARQUET -> session.read().parquet(source.location());
      case CSV -> session.read().option("header", "true").option("inferSchema", "false")
          .option("mode", "PERMISSIVE").csv(source.location());
    };
    boolean text = source.format() == Source.Spark.Format.CSV;
    StructField[] fields = raw.schema().fields();
    List<String> items = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    List<String> ambiguous = new ArrayList<>();
    List<String> mistyped = new ArrayList<>();
    for (Column col : dataset.columns()) {
      StructField found = null;
      int count = 0;
      for (StructField f : fields) {
        if (f.name().strip().equalsIgnoreCase(col.name())) {
          found = found == null ? f : found;
          count++;
        }
      }
      if (count == 0) {
        missing.add(col.name());
      } else if (count > 1) {
        ambiguous.add(col.name());
      } else if (text) {
        items.add(fromText(col.type(), quote(found.name())) + " AS " + quote(col.name()));
      } else if (!accepts(col.type(), found.dataType())) {
        mistyped.add(col.name() + " (declared " + col.type().name().toLowerCase(Locale.ROOT) + ", Spark type "
            + found.dataType().simpleString() + ")");
      } else {
        items.add("CAST(" + quote(found.name()) + " AS " + sqlType(col.type()) + ") AS " + quote(col.name()));
      }
    }
    String name = what;
    if (!missing.isEmpty()) {
      throw new BackendException("the Spark source of " + name + " has no column named " + String.join(", ", missing)
          + "; declare only columns the source has (names are compared case-insensitively)");
    }
    if (!ambiguous.isEmpty()) {
      throw new BackendException("the Spark source of " + name + " has more than one column named "
          + String.join(", ", ambiguous) + " (names are compared case-insensitively); rename one in the source");
    }
    if (!mistyped.isEmpty()) {
      throw new BackendException("in the Spark source of " + name + ", these columns do not have a type their "
          + "declaration accepts: " + String.join(", ", mistyped) + "; fix the declared type, or convert the column");
    }
    raw.selectExpr(items.toArray(String[]::new)).createOrReplaceTempView(dataset.table());
  }

  /** A text cell converted as DuckDB converts CSV cells (see the class comment); {@code try_cast} never fails. */
  static String fromText(ColumnType type, String v) {
    return switch (type) {
      case INT, LONG -> {
        String d = "try_cast(" + v + " AS DOUBLE)";
        // Integral decimals (59.0, 1e2) as DuckDB reads them; beyond the BIGINT range NULL, not saturated.
        yield "COALESCE(try_cast(" + v + " AS BIGINT), CASE WHEN " + d + " = floor(" + d + ") AND abs(" + d
            + ") < 9.223372036854775807E18 THEN CAST(" + d + " AS BIGINT) END)";
      }
      case DOUBLE -> "try_cast(" + v + " AS DOUBLE)";
      case STRING -> "CAST(" + v + " AS STRING)";
      case BOOLEAN -> "try_cast(" + v + " AS BOOLEAN)";
      case DATE -> "try_cast(" + v + " AS DATE)";
    };
  }

  private static boolean accepts(ColumnType declared, DataType type) {
    String t = type.typeName();
    boolean integral = t.equals("byte") || t.equals("short") || t.equals("integer") || t.equals("long");
    return switch (declared) {
      case INT, LONG -> integral;
      case DOUBLE -> integral || t.equals("float") || t.equals("double") || t.startsWith("decimal");
      case STRING -> true;
      case BOOLEAN -> t.equals("boolean");
      case DATE -> t.equals("date");
    };
  }

  private static String sqlType(ColumnType type) {
    return switch (type) {
      case INT, LONG -> "BIGINT";
      case DOUBLE -> "DOUBLE";
      case STRING -> "STRING";
      case BOOLEAN -> "BOOLEAN";
      case DATE -> "DATE";
    };
  }

  /** A backquoted identifier, exactly as given. */
  static String quote(String identifier) {
    return '`' + identifier.replace("`", "``") + '`';
  }
}
