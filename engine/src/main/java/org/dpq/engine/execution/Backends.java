package org.dpq.engine.execution;

import java.util.ServiceLoader;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.Source;
import org.dpq.errors.BackendException;

/**
 * Chooses the backend where a dataset's rows live, so that the bounded query runs there and only bounded
 * aggregates come back. Owns no privacy property beyond that choice.
 *
 * <ul>
 *   <li>CSV and Parquet sources: the embedded {@link DuckDbBackend};
 *   <li>{@code jdbc:postgresql:} sources: {@link PostgresBackend}, on the server; other JDBC URLs are refused;
 *   <li>any other source (such as Spark's): the first {@link BackendProvider} on the class path that supports it.
 * </ul>
 *
 * <p>A dataset of several tables goes where its unit table lives; that backend refuses, before any charge, a table
 * that lives elsewhere.
 */
public final class Backends {
  /** {@code jdbc:} and the sub-protocol: the part of a JDBC URL that can be named without a credential. */
  private static final Pattern SUBPROTOCOL = Pattern.compile("^jdbc:[A-Za-z0-9_.+-]{1,40}(?=:)");

  private Backends() {}

  /**
   * Opens the backend for {@code dataset}'s source.
   *
   * @throws BackendException for a JDBC source that is not PostgreSQL, a source no provider on the class path
   *     supports, or a source that cannot be opened
   */
  public static Backend open(Dataset dataset) {
    return open(dataset, ServiceLoader.load(BackendProvider.class));
  }

  /**
   * Opens the backend for a {@code jdbc:postgresql:} source with connections from an application's DataSource
   * (its pool and credentials; the YAML's URL then only says which kind of database it is).
   *
   * @throws BackendException for any other source, or when the source cannot be opened
   */
  public static Backend open(Dataset dataset, javax.sql.DataSource dataSource) {
    return PostgresBackend.open(dataset, dataSource);
  }

  /**
   * As {@link #open(Dataset)}, with a CSV or Parquet source read from its typed local copy when {@code copy} is
   * given (see {@link TypedCopy}); other sources ignore it.
   */
  public static Backend open(Dataset dataset, java.util.Optional<TypedCopy> copy) {
    Source source = dataset.source();
    if (source instanceof Source.Csv || source instanceof Source.Parquet) {
      return DuckDbBackend.open(dataset, copy);
    }
    return open(dataset);
  }

  /** As {@link #open(Dataset)}, with the providers to consult given (a test seam). */
  static Backend open(Dataset dataset, Iterable<BackendProvider> providers) {
    Source source = dataset.source();
    if (source instanceof Source.Csv || source instanceof Source.Parquet) {
      return DuckDbBackend.open(dataset);
    }
    if (source instanceof Source.Jdbc jdbc) {
      if (jdbc.url().startsWith(PostgresBackend.URL_PREFIX)) {
        return PostgresBackend.open(dataset);
      }
      throw new BackendException("dataset '" + dataset.name() + "' has a JDBC source (" + subprotocol(jdbc.url())
          + ") that dpq cannot run bounded queries on; dpq supports PostgreSQL (" + PostgresBackend.URL_PREFIX
          + "//host:port/database), or export the table to CSV or Parquet");
    }
    for (BackendProvider provider : providers) {
      if (provider.supports(source)) {
        return provider.open(dataset);
      }
    }
    throw new BackendException("dataset '" + dataset.name() + "' has a " + kind(source) + " source, but no "
        + "backend for it is on the class path; add its module (e.g. dpq-spark and Spark for a spark source)");
  }

  /** {@code jdbc:mysql} for {@code jdbc:mysql://u:p@host/db}: never the part that may hold credentials. */
  static String subprotocol(String url) {
    Matcher m = SUBPROTOCOL.matcher(url);
    return m.find() ? m.group() : "jdbc";
  }

  private static String kind(Source source) {
    return source.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
  }
}
