package org.dpq.engine.catalog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A dataset defined in Java rather than in a YAML file. It writes the same YAML document that a data owner
 * would and validates it with the same rules ({@link DatasetLoader#parse}), so a dataset built in code can never
 * skip a check a YAML file gets: every problem is reported at once, as a {@code DatasetValidationException}.
 *
 * <pre>{@code
 * Dataset visits = Dataset.builder("clinic").table("visits").csv(Path.of("clinic.csv"))
 *     .privacyUnit("patient_id").maxGroupsContributed(2).maxRowsPerGroup(4)
 *     .budget("10", "1e-5").defaults("1", "1e-7")
 *     .column("patient_id", ColumnType.INT)
 *     .column("cost", ColumnType.DOUBLE, 0, 5000)
 *     .column("clinic", ColumnType.STRING, List.of("north", "south"))
 *     .build();
 * }</pre>
 */
public final class DatasetBuilder {
  private static final YAMLMapper YAML = new YAMLMapper();

  private final Map<String, Object> document = new LinkedHashMap<>();
  private final Map<String, Object> columns = new LinkedHashMap<>();
  private final Map<String, Object> tables = new LinkedHashMap<>();
  private Path baseDir = Path.of("");

  DatasetBuilder(String name) {
    document.put("name", Objects.requireNonNull(name, "name"));
    document.put("table", name);
  }

  /** The table name analysts write in SQL (default: the dataset's name). */
  public DatasetBuilder table(String table) {
    document.put("table", table);
    return this;
  }

  /** Rows from a CSV file with a header row. */
  public DatasetBuilder csv(Path file) {
    return source(Map.of("csv", file.toAbsolutePath().toString()));
  }

  /** Rows from a Parquet file (or glob). */
  public DatasetBuilder parquet(Path file) {
    return source(Map.of("parquet", file.toAbsolutePath().toString()));
  }

  /**
   * Rows in a table of a PostgreSQL database. With {@code Dpq.builder().backend(dataSource)} the URL only names
   * the kind of database ({@code jdbc:postgresql://host/db}, no credentials) and connections come from the
   * DataSource.
   */
  public DatasetBuilder jdbc(String url, String table) {
    return source(Map.of("jdbc", Map.of("url", url, "table", table)));
  }

  /** The column that identifies a person (the privacy unit). */
  public DatasetBuilder privacyUnit(String column) {
    document.put("privacy_unit", column);
    return this;
  }

  /**
   * The privacy unit of a dataset of several tables: {@code column} of the unit table {@code table} (declare the
   * tables with {@link #table(String, java.util.function.Consumer)}).
   */
  public DatasetBuilder privacyUnit(String table, String column) {
    document.put("privacy_unit", Map.of("table", table, "column", column));
    return this;
  }

  /**
   * One table of a dataset of several tables ({@code tables:} in the YAML), described by {@code table}: its source,
   * its columns and how its rows reach the unit.
   *
   * <pre>{@code
   * Dataset.builder("shop").privacyUnit("customers", "customer_id")
   *     .table("customers", t -> t.csv(dir.resolve("customers.csv")).column("customer_id", ColumnType.INT))
   *     .table("orders", t -> t.csv(dir.resolve("orders.csv")).unitVia("customer_id", "customers.customer_id")
   *         .column("customer_id", ColumnType.INT).column("amount", ColumnType.DOUBLE, 0, 1000))
   *     .table("products", t -> t.csv(dir.resolve("products.csv")).publicKey("product_id")
   *         .column("product_id", ColumnType.INT))
   *     ...
   * }</pre>
   */
  public DatasetBuilder table(String name, java.util.function.Consumer<Table> table) {
    document.remove("table");
    Table t = new Table();
    table.accept(t);
    tables.put(name, t.document);
    return this;
  }

  /** One table of a dataset of several tables, as {@link #table(String, java.util.function.Consumer)} builds it. */
  public static final class Table {
    private final Map<String, Object> document = new LinkedHashMap<>();
    private final Map<String, Object> columns = new LinkedHashMap<>();

    private Table() {
      document.put("columns", columns);
    }

    /** Rows from a CSV file with a header row. */
    public Table csv(Path file) {
      document.put("source", Map.of("csv", file.toAbsolutePath().toString()));
      return this;
    }

    /** Rows from a Parquet file (or glob). */
    public Table parquet(Path file) {
      document.put("source", Map.of("parquet", file.toAbsolutePath().toString()));
      return this;
    }

    /** A private table whose {@code column} equals {@code target} ({@code table.column}) of its parent row. */
    public Table unitVia(String column, String target) {
      document.put("unit_via", Map.of(column, target));
      return this;
    }

    /**
     * A joint key domain ({@code key_domains:}): the distinct rows of the public table {@code publicTable} are the
     * valid combinations of this table's columns; {@code columns} maps each of them to its column there, in order.
     */
    public Table keyDomain(String publicTable, Map<String, String> columns) {
      @SuppressWarnings("unchecked")
      List<Object> domains = (List<Object>) document.computeIfAbsent("key_domains", k -> new java.util.ArrayList<>());
      domains.add(Map.of("table", publicTable, "columns", new LinkedHashMap<>(columns)));
      return this;
    }

    /** A public table (no unit's data) with this unique key column. */
    public Table publicKey(String key) {
      document.put("public", true);
      document.put("key", key);
      return this;
    }

    /** A column without bounds. */
    public Table column(String name, ColumnType type) {
      columns.put(name, DatasetBuilder.column(type));
      return this;
    }

    /** A numeric column with clamp bounds. */
    public Table column(String name, ColumnType type, double lower, double upper) {
      Map<String, Object> c = DatasetBuilder.column(type);
      c.put("lower", number(lower));
      c.put("upper", number(upper));
      columns.put(name, c);
      return this;
    }

    /** A column with a public domain. */
    public Table column(String name, ColumnType type, List<String> publicValues) {
      Map<String, Object> c = DatasetBuilder.column(type);
      c.put("public_values", List.copyOf(publicValues));
      columns.put(name, c);
      return this;
    }
  }

  /** Each row is its own privacy unit. */
  public DatasetBuilder rowIsUnit() {
    return privacyUnit("row");
  }

  /** G: a unit counts in at most this many groups of one query. */
  public DatasetBuilder maxGroupsContributed(int groups) {
    document.put("max_groups_contributed", groups);
    return this;
  }

  /** R: at most this many rows' worth per unit and group. */
  public DatasetBuilder maxRowsPerGroup(int rows) {
    document.put("max_rows_per_group", rows);
    return this;
  }

  /** {@code max_rows_per_unit}: the most rows one unit contributes over all groups of a query (C). */
  public DatasetBuilder maxRowsPerUnit(int rows) {
    document.put("max_rows_per_unit", rows);
    return this;
  }

  /** The lifetime budget, as exact decimal text ({@code "10"}, {@code "1e-5"}). */
  public DatasetBuilder budget(String epsilon, String delta) {
    document.put("budget", loss(epsilon, delta));
    return this;
  }

  /**
   * The lifetime budget with its accounting: {@code "basic"} ((epsilon, delta) composition, as {@link
   * #budget(String, String)}) or {@code "zcdp"} (queries compose in rho; see the README's zCDP accounting).
   */
  public DatasetBuilder budget(String epsilon, String delta, String accounting) {
    java.util.Map<String, Object> budget = new java.util.LinkedHashMap<>(loss(epsilon, delta));
    budget.put("accounting", String.valueOf(accounting));
    document.put("budget", budget);
    return this;
  }

  /** The per-query loss when an analyst gives none. */
  public DatasetBuilder defaults(String epsilon, String delta) {
    document.put("defaults", loss(epsilon, delta));
    return this;
  }

  /** The ledger: an SQLite file path or a {@code jdbc:postgresql:} URL (default: NAME.ledger.db). */
  public DatasetBuilder ledger(String location) {
    document.put("ledger", location);
    return this;
  }

  /** The folder the default ledger file goes to (default: the working directory). */
  public DatasetBuilder baseDir(Path dir) {
    this.baseDir = Objects.requireNonNull(dir, "dir");
    return this;
  }

  /** A column without bounds: it may be grouped (with partition selection), filtered and counted. */
  public DatasetBuilder column(String name, ColumnType type) {
    columns.put(name, column(type));
    return this;
  }

  /** A numeric column with clamp bounds (choose them from domain knowledge, never from the data). */
  public DatasetBuilder column(String name, ColumnType type, double lower, double upper) {
    Map<String, Object> c = column(type);
    c.put("lower", number(lower));
    c.put("upper", number(upper));
    columns.put(name, c);
    return this;
  }

  /** A column with a public domain: exactly these keys may be released when grouping by it. */
  public DatasetBuilder column(String name, ColumnType type, List<String> publicValues) {
    Map<String, Object> c = column(type);
    c.put("public_values", List.copyOf(publicValues));
    columns.put(name, c);
    return this;
  }

  /**
   * Declares that the column holds no NULL (nor NaN), so that one row count per group serves every AVG and VAR of
   * it ({@code nullable: false}); call after declaring the column.
   */
  public DatasetBuilder notNull(String name) {
    @SuppressWarnings("unchecked")
    Map<String, Object> c = (Map<String, Object>) columns.get(name);
    if (c == null) {
      throw new IllegalArgumentException("declare column '" + name + "' before marking it not null");
    }
    c.put("nullable", false);
    return this;
  }

  /**
   * Validates and returns the dataset.
   *
   * @throws org.dpq.errors.DatasetValidationException listing every problem
   */
  public Dataset build() {
    Map<String, Object> doc = new LinkedHashMap<>(document);
    if (tables.isEmpty()) {
      doc.put("columns", columns);
    } else {
      doc.put("tables", tables);
      if (!columns.isEmpty()) {
        doc.put("columns", columns); // reported: columns belong under their table
      }
    }
    String text;
    try {
      text = YAML.writeValueAsString(doc);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the dataset as YAML", e);
    }
    return DatasetLoader.parse(text, baseDir);
  }

  private DatasetBuilder source(Map<String, Object> source) {
    document.put("source", source);
    return this;
  }

  private static Map<String, Object> column(ColumnType type) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("type", type.name().toLowerCase(Locale.ROOT));
    return c;
  }

  private static Map<String, Object> loss(String epsilon, String delta) {
    // As written: the validator parses the text exactly and names whatever is wrong with it.
    return Map.of("epsilon", String.valueOf(epsilon), "delta", String.valueOf(delta));
  }

  private static String number(double value) {
    return Double.isFinite(value) ? new BigDecimal(Double.toString(value)).toPlainString() : Double.toString(value);
  }
}
