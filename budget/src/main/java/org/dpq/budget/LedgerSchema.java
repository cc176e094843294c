package org.dpq.budget;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import org.dpq.errors.LedgerException;

/**
 * The ledger's tables, created once and checked on every open. Owns failing closed at open: a location that
 * exists but is empty, unreadable, not a dpq ledger or of another format version is refused, never recreated.
 */
final class LedgerSchema {
  static final String FORMAT = "dpq-ledger";
  static final String VERSION = "1";

  static final String META = "dpq_ledger_meta";
  static final String HEAD = "dpq_ledger_head";
  static final String ENTRY = "dpq_ledger_entry";

  private static final List<String> DDL = List.of(
      "CREATE TABLE " + META + " (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
      "CREATE TABLE " + HEAD + " (dataset_id TEXT PRIMARY KEY, last_sequence BIGINT NOT NULL, last_hash TEXT NOT NULL)",
      "CREATE TABLE " + ENTRY + " ("
          + "dataset_id TEXT NOT NULL, sequence BIGINT NOT NULL, kind TEXT NOT NULL, fingerprint TEXT, "
          + "entry_time TEXT NOT NULL, analyst TEXT, sql_text TEXT, query_key TEXT, plan_hash TEXT, "
          + "measurements TEXT, cost_epsilon TEXT, cost_delta TEXT, result_json TEXT, refers_to BIGINT, note TEXT, "
          + "spent_epsilon TEXT NOT NULL, spent_delta TEXT NOT NULL, total_epsilon TEXT NOT NULL, "
          + "total_delta TEXT NOT NULL, previous_hash TEXT NOT NULL, hash TEXT NOT NULL, "
          + "PRIMARY KEY (dataset_id, sequence))",
      "CREATE INDEX dpq_ledger_entry_query ON " + ENTRY + " (dataset_id, query_key)",
      "CREATE INDEX dpq_ledger_entry_refers ON " + ENTRY + " (dataset_id, refers_to)");

  private LedgerSchema() {}

  /** The dialect for a location string. */
  /** The dialect of a DataSource: PostgreSQL only (an SQLite ledger needs its file's durability settings). */
  static Dialect dialectFor(javax.sql.DataSource dataSource) {
    java.util.Objects.requireNonNull(dataSource, "dataSource");
    try {
      if (dataSource.isWrapperFor(org.postgresql.ds.common.BaseDataSource.class)) {
        // Server error details can quote a failing row (a released result); keep them out of exceptions.
        dataSource.unwrap(org.postgresql.ds.common.BaseDataSource.class).setLogServerErrorDetail(false);
      }
      String product;
      try (java.sql.Connection c = dataSource.getConnection()) {
        product = c.getMetaData().getDatabaseProductName();
      }
      if (!"PostgreSQL".equalsIgnoreCase(product)) {
        throw new LedgerException("a ledger given as a DataSource must be a PostgreSQL database (this one is "
            + (product == null ? "unknown" : product.replaceAll("[^A-Za-z0-9 ._-]", "")) + "); give an SQLite "
            + "ledger as a file path instead");
      }
    } catch (java.sql.SQLException e) {
      throw new LedgerException("the ledger's DataSource gave no connection [SQLState " + e.getSQLState()
          + "]; check the DataSource's URL, credentials and pool");
    }
    return new Dialect.Postgres(dataSource);
  }

  static Dialect dialectFor(String location) {
    if (location == null || location.isBlank()) {
      throw new LedgerException("no ledger location given; set `ledger:` in the dataset YAML to a file path "
          + "or a jdbc:postgresql URL");
    }
    String loc = location.strip();
    if (loc.startsWith("jdbc:postgresql:")) {
      return new Dialect.Postgres(loc);
    }
    if (loc.startsWith("jdbc:sqlite:")) {
      loc = loc.substring("jdbc:sqlite:".length());
    } else if (loc.startsWith("jdbc:")) {
      throw new LedgerException("unsupported ledger location (only SQLite files and jdbc:postgresql URLs are "
          + "supported); use a file path or a jdbc:postgresql URL");
    }
    if (loc.isEmpty() || loc.startsWith(":memory:") || loc.startsWith("file:") || loc.contains("?")) {
      throw new LedgerException("the ledger must be a plain file path (in-memory or URI databases are not "
          + "durable); use a path such as data/pums.ledger.db");
    }
    return new Dialect.Sqlite(loc);
  }

  /**
   * Checks what exists at the location before connecting. Returns whether the SQLite file exists (and is non-empty).
   */
  static boolean precheckSqlite(Dialect.Sqlite d) {
    Path p = Path.of(d.path());
    if (Files.isDirectory(p)) {
      throw new LedgerException("the ledger location " + p + " is a directory; point `ledger:` at a file");
    }
    if (!Files.exists(p)) {
      Path parent = p.toAbsolutePath().getParent();
      if (parent == null || !Files.isDirectory(parent)) {
        throw new LedgerException("the directory of ledger file " + p + " does not exist; create it first");
      }
      return false;
    }
    if (!Files.isReadable(p) || !Files.isWritable(p)) {
      throw new LedgerException("ledger file " + p + " is not readable and writable by this user; fix its "
          + "permissions (queries are refused until then)");
    }
    try {
      if (Files.size(p) == 0) {
        throw new LedgerException("ledger file " + p + " exists but is empty, so its history is lost; restore it "
            + "from a backup (if this is a new dataset, delete the empty file and initialise the dataset)");
      }
    } catch (IOException e) {
      throw new LedgerException("cannot read ledger file " + p + "; check that it exists and is readable", e);
    }
    return true;
  }

  /**
   * Creates the tables when none exist yet and {@code mayCreate}; otherwise checks that they form a dpq
   * ledger of this version.
   */
  static void prepare(Connection c, Dialect d, boolean mayCreate) throws SQLException {
    d.lockSchema(c);
    Set<String> tables = d.tables(c);
    boolean meta = tables.contains(META);
    boolean head = tables.contains(HEAD);
    boolean entry = tables.contains(ENTRY);
    if (!meta && !head && !entry) {
      if (!mayCreate) {
        throw new LedgerException(d.describe() + " is an SQLite database but not a dpq ledger; point `ledger:` "
            + "at a dpq ledger file or at a path that does not exist yet");
      }
      try (Statement s = c.createStatement()) {
        for (String ddl : DDL) {
          s.execute(ddl);
        }
        for (String ddl : d.appendOnlyDdl()) {
          s.execute(ddl);
        }
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + META + " (name, value) VALUES (?, ?)")) {
        ps.setString(1, "format");
        ps.setString(2, FORMAT);
        ps.executeUpdate();
        ps.setString(1, "version");
        ps.setString(2, VERSION);
        ps.executeUpdate();
      }
      return;
    }
    if (!(meta && head && entry)) {
      throw new LedgerException(d.describe() + " holds only part of a dpq ledger (tables missing); restore the "
          + "ledger from a backup; queries are refused until then");
    }
    String format = null;
    String version = null;
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT name, value FROM " + META)) {
      while (rs.next()) {
        if ("format".equals(rs.getString(1))) {
          format = rs.getString(2);
        } else if ("version".equals(rs.getString(1))) {
          version = rs.getString(2);
        }
      }
    }
    if (!FORMAT.equals(format)) {
      throw new LedgerException(d.describe() + " is not a dpq ledger (its format marker is missing or wrong); "
          + "restore the ledger from a backup");
    }
    if (!VERSION.equals(version)) {
      throw new LedgerException(d.describe() + " uses ledger format version " + version + ", but this dpq reads "
          + "version " + VERSION + "; use a matching dpq release");
    }
  }

  /**
   * Creates a new SQLite ledger at {@code d.path()} atomically: the tables are built in a temporary file beside
   * it, which is then hard-linked into place (link never replaces an existing file) and the directory synced.
   * So a file at the ledger's path is always a complete ledger, and a process that finds an empty or foreign
   * file there can refuse it: it is never a ledger being created by someone else.
   */
  static void createSqlite(Dialect.Sqlite d) {
    Path target = Path.of(d.path()).toAbsolutePath();
    Path temp = target.resolveSibling(target.getFileName() + ".creating-" + Long.toHexString(System.nanoTime())
        + "-" + ProcessHandle.current().pid());
    Dialect.Sqlite tempDialect = new Dialect.Sqlite(temp.toString());
    try {
      try (Connection c = tempDialect.connect()) {
        tempDialect.beginWrite(c);
        prepare(c, tempDialect, true);
        tempDialect.commit(c);
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
          if (!rs.next() || rs.getInt(1) != 0) {
            throw new SQLException("could not checkpoint the new ledger");
          }
        }
      }
      try {
        Files.createLink(target, temp);
      } catch (java.nio.file.FileAlreadyExistsException raced) {
        return; // another process created it first; open theirs
      }
      try (java.nio.channels.FileChannel dir = java.nio.channels.FileChannel.open(target.getParent(),
          java.nio.file.StandardOpenOption.READ)) {
        dir.force(true);
      } catch (IOException ignored) {
        // some platforms cannot sync a directory; the first commit syncs the file itself
      }
    } catch (SQLException | IOException | UnsupportedOperationException e) {
      throw new LedgerException("cannot create a new ledger file at " + target + " (" + e.getMessage() + "); "
          + "check that its directory is writable and supports hard links", e);
    } finally {
      for (String suffix : List.of("", "-wal", "-shm", "-journal")) {
        try {
          Files.deleteIfExists(Path.of(temp + suffix));
        } catch (IOException ignored) {
          // a leftover temporary file is harmless: it is never opened as the ledger
        }
      }
    }
  }
}
