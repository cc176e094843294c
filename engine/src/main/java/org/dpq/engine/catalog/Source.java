package org.dpq.engine.catalog;

import java.nio.file.Path;
import java.util.Optional;

/** Where a dataset's rows live. Paths are already resolved against the YAML file's folder. */
public sealed interface Source {
  /** A CSV file with a header row. */
  record Csv(Path path) implements Source {}

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
