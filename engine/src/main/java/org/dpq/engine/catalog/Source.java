package org.dpq.engine.catalog;

import java.nio.file.Path;
import java.util.Optional;

/** Where a dataset's rows live. Paths are already resolved against the YAML file's folder. */
public sealed interface Source {
  /** A CSV file, read as {@code options} say (by default: comma-separated, {@code "}-quoted, with a header row). */
  record Csv(Path path, CsvOptions options) implements Source {
    /** A comma-separated file with a header row, read with the default options. */
    public Csv(Path path) {
      this(path, CsvOptions.DEFAULT);
    }
  }

  /**
   * How a CSV file is read, and how many of its cells may fail to convert to their declared type. Owns the rule
   * that a column whose non-empty cells mostly do not parse (cents in an int column, dd/mm/yyyy dates) is
   * refused rather than read as NULLs that silently change every answer.
   *
   * @param delimiter the one character between cells
   * @param quote the one character that quotes a cell (doubled inside it to stand for itself)
   * @param header whether the first line names the columns; without it, columns are taken by position
   * @param nullString a cell text that means NULL besides the empty cell (e.g. {@code NA})
   * @param dateFormat a DuckDB {@code strptime} format for date columns (e.g. {@code %d/%m/%Y}); ISO dates if empty
   * @param maxUnparsableFraction the largest fraction (0 to 1) of a column's non-empty cells that may fail to
   *     convert to its declared type (they are read as NULL); above it the source is refused
   */
  record CsvOptions(char delimiter, char quote, boolean header, Optional<String> nullString,
      Optional<String> dateFormat, double maxUnparsableFraction) {
    /** Comma-separated, double-quoted, a header row, no null text, ISO dates, no unparsable cell allowed. */
    public static final CsvOptions DEFAULT = new CsvOptions(',', '"', true, Optional.empty(), Optional.empty(), 0);

    /** True when only the unparsable-cell threshold may differ from {@link #DEFAULT} (the file reads the same). */
    public boolean defaultFormat() {
      return delimiter == ',' && quote == '"' && header && nullString.isEmpty() && dateFormat.isEmpty();
    }
  }

  /** A Parquet file (or glob). */
  record Parquet(Path path) implements Source {}

  /** A table reached over JDBC (e.g. PostgreSQL); {@code table} may be schema-qualified. */
  record Jdbc(String url, String table) implements Source {}

  /**
   * Rows read by Spark SQL (run by the dpq-spark module): a table in Spark's catalog, or CSV or Parquet files.
   *
   * @param master the Spark master URL; empty means Spark's own configuration ({@code spark.master}, as set by
   *     spark-submit), else local mode
   * @param format what {@code location} names
   * @param location the table name (optionally qualified), or the files: an absolute local path (relative paths
   *     are resolved against the YAML file's folder) or a URI Spark reads as is ({@code hdfs://...})
   */
  record Spark(Optional<String> master, Format format, String location) implements Source {
    /** What a Spark source's location names. */
    public enum Format { TABLE, CSV, PARQUET }
  }
}
