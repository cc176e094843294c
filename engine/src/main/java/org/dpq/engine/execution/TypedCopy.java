package org.dpq.engine.execution;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.dpq.engine.catalog.CacheLocation;
import org.dpq.engine.catalog.ColumnType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The typed local copy of a CSV or Parquet source: a DuckDB database file {@code <cache dir>/<fingerprint>.duckdb}
 * holding the table exactly as {@link DuckDbBackend} loads it (declared columns, declared types, cells that do not
 * convert as NULL) plus, for a CSV, the per-column counts of such cells, so that a later process opens the file
 * read-only instead of reading and converting the source again.
 *
 * <p>Owns the rule that a copy is used only when it is whole and belongs to the same data: it is written to a
 * temporary file and renamed into place, under a lock (one per JVM and a file lock across processes) so that only
 * one process builds it and no one reads a half-written file; the fingerprint and the copy format are stored
 * inside it and compared when it is opened; a file that does not open, or holds another fingerprint or format, is
 * deleted and rebuilt from the source, never trusted. The copy is row-level data and needs the same protection
 * as the source (see {@link CacheLocation}). Messages and logs name files, never values.
 */
public final class TypedCopy {
  /** Bumped whenever the way a source is loaded (conversion, NULL policy) changes: older copies are rebuilt. */
  static final String FORMAT = "dpq-typed-copy-v1";
  static final String ATTACHED = "dpq_copy";
  private static final String DATA = "dpq_data";
  private static final String META = "dpq_meta";
  private static final String COUNTS = "dpq_unparsable";
  private static final Logger LOG = LoggerFactory.getLogger(TypedCopy.class);
  private static final ConcurrentHashMap<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

  private final Path file;
  private final String fingerprint;

  private TypedCopy(Path file, String fingerprint) {
    this.file = file;
    this.fingerprint = fingerprint;
  }

  /**
   * The copy of dataset {@code dataset}'s data with {@code fingerprint} in {@code cache}, or empty when the cache is
   * off. Its file is {@code <dataset>.<fingerprint>.duckdb} (the name reduced to letters, digits, '-' and '_'), so
   * that writing it can delete the dataset's copies of older data.
   */
  public static Optional<TypedCopy> of(CacheLocation cache, String dataset, String fingerprint) {
    String prefix = dataset.replaceAll("[^A-Za-z0-9_-]", "_");
    return cache.dir().map(d -> new TypedCopy(d.resolve(prefix + "." + fingerprint + ".duckdb"), fingerprint));
  }

  /** The database file. */
  public Path file() {
    return file;
  }

  /** What the source loader does: exposes the typed table in the connection and returns the CSV counts. */
  @FunctionalInterface
  interface Loader {
    List<UnparsableCells> load() throws SQLException;
  }

  /**
   * Exposes the table {@code table} in {@code c}: from the copy when a valid one exists (attached read-only, the
   * table a view over it), else with {@code loader} from the source, after which the copy is written for the next
   * process. A copy that cannot be written (a read-only folder, a full disk) is skipped: the query still runs.
   */
  List<UnparsableCells> expose(Connection c, String table, Loader loader) throws SQLException {
    // A copy is only ever renamed into place whole, so a valid one can be opened without the lock; concurrent
    // processes then do not queue behind each other to read it. Anything else is decided under the lock.
    Optional<List<UnparsableCells>> ready = attach(c, table, false);
    if (ready.isPresent()) {
      return ready.get();
    }
    ReentrantLock jvm = JVM_LOCKS.computeIfAbsent(file, f -> new ReentrantLock());
    jvm.lock();
    try (FileChannel lock = lockFile()) {
      Optional<List<UnparsableCells>> attached = lock == null ? Optional.empty() : attach(c, table, true);
      if (attached.isPresent()) {
        return attached.get();
      }
      List<UnparsableCells> counts = loader.load();
      if (lock != null) {
        write(c, table, counts);
      }
      return counts;
    } catch (IOException e) {
      throw new SQLException("cannot lock the typed copy " + file, e);
    } finally {
      jvm.unlock();
    }
  }

  /** The locked channel of the cross-process lock, or null when the cache folder cannot be made (the copy is then neither read nor written). */
  private FileChannel lockFile() {
    try {
      CacheLocation.createPrivate(file.getParent());
      FileChannel channel = FileChannel.open(file.resolveSibling(file.getFileName() + ".lock"),
          StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      try {
        channel.lock(); // released when the channel is closed
        return channel;
      } catch (IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
    } catch (IOException e) {
      LOG.warn("the cache folder {} cannot be used ({}); reading the source without a typed copy",
          file.getParent(), e.getClass().getSimpleName());
      return null;
    }
  }

  /**
   * Attaches a valid copy and exposes the table as a view over it; empty otherwise, and when {@code locked} (only
   * the lock holder may) the bad file is deleted.
   */
  private Optional<List<UnparsableCells>> attach(Connection c, String table, boolean locked) {
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    boolean attached = false;
    try (Statement s = c.createStatement()) {
      s.execute("ATTACH " + DuckDbSql.literal(file.toString()) + " AS " + ATTACHED + " (READ_ONLY)");
      attached = true;
      String stored = null;
      String format = null;
      try (ResultSet r = s.executeQuery("SELECT key, value FROM " + ATTACHED + ".main." + META)) {
        while (r.next()) {
          if (r.getString(1).equals("fingerprint")) {
            stored = r.getString(2);
          } else if (r.getString(1).equals("format")) {
            format = r.getString(2);
          }
        }
      }
      if (!fingerprint.equals(stored) || !FORMAT.equals(format)) {
        throw new SQLException("the typed copy holds another fingerprint or format");
      }
      List<UnparsableCells> counts = new ArrayList<>();
      try (ResultSet r = s.executeQuery("SELECT name, type, non_empty, unparsable FROM " + ATTACHED + ".main."
          + COUNTS + " ORDER BY position")) {
        while (r.next()) {
          counts.add(new UnparsableCells(r.getString(1), ColumnType.valueOf(r.getString(2)), r.getLong(3),
              r.getLong(4)));
        }
      }
      s.execute("CREATE VIEW " + DuckDbSql.quote(table) + " AS SELECT * FROM " + ATTACHED + ".main." + DATA);
      LOG.debug("typed copy {} opened", file);
      return Optional.of(List.copyOf(counts));
    } catch (SQLException | RuntimeException e) {
      if (locked) {
        LOG.warn("the typed copy {} is unusable ({}); rebuilding it from the source", file,
            e.getClass().getSimpleName());
      }
      if (attached) {
        try (Statement s = c.createStatement()) {
          s.execute("DETACH " + ATTACHED);
        } catch (SQLException ignored) {
          // the connection is closed by the caller on failure
        }
      }
      if (locked) {
        deleteQuietly(file);
        deleteQuietly(file.resolveSibling(file.getFileName() + ".wal"));
      }
      return Optional.empty();
    }
  }

  /** Writes the loaded table and its counts to a temporary file, then renames it into place. */
  private void write(Connection c, String table, List<UnparsableCells> counts) {
    Path tmp = file.resolveSibling(file.getFileName() + "." + UUID.randomUUID() + ".tmp");
    String alias = "dpq_new_copy";
    boolean attached = false;
    try (Statement s = c.createStatement()) {
      s.execute("ATTACH " + DuckDbSql.literal(tmp.toString()) + " AS " + alias);
      attached = true;
      s.execute("CREATE TABLE " + alias + ".main." + DATA + " AS SELECT * FROM " + DuckDbSql.quote(table));
      s.execute("CREATE TABLE " + alias + ".main." + COUNTS
          + " (position INTEGER, name VARCHAR, type VARCHAR, non_empty BIGINT, unparsable BIGINT)");
      for (int i = 0; i < counts.size(); i++) {
        UnparsableCells u = counts.get(i);
        s.execute("INSERT INTO " + alias + ".main." + COUNTS + " VALUES (" + i + ", " + DuckDbSql.literal(u.column())
            + ", " + DuckDbSql.literal(u.type().name()) + ", " + u.nonEmpty() + ", " + u.unparsable() + ")");
      }
      // Written last: a copy without its fingerprint is never used.
      s.execute("CREATE TABLE " + alias + ".main." + META + " (key VARCHAR, value VARCHAR)");
      s.execute("INSERT INTO " + alias + ".main." + META + " VALUES ('format', " + DuckDbSql.literal(FORMAT)
          + "), ('fingerprint', " + DuckDbSql.literal(fingerprint) + ")");
      s.execute("DETACH " + alias);
      attached = false;
      deleteQuietly(tmp.resolveSibling(tmp.getFileName() + ".wal"));
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
      LOG.debug("typed copy {} written", file);
      deleteOlderCopies();
    } catch (SQLException | IOException e) {
      LOG.warn("the typed copy {} could not be written ({}); the next call reads the source again", file,
          e.getClass().getSimpleName());
      if (attached) {
        try (Statement s = c.createStatement()) {
          s.execute("DETACH " + alias);
        } catch (SQLException ignored) {
          // nothing more to undo
        }
      }
    } finally {
      deleteQuietly(tmp);
      deleteQuietly(tmp.resolveSibling(tmp.getFileName() + ".wal"));
    }
  }

  /**
   * Deletes the dataset's copies of other data (same name, other fingerprint): each change of the source would
   * otherwise leave a copy behind. A process still reading one keeps it open (POSIX); the lock files stay, so
   * that no two processes ever hold different locks for one copy.
   */
  private void deleteOlderCopies() {
    String name = file.getFileName().toString();
    String prefix = name.substring(0, name.length() - fingerprint.length() - ".duckdb".length());
    try (java.nio.file.DirectoryStream<Path> dir = Files.newDirectoryStream(file.getParent(),
        p -> {
          String n = p.getFileName().toString();
          return n.startsWith(prefix) && n.endsWith(".duckdb") && !n.equals(name)
              && n.length() == name.length() && n.substring(prefix.length()).matches("[0-9a-f]{64}\\.duckdb");
        })) {
      for (Path old : dir) {
        deleteQuietly(old);
      }
    } catch (IOException e) {
      // left for the next write
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // left for the next rebuild
    }
  }
}
