package org.dpq.engine.catalog;

import java.nio.file.Path;

/** Where a dataset's rows live. Paths are already resolved against the YAML file's folder. */
public sealed interface Source {
  /** A CSV file with a header row. */
  record Csv(Path path) implements Source {}

  /** A Parquet file (or glob). */
  record Parquet(Path path) implements Source {}

  /** A table reached over JDBC (e.g. PostgreSQL); {@code table} may be schema-qualified. */
  record Jdbc(String url, String table) implements Source {}
}
