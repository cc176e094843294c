package org.dpq.engine.execution;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.apache.calcite.sql.SqlDialect;
import org.dpq.engine.catalog.Column;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.Source;
import org.dpq.errors.BackendException;
import org.dpq.errors.QueryRejectedException;
import org.duckdb.DuckDBConnection;

/**
 * The embedded backend: an in-memory DuckDB that exposes a CSV or Parquet source as the dataset's table (exactly
 * the declared columns, typed, unparsable cells as NULL; see {@link DuckDbSql}) and runs bounded queries on it.
 * A CSV whose cells fail to convert beyond {@code source.max_unparsable_fraction} (default 0), or a Parquet column
 * of a type its declaration does not accept, is refused when the source is opened, before any charge.
 * Owns two privacy properties of execution: errors never carry a data value (messages come from the error's
 * category only), and once the table is exposed the database is locked down, so that SQL can neither read
 * another file nor change a setting.
 *
 * <p>Opened with a {@link TypedCopy}, the table comes from the copy when a valid one exists (attached read-only,
 * the source not read again) and the copy is written otherwise; {@link #declared} opens an empty table of the
 * declared types that reads nothing, for analysis and dry runs.
 *
 * <p>Thread-safe: each {@link #execute} runs on its own duplicate of one connection to the same in-memory
 * database, so queries may run concurrently; {@link #close} waits for running queries. Cells come back through
 * {@code JdbcValues}: integer results as {@link Long}, real ones as {@link Double}, keys as {@link String} for
 * string columns; a value that would lose precision keeps its JDBC type (always a {@link Number} for numbers).
 *
 * <p>{@link Storage#TABLE} is the default. Measured on 2 shared cores with a 1M-row, 26 MB CSV (200k units,
 * 16 groups): loading takes 0.3-0.75 s once, then a plain GROUP BY runs in 17-36 ms and the per-unit bounded
 * query in 0.10-0.23 s; a {@link Storage#VIEW} re-reads the file on every query (0.14-0.32 s plain,
 * 0.28-0.96 s bounded). Both read a CSV once when opened, to count the cells that do not convert (so a view no
 * longer opens in 20-55 ms, measured before that count), and so both report a malformed file before any budget
 * is charged. The table wins from the second query on. The first DuckDB connection in a JVM costs 0.6-1.1 s
 * (native library load); later ones about 20 ms.
 */
public final class DuckDbBackend implements Backend {
  /** How the source is exposed. */
  public enum Storage {
    /** Load the source into an in-memory table once; repeated queries do not re-read or re-parse the file. */
    TABLE,
    /** A view over the file; nothing is loaded up front, every query reads and converts the file again. */
    VIEW
  }

  private final DuckDBConnection root;
  /** A second in-memory database holding an empty table of the same schema, for {@link #dryRun}. */
  private final DuckDBConnection dry;
  private final Storage storage;
  private final long timeoutSeconds;
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private final RunningStatements<Statement> running = new RunningStatements<>(Statement::cancel);
  private boolean closed;
  /**
   * Bounded queries the empty twin already ran without error. The twin's schema never changes, so the answer
   * holds for the backend's life; it spares the ~2 ms of planning a repeated query (another epsilon, say) costs.
   */
  private final Set<String> dryRunPassed = ConcurrentHashMap.newKeySet();
  private static final int MAX_DRY_RUNS_REMEMBERED = 1_024;

  /** Per CSV column that may fail to convert, its counts when the source was opened (empty for Parquet). */
  private final List<UnparsableCells> unparsableCells;

  /** This backend's own spill folder (owner-only), deleted on {@link #close}. */
  private final Path spill;

  private DuckDbBackend(DuckDBConnection root, DuckDBConnection dry, Storage storage, long timeoutSeconds,
      List<UnparsableCells> unparsableCells, Path spill) {
    this.spill = spill;
    this.root = root;
    this.dry = dry;
    this.storage = storage;
    this.timeoutSeconds = timeoutSeconds;
    this.unparsableCells = unparsableCells;
  }

  /**
   * For each declared column of a CSV source whose type is not string, how many non-empty cells there were and
   * how many of them did not convert (read as NULL), counted when the source was opened. Empty for Parquet,
   * whose types are checked instead. Counts only: an owner's view, never released to analysts by dpq.
   */
  public List<UnparsableCells> unparsableCells() {
    return unparsableCells;
  }

  private static void refuseUnparsable(Dataset d, List<UnparsableCells> cells, double maxFraction) {
    List<String> above = UnparsableCells.above(cells, maxFraction);
    if (!above.isEmpty()) {
      throw new BackendException("in the CSV source of dataset '" + d.name() + "', cells do not convert to their "
          + "declared type: " + String.join("; ", above) + " (source.max_unparsable_fraction allows "
          + BigDecimal.valueOf(maxFraction).stripTrailingZeros().toPlainString() + "). " + UnparsableCells.FIX
          + "; dpq datasets validate lists every column");
    }
  }

  /** Opens a backend that loads the source into a table (the default; see {@link Storage}). */
  public static DuckDbBackend open(Dataset dataset) {
    return open(dataset, Storage.TABLE);
  }

  /**
   * Opens an in-memory DuckDB and exposes the dataset's CSV or Parquet source as its table.
   *
   * @throws BackendException when the source is missing, lacks a declared column, cannot be read, has a
   *     Parquet column whose type the declaration does not accept, or has more CSV cells that do not convert to
   *     their declared type than {@code source.max_unparsable_fraction} allows (the message names the columns
   *     and counts, never a value)
   */
  public static DuckDbBackend open(Dataset dataset, Storage storage) {
    return open(dataset, storage, true);
  }

  /**
   * Like {@link #open(Dataset, Storage)}; with {@code enforceThreshold} false a CSV whose cells fail to convert
   * beyond {@code source.max_unparsable_fraction} still opens, so that {@code dpq datasets validate} can report
   * every column's counts ({@link #unparsableCells}). The query path always enforces it.
   */
  public static DuckDbBackend open(Dataset dataset, Storage storage, boolean enforceThreshold) {
    return open(dataset, storage, enforceThreshold, Optional.empty());
  }

  /**
   * Like {@link #open(Dataset)}, but from the typed local copy when {@code copy} is given and a valid one exists
   * (attached read-only: the source is not read again), else from the source, after which the copy is written for
   * later processes. The unparsable-cell threshold is enforced from the counts stored with the copy.
   */
  public static DuckDbBackend open(Dataset dataset, Optional<TypedCopy> copy) {
    return open(dataset, Storage.TABLE, true, copy);
  }

  /**
   * An embedded DuckDB holding an empty table of the declared columns and types, reading no source at all: for
   * analysis and the dry run before any data is loaded ({@code explain}, rejections). Its {@link #execute} sees
   * no row, so it must never answer a query.
   */
  public static DuckDbBackend declared(Dataset dataset) {
    DuckDBConnection root;
    try {
      root = newConnection();
    } catch (SQLException e) {
      throw new BackendException("could not start the embedded DuckDB: " + DuckDbErrors.describe(e));
    }
    DuckDBConnection dry = null;
    try (Statement s = root.createStatement()) {
      for (org.dpq.engine.catalog.TableSpec t : dataset.allTables()) {
        List<String> columns = new ArrayList<>();
        for (Column c : t.columns()) {
          columns.add(DuckDbSql.quote(c.name()) + " " + DuckDbSql.declaredType(c.type()));
        }
        s.execute("CREATE TABLE " + DuckDbSql.quote(t.name()) + " (" + String.join(", ", columns) + ")");
      }
      disableTopNWindowElimination(s);
      s.execute("SET enable_external_access = false");
      s.execute("SET lock_configuration = true");
      dry = newConnection();
      emptyTwins(root, dry, dataset);
      return new DuckDbBackend(root, dry, Storage.TABLE, dataset.limits().timeoutSeconds(), List.of(), null);
    } catch (SQLException e) {
      closeQuietly(root);
      if (dry != null) {
        closeQuietly(dry);
      }
      throw DuckDbErrors.opening(e, dataset.table());
    }
  }

  private static DuckDbBackend open(Dataset dataset, Storage storage, boolean enforceThreshold,
      Optional<TypedCopy> copy) {
    if (dataset.hasSeveralTables()) {
      return openTables(dataset, storage, enforceThreshold);
    }
    Source source = dataset.source();
    Path path;
    if (source instanceof Source.Csv csv) {
      path = csv.path().toAbsolutePath().normalize();
    } else if (source instanceof Source.Parquet parquet) {
      path = parquet.path().toAbsolutePath().normalize();
    } else {
      throw new BackendException("DuckDB reads CSV and Parquet sources; dataset '" + dataset.name()
          + "' has a JDBC source (use Backends.open)");
    }
    if (source instanceof Source.Csv && storage == Storage.VIEW && DuckDbSql.isGlob(path)) {
      // Read literally, such a name needs its folder listed, which the locked-down view may not do.
      throw new BackendException("the CSV file name " + path.getFileName() + " holds *, ? or [, which a view "
          + "cannot read once DuckDB is locked down; use Storage.TABLE or rename the file");
    }
    boolean pattern = source instanceof Source.Parquet && DuckDbSql.isGlob(path);
    if (!pattern && !Files.isRegularFile(path)) {
      throw new BackendException("the source file " + path + " of dataset '" + dataset.name()
          + "' does not exist or is not a file; fix source in the dataset YAML");
    }
    DuckDBConnection root;
    try {
      root = newConnection();
    } catch (SQLException e) {
      throw new BackendException("could not start the embedded DuckDB: " + DuckDbErrors.describe(e));
    }
    DuckDBConnection dry = null;
    Path spill = null;
    try {
      spill = configure(root, dataset);
      List<UnparsableCells> unparsable = copy.isPresent() && storage == Storage.TABLE
          ? copy.get().expose(root, dataset.table(), () -> expose(root, dataset, storage, path))
          : expose(root, dataset, storage, path);
      lockDown(root, dataset, storage, path);
      if (enforceThreshold && source instanceof Source.Csv csv) {
        refuseUnparsable(dataset, unparsable, csv.options().maxUnparsableFraction());
      }
      dry = newConnection();
      emptyTwins(root, dry, dataset);
      return new DuckDbBackend(root, dry, storage, dataset.limits().timeoutSeconds(), unparsable, spill);
    } catch (SQLException e) {
      closeQuietly(root);
      if (dry != null) {
        closeQuietly(dry);
      }
      deleteSpill(spill);
      throw DuckDbErrors.opening(e, dataset.table());
    } catch (RuntimeException e) {
      closeQuietly(root);
      if (dry != null) {
        closeQuietly(dry);
      }
      deleteSpill(spill);
      throw e;
    }
  }

  /**
   * A dataset of several tables: every table is loaded into its own in-memory table (directly from its file; the
   * typed local copy covers single-table datasets only), each checked like a single table's source, and every
   * public table's key is checked to be unique, so that a join on it can never multiply a private row. A
   * duplicate key refuses to open (the message names the table and column, never a value), before any charge.
   */
  private static DuckDbBackend openTables(Dataset dataset, Storage storage, boolean enforceThreshold) {
    if (storage != Storage.TABLE) {
      throw new BackendException("dataset '" + dataset.name() + "' has several tables, which DuckDB loads as "
          + "tables only; use Storage.TABLE");
    }
    Map<org.dpq.engine.catalog.TableSpec, Path> paths = new java.util.LinkedHashMap<>();
    for (org.dpq.engine.catalog.TableSpec t : dataset.allTables()) {
      Path path;
      if (t.source() instanceof Source.Csv csv) {
        path = csv.path().toAbsolutePath().normalize();
      } else if (t.source() instanceof Source.Parquet parquet) {
        path = parquet.path().toAbsolutePath().normalize();
      } else {
        throw new BackendException("table '" + t.name() + "' of dataset '" + dataset.name() + "' is not a CSV or "
            + "Parquet file; the embedded DuckDB runs datasets of several tables from files only");
      }
      boolean pattern = t.source() instanceof Source.Parquet && DuckDbSql.isGlob(path);
      if (!pattern && !Files.isRegularFile(path)) {
        throw new BackendException("the source file " + path + " of table '" + t.name() + "' of dataset '"
            + dataset.name() + "' does not exist or is not a file; fix tables." + t.name() + ".source in the "
            + "dataset YAML");
      }
      paths.put(t, path);
    }
    DuckDBConnection root;
    try {
      root = newConnection();
    } catch (SQLException e) {
      throw new BackendException("could not start the embedded DuckDB: " + DuckDbErrors.describe(e));
    }
    DuckDBConnection dry = null;
    Path spill = null;
    String current = dataset.table();
    try {
      spill = configure(root, dataset);
      List<UnparsableCells> unparsable = new ArrayList<>();
      for (Map.Entry<org.dpq.engine.catalog.TableSpec, Path> e : paths.entrySet()) {
        org.dpq.engine.catalog.TableSpec t = e.getKey();
        current = t.name();
        Dataset one = dataset.single(t);
        List<UnparsableCells> cells = expose(root, one, Storage.TABLE, e.getValue());
        if (enforceThreshold && t.source() instanceof Source.Csv csv) {
          refuseUnparsable(one, cells, csv.options().maxUnparsableFraction());
        }
        unparsable.addAll(cells);
      }
      current = dataset.table();
      refuseRepeatedKeys(root, dataset);
      lockDown(root, dataset, Storage.TABLE, null);
      dry = newConnection();
      emptyTwins(root, dry, dataset);
      return new DuckDbBackend(root, dry, Storage.TABLE, dataset.limits().timeoutSeconds(), List.copyOf(unparsable),
          spill);
    } catch (SQLException e) {
      closeQuietly(root);
      if (dry != null) {
        closeQuietly(dry);
      }
      deleteSpill(spill);
      throw DuckDbErrors.opening(e, current);
    } catch (RuntimeException e) {
      closeQuietly(root);
      if (dry != null) {
        closeQuietly(dry);
      }
      deleteSpill(spill);
      throw e;
    }
  }

  /**
   * Refuses a dataset whose keys that must be unique ({@link UniqueKeys}: public keys, and the keys a child table
   * reaches its unit through) repeat, by one query of counts over the loaded tables: the same rule and message as
   * PostgreSQL and Spark. Nothing is released and no value is read.
   */
  private static void refuseRepeatedKeys(Connection c, Dataset d) throws SQLException {
    List<UniqueKeys.Key> keys = UniqueKeys.of(d);
    if (keys.isEmpty()) {
      return;
    }
    try (Statement s = c.createStatement()) {
      UniqueKeys.refuseRepeats(s, UniqueKeys.query(keys, DuckDbSql::quote), d.name(), keys);
    }
  }

  private static List<UnparsableCells> expose(Connection c, Dataset d, Storage storage, Path path)
      throws SQLException {
    List<UnparsableCells> unparsable = List.of();
    try (Statement s = c.createStatement()) {
      String kind = storage == Storage.TABLE ? "TABLE" : "VIEW";
      String table = DuckDbSql.quote(d.table());
      if (d.source() instanceof Source.Csv csv) {
        Source.CsvOptions options = csv.options();
        List<String> header = CsvHeader.read(path, options.delimiter(), options.quote());
        List<String> sourceNames = options.header() ? match(d, header, true) : positions(d, header.size());
        String reader = DuckDbSql.csvReader(path, header.size(), options);
        String flagged = DuckDbSql.withConversionFlags(d.columns(), sourceNames, reader, options.dateFormat());
        options.dateFormat().ifPresent(f -> checkDateFormat(s, f));
        if (storage == Storage.TABLE) {
          // One pass reads the file, converts the cells and flags those that did not convert.
          s.execute("CREATE TABLE " + table + " AS " + flagged);
          unparsable = countUnparsable(s, d, table);
          for (int i = 0; i < d.columns().size(); i++) {
            if (DuckDbSql.mayFail(d.columns().get(i).type())) {
              s.execute("ALTER TABLE " + table + " DROP COLUMN " + DuckDbSql.quote(DuckDbSql.flagColumn(i)));
            }
          }
        } else {
          unparsable = countUnparsable(s, d, "(" + flagged + ")");
          List<String> types = sourceNames.stream().map(n -> "VARCHAR").toList();
          s.execute("CREATE VIEW " + table + " AS "
              + DuckDbSql.relation(d.columns(), sourceNames, types, reader, options.dateFormat()));
        }
      } else {
        String reader = DuckDbSql.parquetReader(path);
        List<String> names = new ArrayList<>();
        Map<String, String> types = new HashMap<>();
        try (ResultSet r = s.executeQuery("DESCRIBE SELECT * FROM " + reader)) {
          while (r.next()) {
            names.add(r.getString("column_name"));
            types.put(r.getString("column_name"), r.getString("column_type"));
          }
        }
        List<String> sourceNames = match(d, names, false);
        List<String> sourceTypes = new ArrayList<>();
        sourceNames.forEach(n -> sourceTypes.add(types.getOrDefault(n, "VARCHAR")));
        checkParquetTypes(d, sourceTypes);
        s.execute("CREATE " + kind + " " + table + " AS "
            + DuckDbSql.relation(d.columns(), sourceNames, sourceTypes, reader, Optional.empty()));
      }
    }
    return unparsable;
  }

  /**
   * Locks the database down once the table is exposed: only the dataset's own file stays readable (a view reads
   * it on every query; a typed copy stays attached read-only), no setting can change.
   */
  private static void lockDown(Connection c, Dataset d, Storage storage, Path path) throws SQLException {
    try (Statement s = c.createStatement()) {
      if (storage == Storage.VIEW) {
        if (d.source() instanceof Source.Parquet && DuckDbSql.isGlob(path)) {
          s.execute("SET allowed_directories = [" + DuckDbSql.literal(path.getParent().toString() + "/") + "]");
        } else {
          s.execute("SET allowed_paths = [" + DuckDbSql.literal(path.toString()) + "]");
        }
      }
      disableTopNWindowElimination(s); // memory, threads and spill folder were set by configure, before the load
      s.execute("SET enable_external_access = false");
      s.execute("SET lock_configuration = true");
    }
  }

  /** Per declared column that may fail to convert, its non-empty and unparsable cells (counts only). */
  private static List<UnparsableCells> countUnparsable(Statement s, Dataset d, String relation) throws SQLException {
    List<String> counts = new ArrayList<>();
    List<Column> counted = new ArrayList<>();
    for (int i = 0; i < d.columns().size(); i++) {
      Column col = d.columns().get(i);
      if (DuckDbSql.mayFail(col.type())) {
        String flag = DuckDbSql.quote(DuckDbSql.flagColumn(i));
        counts.add("COUNT(*) FILTER (WHERE " + flag + " > 0)");
        counts.add("COUNT(*) FILTER (WHERE " + flag + " = 2)");
        counted.add(col);
      }
    }
    if (counted.isEmpty()) {
      return List.of();
    }
    List<UnparsableCells> result = new ArrayList<>();
    try (ResultSet r = s.executeQuery("SELECT " + String.join(", ", counts) + " FROM " + relation)) {
      r.next();
      for (int i = 0; i < counted.size(); i++) {
        result.add(new UnparsableCells(counted.get(i).name(), counted.get(i).type(), r.getLong(2 * i + 1),
            r.getLong(2 * i + 2)));
      }
    }
    return List.copyOf(result);
  }

  /** A date format DuckDB rejects fails here, before any row is read, rather than as NULL dates. */
  private static void checkDateFormat(Statement s, String format) {
    try (ResultSet r = s.executeQuery("SELECT try_strptime('', " + DuckDbSql.literal(format) + ")")) {
      r.next();
    } catch (SQLException e) {
      throw new BackendException("source.date_format is not a format DuckDB's strptime accepts; write it with "
          + "%d, %m, %Y and the like, e.g. \"%d/%m/%Y\" for 31/12/2024");
    }
  }

  /** Parquet types that hold the declared type exactly: int and long need integers, as on PostgreSQL. */
  private static final Set<String> PARQUET_INTEGERS = Set.of("TINYINT", "SMALLINT", "INTEGER", "BIGINT",
      "UTINYINT", "USMALLINT", "UINTEGER");

  /**
   * Compares each Parquet column's physical type with its declaration, as the PostgreSQL and Spark sources do:
   * int and long need an integer type that fits in 64 bits, double any integer, float, double or decimal,
   * boolean and date their own type, string anything (its text form). A mismatch is refused when the source is
   * opened rather than read as NULLs; the message names columns and types, never a value.
   */
  private static void checkParquetTypes(Dataset d, List<String> sourceTypes) {
    List<String> mistyped = new ArrayList<>();
    for (int i = 0; i < d.columns().size(); i++) {
      Column col = d.columns().get(i);
      String t = sourceTypes.get(i).toUpperCase(Locale.ROOT);
      boolean integer = PARQUET_INTEGERS.contains(t);
      boolean accepts = switch (col.type()) {
        case INT, LONG -> integer;
        case DOUBLE -> integer || t.equals("FLOAT") || t.equals("DOUBLE") || t.startsWith("DECIMAL")
            || t.equals("UBIGINT") || t.equals("HUGEINT");
        case BOOLEAN -> t.equals("BOOLEAN");
        case DATE -> t.equals("DATE");
        case STRING -> true;
      };
      if (!accepts) {
        mistyped.add(col.name() + " (declared " + col.type().name().toLowerCase(Locale.ROOT) + ", Parquet type "
            + t + ")");
      }
    }
    if (!mistyped.isEmpty()) {
      throw new BackendException("in the Parquet source of dataset '" + d.name() + "', these columns do not have "
          + "a type their declaration accepts: " + String.join(", ", mistyped) + "; fix the declared type (e.g. "
          + "double for a DOUBLE or DECIMAL column, string for text), or convert the column in the file");
    }
  }

  /** Declared columns of a CSV without header: {@code from} gives a 1-based position, else declaration order. */
  private static List<String> positions(Dataset d, int width) {
    List<String> names = new ArrayList<>();
    List<String> beyond = new ArrayList<>();
    for (int i = 0; i < d.columns().size(); i++) {
      Column col = d.columns().get(i);
      int position = col.from().map(Integer::parseInt).orElse(i + 1);
      if (position > width) {
        beyond.add(col.name() + " (column " + position + ")");
      }
      names.add(DuckDbSql.csvColumn(position - 1));
    }
    if (!beyond.isEmpty()) {
      throw new BackendException("the CSV source of dataset '" + d.name() + "' has " + width + " columns, fewer than "
          + "these declarations need: " + String.join(", ", beyond) + "; fix from: or the declared columns");
    }
    return names;
  }

  /**
   * Caps what one query may take: {@code memory_limit} (the dataset's {@code limits.memory_mb}, else half of the
   * machine's memory, so that DuckDB fails with an error its caller turns into the one failure-after-charge
   * outcome instead of the process being killed) and {@code threads}. Set before the configuration is locked.
   */
  private static void limit(Statement s, org.dpq.engine.catalog.Limits limits) throws SQLException {
    long memory = limits.memoryMegabytes().orElse(Math.max(256, physicalMemoryMegabytes() / 2));
    s.execute("SET memory_limit = '" + memory + "MB'");
    int threads = limits.threads().orElse(Runtime.getRuntime().availableProcessors());
    s.execute("SET threads = " + threads);
  }

  /** The system property naming the folder under which each DuckDB backend makes its spill folder. */
  public static final String SPILL_PARENT_PROPERTY = "dpq.duckdb.spill_dir";

  /**
   * Sets the memory cap, threads and spill folder on a new connection, before anything is loaded, so that
   * loading a large source and the bounded queries over it both stay under {@code memory_limit}, spilling to
   * disk (DuckDB's hash aggregates, joins, sorts and windows do) instead of growing past it. The spill folder is
   * this backend's own, owner-only ({@code rwx------}), under {@code -Ddpq.duckdb.spill_dir} or else
   * {@code java.io.tmpdir}; DuckDB otherwise spills an in-memory database to {@code .tmp} in the working folder.
   * Spilled blocks are source rows: like the source itself they stay on the owner's machine, readable by the
   * owner only, and are deleted on {@link #close}.
   */
  private static Path configure(Connection c, Dataset d) throws SQLException {
    Path spill = spillDirectory();
    try (Statement s = c.createStatement()) {
      limit(s, d.limits());
      s.execute("SET temp_directory = " + DuckDbSql.literal(spill.toString()));
    }
    return spill;
  }

  private static Path spillDirectory() {
    Path parent = Path.of(System.getProperty(SPILL_PARENT_PROPERTY, System.getProperty("java.io.tmpdir")));
    try {
      Files.createDirectories(parent);
      if (parent.getFileSystem().supportedFileAttributeViews().contains("posix")) {
        return Files.createTempDirectory(parent, "dpq-duckdb-spill-", java.nio.file.attribute.PosixFilePermissions
            .asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
      }
      return Files.createTempDirectory(parent, "dpq-duckdb-spill-");
    } catch (java.io.IOException e) {
      throw new BackendException("could not create DuckDB's spill folder under " + parent + " ("
          + e.getClass().getSimpleName() + "); make it writable or set -D" + SPILL_PARENT_PROPERTY
          + " to a writable folder");
    }
  }

  private static void deleteSpill(Path spill) {
    if (spill == null) {
      return;
    }
    try (java.util.stream.Stream<Path> walk = Files.walk(spill)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (java.io.IOException | java.io.UncheckedIOException e) {
      // a temporary folder: the OS cleans it
    }
  }

  private static long physicalMemoryMegabytes() {
    if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getTotalMemorySize() >> 20;
    }
    return 4096;
  }

  /**
   * Creates, in {@code dry}, an empty table with the name and column types of every exposed table of the dataset,
   * then locks the twin.
   */
  private static void emptyTwins(Connection root, Connection dry, Dataset dataset) throws SQLException {
    List<String> tables = dataset.hasSeveralTables()
        ? dataset.allTables().stream().map(org.dpq.engine.catalog.TableSpec::name).toList()
        : List.of(dataset.table());
    for (String table : tables) {
      emptyTable(root, dry, table);
    }
    try (Statement s = dry.createStatement()) {
      s.execute("SET enable_external_access = false");
      s.execute("SET lock_configuration = true");
    }
  }

  private static void emptyTable(Connection root, Connection dry, String table) throws SQLException {
    List<String> columns = new ArrayList<>();
    try (Statement s = root.createStatement();
         ResultSet r = s.executeQuery("DESCRIBE " + DuckDbSql.quote(table))) {
      while (r.next()) {
        columns.add(DuckDbSql.quote(r.getString("column_name")) + " " + r.getString("column_type"));
      }
    }
    try (Statement s = dry.createStatement()) {
      s.execute("CREATE TABLE " + DuckDbSql.quote(table) + " (" + String.join(", ", columns) + ")");
    }
  }

  /**
   * DuckDB (1.4 and later) rewrites the bounded query's {@code ROW_NUMBER() OVER (PARTITION BY unit ...) <= G}
   * into a top-G aggregate ({@code arg_min(..., G)}), which on per-unit rows (many tiny partitions) took twice
   * the CPU time of the window it replaces (1M rows, 200k units: 0.72 s against 0.33 s). Switched off where the
   * optimizer exists, so that a DuckDB without it still opens.
   */
  private static void disableTopNWindowElimination(Statement s) throws SQLException {
    try (ResultSet r = s.executeQuery(
        "SELECT COUNT(*) FROM duckdb_optimizers() WHERE name = 'top_n_window_elimination'")) {
      if (r.next() && r.getLong(1) > 0) {
        s.execute("SET GLOBAL disabled_optimizers = 'top_n_window_elimination'");
      }
    }
  }

  /**
   * For each declared column, the source column holding it (matched case-insensitively, blanks ignored): its
   * positional CSV name, or its Parquet name. Messages name declared columns only, never what the file holds.
   */
  private static List<String> match(Dataset d, List<String> names, boolean positional) {
    List<String> sourceNames = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    List<String> ambiguous = new ArrayList<>();
    for (Column col : d.columns()) {
      int found = -1;
      int count = 0;
      String wanted = col.from().orElse(col.name());
      for (int i = 0; i < names.size(); i++) {
        if (names.get(i).strip().equalsIgnoreCase(wanted)) {
          found = found < 0 ? i : found;
          count++;
        }
      }
      if (count == 0) {
        missing.add(col.from().isPresent() ? col.name() + " (from: " + wanted + ")" : col.name());
      } else if (count > 1) {
        ambiguous.add(col.name());
      }
      sourceNames.add(found < 0 ? null : positional ? DuckDbSql.csvColumn(found) : names.get(found));
    }
    if (!missing.isEmpty()) {
      String delimiterHint = positional ? CsvHeader.likelyDelimiter(names, ((Source.Csv) d.source()).options()
          .delimiter()).map(h -> "; " + h).orElse("") : "";
      throw new BackendException("the source of dataset '" + d.name() + "' has no column named "
          + String.join(", ", missing) + delimiterHint + "; declare only columns the file has (names are compared "
          + "case-insensitively; from: names a header that is not an SQL identifier, e.g. from: \"Person ID\")");
    }
    if (!ambiguous.isEmpty()) {
      throw new BackendException("the source of dataset '" + d.name() + "' has more than one column named "
          + String.join(", ", ambiguous) + " (names are compared case-insensitively); rename one in the file");
    }
    return sourceNames;
  }

  /** How this backend exposes its source. */
  public Storage storage() {
    return storage;
  }

  @Override
  public SqlDialect dialect() {
    return DuckDbDialect.INSTANCE;
  }

  @Override
  public List<Object[]> execute(String sql) {
    lock.readLock().lock();
    try {
      if (closed) {
        throw new BackendException("this DuckDB backend is closed; open a new one");
      }
      Connection c;
      synchronized (root) {
        c = root.duplicate();
      }
      try (c; Statement s = c.createStatement();
           RunningStatements.Registration running = this.running.register(s);
           StatementTimeout t = StatementTimeout.arm(timeoutSeconds, () -> cancel(s));
           ResultSet r = s.executeQuery(sql)) {
        return JdbcValues.rows(r);
      }
    } catch (SQLException e) {
      throw DuckDbErrors.running(e);
    } catch (BackendException e) {
      throw e;
    } catch (RuntimeException e) {
      throw DuckDbErrors.unexpected(e);
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Runs {@code sql} on an empty table of the same schema (a separate database that holds no row), so that a
   * query DuckDB cannot run at all (a syntax it does not accept, a malformed constant pattern) is rejected
   * before the charge. Reads no data: whether it fails cannot depend on the rows.
   *
   * @throws QueryRejectedException when DuckDB refuses the query; the message names the error's category only
   */
  /** Both group-limit orders were measured here; which is faster depends on the data (see GroupLimit). */
  @Override
  public boolean choosesGroupLimit() {
    return true;
  }

  @Override
  public void dryRun(String sql) {
    lock.readLock().lock();
    try {
      if (closed) {
        throw new BackendException("this DuckDB backend is closed; open a new one");
      }
      if (dryRunPassed.contains(sql)) {
        return;
      }
      Connection c;
      synchronized (dry) {
        c = dry.duplicate();
      }
      try (c; Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
        while (r.next()) {
          // drain: errors may surface while rows are produced
        }
      }
      if (dryRunPassed.size() >= MAX_DRY_RUNS_REMEMBERED) {
        dryRunPassed.clear();
      }
      dryRunPassed.add(sql);
    } catch (SQLException e) {
      throw new QueryRejectedException("the backend cannot run this query even on an empty table: "
          + DuckDbErrors.describe(e) + "; nothing was charged. Fix: simplify the expression the error names "
          + "(e.g. a malformed LIKE/SIMILAR pattern or ESCAPE)");
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * A new in-memory DuckDB, from DuckDB's driver itself rather than DriverManager: the first
   * DriverManager.getConnection of a JVM loads and initialises every JDBC driver on the class path (in the CLI also
   * Calcite's, Avatica's, PostgreSQL's and SQLite's), work a short CLI call does not need.
   */
  private static DuckDBConnection newConnection() throws SQLException {
    return (DuckDBConnection) new org.duckdb.DuckDBDriver().connect("jdbc:duckdb:", new java.util.Properties());
  }

  @Override
  public int cancelRunning() {
    return running.cancelAll();
  }

  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      if (!closed) {
        closed = true;
        closeQuietly(root);
        closeQuietly(dry);
        deleteSpill(spill);
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  private static void cancel(Statement s) {
    try {
      s.cancel();
    } catch (SQLException e) {
      // already finished
    }
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException e) {
      // nothing to report: the in-memory database is gone either way
    }
  }
}
