package org.dpq.budget;

import static org.junit.jupiter.api.Assertions.fail;

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

/**
 * A real database for one test: a fresh SQLite file, or a fresh schema on the PostgreSQL server (dropped again
 * on close). Raw connections let tests tamper with the stored rows the way an attacker or a bad disk would.
 */
abstract class LedgerTarget implements AutoCloseable {
  /** The location string for {@link Ledger#open}. */
  abstract String location();

  /** A plain JDBC connection (autocommit) to the same database, for tampering. */
  abstract Connection raw() throws SQLException;

  abstract String name();

  /** Statements that remove the append-only triggers, as someone tampering deliberately would. */
  abstract List<String> dropAppendOnlyGuards();

  /** Drops the append-only triggers through a raw connection. */
  void dropGuards() throws SQLException {
    try (Connection c = raw(); Statement s = c.createStatement()) {
      for (String sql : dropAppendOnlyGuards()) {
        s.execute(sql);
      }
    }
  }

  @Override
  public void close() {}

  static LedgerTarget sqlite(Path dir) {
    Path file = dir.resolve("ledger-" + randomHex(4) + ".db");
    return new LedgerTarget() {
      @Override
      String location() {
        return file.toString();
      }

      @Override
      Connection raw() throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + file);
      }

      @Override
      String name() {
        return "sqlite";
      }

      @Override
      List<String> dropAppendOnlyGuards() {
        return List.of("DROP TRIGGER dpq_ledger_entry_no_update", "DROP TRIGGER dpq_ledger_entry_no_delete");
      }
    };
  }

  /**
   * A fresh schema on the PostgreSQL server. When the server is unreachable this is a test failure if
   * DPQ_EXPECT_POSTGRES=1 (CI installed and started it), otherwise the test is skipped.
   */
  static LedgerTarget postgres() {
    String base = PostgresCondition.url();
    String schema = "dpq_budget_test_" + randomHex(6);
    try (Connection c = DriverManager.getConnection(base); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    } catch (SQLException e) {
      if (PostgresCondition.expected()) {
        fail("DPQ_EXPECT_POSTGRES=1 but the PostgreSQL server at DPQ_PG_URL is unreachable or refused to "
            + "create a schema: " + e.getMessage());
      }
      Assumptions.abort("PostgreSQL is not reachable (" + e.getMessage() + "); set DPQ_PG_URL, or run .ci/postgres-up");
    }
    String url = base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    return new LedgerTarget() {
      @Override
      String location() {
        return url;
      }

      @Override
      Connection raw() throws SQLException {
        return DriverManager.getConnection(url);
      }

      @Override
      String name() {
        return "postgresql";
      }

      @Override
      List<String> dropAppendOnlyGuards() {
        return List.of("DROP TRIGGER dpq_ledger_entry_no_change ON dpq_ledger_entry");
      }

      @Override
      public void close() {
        try (Connection c = DriverManager.getConnection(base); Statement s = c.createStatement()) {
          s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        } catch (SQLException e) {
          throw new IllegalStateException("could not drop test schema " + schema, e);
        }
      }
    };
  }

  static String randomHex(int bytes) {
    byte[] b = new byte[bytes];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
