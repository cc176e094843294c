package org.dpq.budget;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import javax.sql.DataSource;
import org.sqlite.SQLiteConfig;

/**
 * The few places where SQLite and PostgreSQL differ for the ledger: connecting with durable settings, starting
 * a write transaction that excludes other writers of the same dataset, and which errors are safe to retry.
 * Owns the durability half of invariant 4 (a commit returns only once the entry is synced).
 */
sealed interface Dialect {

  /** A new connection with the dialect's durability settings applied. */
  Connection connect() throws SQLException;

  /** Begins a transaction that will write; on return, no other writer can append to the locked dataset. */
  void beginWrite(Connection c) throws SQLException;

  /** Begins a read-only transaction that sees one consistent snapshot. */
  void beginRead(Connection c) throws SQLException;

  void commit(Connection c) throws SQLException;

  void rollback(Connection c) throws SQLException;

  /** Appended to the SELECT of a dataset's head row inside a write transaction. */
  String lockHeadSuffix();

  /** DDL that makes the entry table refuse UPDATE and DELETE (an accident guard; verify is the real check). */
  List<String> appendOnlyDdl();

  /** Serialises schema creation among concurrent openers (inside a write transaction). */
  void lockSchema(Connection c) throws SQLException;

  /** Names (lower case) of the tables visible to the ledger. */
  Set<String> tables(Connection c) throws SQLException;

  /** True when the transaction was rolled back (or never began) because of contention, so a retry is safe. */
  boolean isContention(SQLException e);

  /** A description of the location for error messages. */
  String describe();

  /** The embedded ledger: one SQLite file in WAL mode with synchronous=FULL; writers use BEGIN IMMEDIATE. */
  record Sqlite(String path) implements Dialect {
    static final int BUSY_TIMEOUT_MS = 10_000;

    @Override
    public Connection connect() throws SQLException {
      SQLiteConfig config = new SQLiteConfig();
      config.setJournalMode(SQLiteConfig.JournalMode.WAL);
      config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
      config.setBusyTimeout(BUSY_TIMEOUT_MS);
      // SQLite's own driver, not DriverManager: the first DriverManager.getConnection of a JVM loads and initialises
      // every JDBC driver on the class path (in the CLI: DuckDB's, Calcite's, Avatica's, PostgreSQL's), which a
      // CLI call's main thread then paid before its first query; the one driver that accepts jdbc:sqlite: is this.
      Connection c = org.sqlite.JDBC.createConnection("jdbc:sqlite:" + path, config.toProperties());
      if (c == null) {
        throw new SQLException("not an SQLite location: " + path);
      }
      try (Statement s = c.createStatement()) {
        try (ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
          if (!rs.next() || !"wal".equalsIgnoreCase(rs.getString(1))) {
            c.close();
            throw new SQLException("the SQLite ledger could not switch to WAL mode");
          }
        }
        try (ResultSet rs = s.executeQuery("PRAGMA synchronous")) {
          if (!rs.next() || rs.getInt(1) < 2) {
            c.close();
            throw new SQLException("the SQLite ledger could not set synchronous=FULL");
          }
        }
      }
      return c;
    }

    @Override
    public void beginWrite(Connection c) throws SQLException {
      try (Statement s = c.createStatement()) {
        s.execute("BEGIN IMMEDIATE");
      }
    }

    @Override
    public void beginRead(Connection c) throws SQLException {
      try (Statement s = c.createStatement()) {
        s.execute("BEGIN DEFERRED");
      }
    }

    @Override
    public void commit(Connection c) throws SQLException {
      try (Statement s = c.createStatement()) {
        s.execute("COMMIT");
      }
    }

    @Override
    public void rollback(Connection c) throws SQLException {
      if (!c.getAutoCommit()) {
        c.rollback();
        return;
      }
      try (Statement s = c.createStatement()) {
        s.execute("ROLLBACK");
      } catch (SQLException e) {
        if (!String.valueOf(e.getMessage()).contains("no transaction is active")) {
          throw e;
        }
      }
    }

    @Override
    public String lockHeadSuffix() {
      return "";
    }

    @Override
    public List<String> appendOnlyDdl() {
      return List.of(
          "CREATE TRIGGER dpq_ledger_entry_no_update BEFORE UPDATE ON " + LedgerSchema.ENTRY
              + " BEGIN SELECT RAISE(ABORT, 'dpq ledger entries are append-only'); END",
          "CREATE TRIGGER dpq_ledger_entry_no_delete BEFORE DELETE ON " + LedgerSchema.ENTRY
              + " BEGIN SELECT RAISE(ABORT, 'dpq ledger entries are append-only'); END");
    }

    @Override
    public void lockSchema(Connection c) {
      // BEGIN IMMEDIATE already excludes every other writer of the file.
    }

    @Override
    public Set<String> tables(Connection c) throws SQLException {
      Set<String> names = new HashSet<>();
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table'")) {
        while (rs.next()) {
          names.add(rs.getString(1).toLowerCase(java.util.Locale.ROOT));
        }
      }
      return names;
    }

    @Override
    public boolean isContention(SQLException e) {
      int primary = e.getErrorCode() & 0xff;
      return primary == 5 /* SQLITE_BUSY */ || primary == 6 /* SQLITE_LOCKED */;
    }

    @Override
    public String describe() {
      return "SQLite ledger file " + path;
    }
  }

  /**
   * The shared ledger: PostgreSQL with synchronous_commit on; writers lock the dataset's head row
   * (SELECT ... FOR UPDATE) in a READ COMMITTED transaction.
   */
  record Postgres(String url, DataSource dataSource) implements Dialect {
    private static final long SCHEMA_LOCK_KEY = 0x6470715f6c656467L; // "dpq_ledg"

    /** A ledger reached through a {@code jdbc:postgresql:} URL. */
    Postgres(String url) {
      this(url, null);
    }

    /** A ledger reached through the application's own DataSource (its pool, its credentials). */
    Postgres(DataSource dataSource) {
      this(null, dataSource);
    }

    @Override
    public Connection connect() throws SQLException {
      Connection c;
      if (dataSource != null) {
        c = dataSource.getConnection();
      } else {
        Properties props = new Properties();
        // Server error details can quote a failing row (a released result); keep them out of exceptions.
        props.setProperty("logServerErrorDetail", "false");
        c = DriverManager.getConnection(url, props);
      }
      try (Statement s = c.createStatement()) {
        try (ResultSet rs = s.executeQuery("SHOW fsync")) {
          if (!rs.next() || !"on".equalsIgnoreCase(rs.getString(1))) {
            c.close();
            throw new SQLException("the PostgreSQL server runs with fsync=off, so a charge would not be durable; "
                + "turn fsync on in postgresql.conf");
          }
        }
        s.execute("SET synchronous_commit TO on");
        s.execute("SET lock_timeout TO '30s'");
      }
      c.setAutoCommit(false);
      c.commit();
      return c;
    }

    @Override
    public void beginWrite(Connection c) throws SQLException {
      c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
    }

    @Override
    public void beginRead(Connection c) throws SQLException {
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
    }

    @Override
    public void commit(Connection c) throws SQLException {
      c.commit();
    }

    @Override
    public void rollback(Connection c) throws SQLException {
      c.rollback();
    }

    @Override
    public String lockHeadSuffix() {
      return " FOR UPDATE";
    }

    @Override
    public List<String> appendOnlyDdl() {
      return List.of(
          "CREATE FUNCTION dpq_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS "
              + "$$ BEGIN RAISE EXCEPTION 'dpq ledger entries are append-only'; END $$",
          "CREATE TRIGGER dpq_ledger_entry_no_change BEFORE UPDATE OR DELETE ON " + LedgerSchema.ENTRY
              + " FOR EACH ROW EXECUTE FUNCTION dpq_ledger_append_only()",
          "CREATE TRIGGER dpq_ledger_entry_no_truncate BEFORE TRUNCATE ON " + LedgerSchema.ENTRY
              + " FOR EACH STATEMENT EXECUTE FUNCTION dpq_ledger_append_only()");
    }

    @Override
    public void lockSchema(Connection c) throws SQLException {
      try (Statement s = c.createStatement()) {
        s.execute("SELECT pg_advisory_xact_lock(" + SCHEMA_LOCK_KEY + ")");
      }
    }

    @Override
    public Set<String> tables(Connection c) throws SQLException {
      Set<String> names = new HashSet<>();
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery(
              "SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                  + "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')")) {
        while (rs.next()) {
          names.add(rs.getString(1).toLowerCase(java.util.Locale.ROOT));
        }
      }
      return names;
    }

    @Override
    public boolean isContention(SQLException e) {
      String state = e.getSQLState();
      return "40001".equals(state) || "40P01".equals(state) || "55P03".equals(state);
    }

    @Override
    public String describe() {
      if (dataSource != null) {
        return "PostgreSQL ledger (the given DataSource)";
      }
      String shown = url.replaceAll("(?i)(password=)[^&]*", "$1***");
      return "PostgreSQL ledger " + shown;
    }
  }
}
