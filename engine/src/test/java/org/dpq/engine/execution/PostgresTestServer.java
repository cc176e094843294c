package org.dpq.engine.execution;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import org.dpq.testing.PostgresCondition;
import org.junit.jupiter.api.Assumptions;
import org.postgresql.PGConnection;

/**
 * The PostgreSQL server the backend tests load data into: DPQ_PG_URL (default: the local server of
 * {@code .ci/postgres-up}). Each test class works in its own schema and drops it at the end. When the server is
 * unreachable a test fails if DPQ_EXPECT_POSTGRES=1 (CI started it) and is skipped otherwise; classes that need it
 * are marked {@link org.dpq.testing.RequiresPostgres}, so that they are reported as skipped. Test-only.
 */
public final class PostgresTestServer implements AutoCloseable {
  /** The server {@code .ci/postgres-up} starts. */
  public static final String DEFAULT_URL = PostgresCondition.DEFAULT_URL;

  private final String url;
  private final String schema;

  private PostgresTestServer(String url, String schema) {
    this.url = url;
    this.schema = schema;
  }

  /** The server's URL. */
  public static String url() {
    return PostgresCondition.url();
  }

  /** True when CI promised a server (then an unreachable one is a failure, not a skip). */
  public static boolean expected() {
    return PostgresCondition.expected();
  }

  /** A fresh schema {@code <prefix>_<random>}; skips (or fails, see the class comment) without a server. */
  public static PostgresTestServer schema(String prefix) {
    PostgresTestServer s = tryCreate(prefix);
    if (s == null) {
      Assumptions.abort("PostgreSQL is not reachable; set DPQ_PG_URL, or run .ci/postgres-up");
    }
    return s;
  }

  /**
   * A fresh schema, or null when no server is reachable and none is expected (for suites where PostgreSQL is one
   * of several optional backends).
   */
  public static PostgresTestServer schemaIfAvailable(String prefix) {
    return tryCreate(prefix);
  }

  private static PostgresTestServer tryCreate(String prefix) {
    byte[] random = new byte[4];
    new SecureRandom().nextBytes(random);
    String schema = prefix + "_" + HexFormat.of().formatHex(random);
    try (Connection c = DriverManager.getConnection(url()); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    } catch (SQLException e) {
      if (expected()) {
        fail("DPQ_EXPECT_POSTGRES=1 but the PostgreSQL server at DPQ_PG_URL is unreachable or refused to create a "
            + "schema [SQLState " + e.getSQLState() + "]");
      }
      return null;
    }
    return new PostgresTestServer(url(), schema);
  }

  /** This class's schema. */
  public String schema() {
    return schema;
  }

  /** A connection to the server (the caller closes it). */
  public Connection connect() throws SQLException {
    return DriverManager.getConnection(url);
  }

  /** Runs statements in order. */
  public void execute(String... statements) throws SQLException {
    try (Connection c = connect(); Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    }
  }

  /**
   * Creates {@code schema.table} with the given column definitions (SQL, e.g. {@code "age integer"}) and loads
   * a CSV file with a header row into it (an empty cell is NULL).
   */
  public void loadCsv(String table, List<String> columns, Path csv) throws SQLException, IOException {
    String qualified = schema + "." + table;
    execute("CREATE TABLE " + qualified + " (" + String.join(", ", columns) + ")");
    try (Connection c = connect(); Reader in = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
      c.unwrap(PGConnection.class).getCopyAPI().copyIn(
          "COPY " + qualified + " FROM STDIN WITH (FORMAT csv, HEADER true)", in);
    }
  }

  /** A JDBC source YAML fragment for a table of this schema. */
  public String sourceYaml(String table) {
    return "{ jdbc: { url: '" + url.replace("'", "''") + "', table: " + schema + "." + table + " } }";
  }

  /** Drops the schema and everything in it. */
  @Override
  public void close() {
    try {
      execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    } catch (SQLException e) {
      throw new IllegalStateException("could not drop test schema " + schema + " [SQLState " + e.getSQLState() + "]");
    }
  }
}
