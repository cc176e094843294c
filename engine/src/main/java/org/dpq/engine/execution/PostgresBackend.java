package org.dpq.engine.execution;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import javax.sql.DataSource;
import org.apache.calcite.sql.SqlDialect;
import org.apache.calcite.sql.dialect.PostgresqlSqlDialect;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.Source;
import org.dpq.errors.BackendException;
import org.postgresql.PGConnection;

/**
 * The shared-database backend: runs bounded queries on the PostgreSQL server of a dataset whose source is
 * {@code source: { jdbc: { url: jdbc:postgresql://..., table: ... } }}, in Calcite's PostgreSQL dialect (whose
 * {@code /} on integers truncates like PostgreSQL's, and whose NULL ordering is PostgreSQL's), with the
 * dataset's table defined by a common table expression over the declared columns ({@link PostgresSource} says
 * how names and types map). Only the bounded aggregates come back over the connection; rows never leave the
 * server. Owns two privacy properties of execution: errors never carry a data value or a credential (messages
 * come from SQLStates only, and the URL, which may hold a password, is never printed), and every query runs in
 * a read-only transaction, so the bounded SQL cannot change the data it measures.
 *
 * <p>A dataset of several tables runs when every table is a relation of the one database of the unit table's
 * {@code source.jdbc.url}: each is exposed by its own common table expression, and the keys that must not repeat
 * ({@link UniqueKeys}: public keys, and the private keys a child table reaches its unit through) are counted when
 * the backend opens (a repeat refuses it, before any charge) and again before every bounded query, in the same
 * repeatable-read snapshot as the query, since rows in the database may change after opening (a repeat then fails
 * the query after the charge, without a value, like any other failure).
 *
 * <p>Thread-safe: each {@link #execute} opens its own connection (a few milliseconds on a local server) and
 * closes it, so queries may run concurrently and a server restart between queries does no harm; {@link #close}
 * only refuses later queries. The source table is checked once, when the backend opens, so a missing table or
 * column is reported before any budget is charged. Cells come back through {@code JdbcValues}, the same types
 * as from DuckDB (integer results as {@link Long}, real ones as {@link Double}, string keys as {@link String}).
 */
public final class PostgresBackend implements Backend {
  /** URL prefix this backend serves. */
  public static final String URL_PREFIX = "jdbc:postgresql:";

  private static final int FETCH_SIZE = 1000;

  /** Where connections come from: the source URL, or an application's DataSource. */
  @FunctionalInterface
  private interface Connector {
    Connection connect() throws SQLException;
  }

  private final Connector connector;
  /**
   * Cancelled through the connection's cancel key, not {@link Statement#cancel()}: pgjdbc sends the latter once per
   * execution, so a request that reached the server before the query did would leave the repeats unsent.
   */
  private final RunningStatements<Statement> running = new RunningStatements<>(PostgresBackend::cancel);
  private final String exposure;
  private final org.dpq.engine.catalog.Limits limits;
  private final String datasetName;
  private final List<UniqueKeys.Key> keys;
  private volatile boolean closed;

  private PostgresBackend(Connector connector, String exposure, Dataset dataset, List<UniqueKeys.Key> keys) {
    this.connector = connector;
    this.exposure = exposure;
    this.limits = dataset.limits();
    this.datasetName = dataset.name();
    this.keys = keys;
  }

  /**
   * Like {@link #open(Dataset)}, with connections from an application's DataSource rather than the source's URL
   * (whose credentials then need not be written anywhere; the URL still says the source is PostgreSQL).
   */
  public static PostgresBackend open(Dataset dataset, DataSource dataSource) {
    requirePostgres(dataset);
    return open(dataset, dataSource::getConnection);
  }

  /**
   * Connects once to check the source table and its declared columns.
   *
   * @throws BackendException when the source is not a PostgreSQL JDBC source, the server cannot be reached, or
   *     the table or a declared column is missing or of an incompatible type
   */
  public static PostgresBackend open(Dataset dataset) {
    Source.Jdbc jdbc = requirePostgres(dataset);
    Properties properties = new Properties();
    // Defaults only: parameters given in the URL take precedence.
    properties.setProperty("ApplicationName", "dpq");
    properties.setProperty("connectTimeout", "10");
    return open(dataset, () -> DriverManager.getConnection(jdbc.url(), properties));
  }

  private static Source.Jdbc requirePostgres(Dataset dataset) {
    if (!(dataset.source() instanceof Source.Jdbc jdbc) || !jdbc.url().startsWith(URL_PREFIX)) {
      throw new BackendException("the PostgreSQL backend needs a source { jdbc: { url: " + URL_PREFIX
          + "//host:port/database, table: ... } }; dataset '" + dataset.name() + "' has another source");
    }
    for (org.dpq.engine.catalog.TableSpec t : dataset.allTables()) {
      // the URL may hold a password: compared, never printed
      if (!(t.source() instanceof Source.Jdbc other) || !other.url().equals(jdbc.url())) {
        throw new BackendException("table '" + t.name() + "' of dataset '" + dataset.name() + "' is not in the "
            + "PostgreSQL database of the unit table; a dataset of several tables runs on PostgreSQL when every "
            + "table is there: give tables." + t.name() + ".source { jdbc: { url: <the unit table's url>, table: "
            + "... } }, or give every table a CSV or Parquet file");
      }
    }
    return jdbc;
  }

  private static PostgresBackend open(Dataset dataset, Connector connector) {
    String exposure;
    List<UniqueKeys.Key> keys = UniqueKeys.of(dataset);
    try (Connection c = connector.connect()) {
      c.setReadOnly(true);
      exposure = PostgresSource.exposure(c, dataset);
      if (!keys.isEmpty()) {
        try (Statement s = c.createStatement()) {
          refuseRepeats(s, exposure, dataset.name(), keys);
        }
      }
    } catch (SQLException e) {
      throw PostgresErrors.opening(e, dataset.name());
    } catch (BackendException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new BackendException("the PostgreSQL source of dataset '" + dataset.name() + "' could not be opened ("
          + e.getClass().getSimpleName() + "). No data value or credential is shown.");
    }
    return new PostgresBackend(connector, exposure, dataset, keys);
  }

  /** Counts, on {@code s}'s connection, whether a key that must be unique repeats; refuses the first that does. */
  private static void refuseRepeats(Statement s, String exposure, String datasetName, List<UniqueKeys.Key> keys)
      throws SQLException {
    UniqueKeys.refuseRepeats(s, exposure + UniqueKeys.query(keys, PostgresSource::quote), datasetName, keys);
  }

  @Override
  public SqlDialect dialect() {
    return PostgresqlSqlDialect.DEFAULT;
  }

  /** The SQL put before every bounded query: the common table expression that defines the dataset's table. */
  String exposure() {
    return exposure;
  }

  @Override
  public List<Object[]> execute(String sql) {
    if (closed) {
      throw new BackendException("this PostgreSQL backend is closed; open a new one");
    }
    try (Connection c = connector.connect()) {
      c.setReadOnly(true);
      c.setAutoCommit(false);
      if (!keys.isEmpty()) {
        // the key check and the query see one snapshot
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      }
      try (Statement s = c.createStatement(); RunningStatements.Registration running = this.running.register(s)) {
        limit(s);
        if (!keys.isEmpty()) {
          refuseRepeats(s, exposure, datasetName, keys);
        }
        s.setFetchSize(FETCH_SIZE);
        List<Object[]> rows;
        try (ResultSet r = s.executeQuery(exposure + sql)) {
          rows = JdbcValues.rows(r);
        }
        c.rollback(); // nothing to keep; closing the connection would end the transaction too
        return rows;
      }
    } catch (SQLException e) {
      throw PostgresErrors.running(e);
    } catch (BackendException e) {
      throw e;
    } catch (RuntimeException e) {
      throw PostgresErrors.unexpected(e);
    }
  }

  @Override
  public int cancelRunning() {
    return running.cancelAll();
  }

  private static void cancel(Statement s) throws SQLException {
    Connection c = s.getConnection();
    if (c.isWrapperFor(PGConnection.class)) {
      c.unwrap(PGConnection.class).cancelQuery();
    } else {
      s.cancel();
    }
  }

  /**
   * The dataset's limits for this transaction only: {@code statement_timeout} always, {@code work_mem} (memory per
   * sort or hash before it spills to disk) as an eighth of {@code limits.memory_mb} when given. A query that hits
   * them fails like any other failure after the charge.
   */
  private void limit(Statement s) throws SQLException {
    s.execute("SET LOCAL statement_timeout = '" + limits.timeoutSeconds() + "s'");
    if (limits.memoryMegabytes().isPresent()) {
      s.execute("SET LOCAL work_mem = '" + Math.max(1, limits.memoryMegabytes().getAsLong() / 8) + "MB'");
    }
  }

  @Override
  public void close() {
    closed = true;
  }
}
