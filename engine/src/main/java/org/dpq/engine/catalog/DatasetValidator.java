package org.dpq.engine.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalDouble;
import java.util.regex.Pattern;
import org.dpq.budget.Accounting;
import org.dpq.budget.Zcdp;
import org.dpq.engine.catalog.DatasetYaml.ColumnYaml;
import org.dpq.engine.catalog.DatasetYaml.JdbcYaml;
import org.dpq.engine.catalog.DatasetYaml.LossYaml;
import org.dpq.engine.catalog.DatasetYaml.SourceYaml;
import org.dpq.engine.catalog.DatasetYaml.SparkYaml;
import org.dpq.errors.InvalidPrivacyParameterException;
import org.dpq.mechanisms.PrivacyLoss;

/**
 * Checks a bound {@link DatasetYaml} and builds the {@link Dataset}, recording every problem under its key path.
 * Owns the catalog half of the privacy contract: contribution bounds are integers >= 1, column bounds are finite
 * and ordered, the privacy unit is a declared identifier column, public domains are explicit and distinct, and
 * the budget and per-query defaults obey {@link PrivacyLoss}'s rules with the defaults inside the budget.
 */
final class DatasetValidator {
  /** An SQL identifier every backend accepts unquoted. */
  static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  /** PostgreSQL truncates longer identifiers, so no backend may see one. */
  static final int MAX_IDENTIFIER_LENGTH = 63;

  /** YAML's digit grouping, e.g. 500_000 or 1_000.5. */
  private static final Pattern GROUPED_DIGITS = Pattern.compile("[+-]?[0-9]+(_[0-9]+)+(\\.[0-9]+)?");

  private static final Pattern DATASET_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");
  private static final int MAX_NAME_LENGTH = 128;

  /** Integer bounds beyond 2^53 would not survive the conversion to double exactly. */
  private static final BigDecimal MAX_EXACT_INTEGER = BigDecimal.valueOf(1L << 53);

  private static final String IDENTIFIER_RULE =
      "must be an SQL identifier: letters, digits and _, not starting with a digit, at most "
          + MAX_IDENTIFIER_LENGTH + " characters";

  /** The placeholder {@code dpq datasets init} writes for every privacy decision it leaves to the owner. */
  static final String TODO = "TODO";

  static final String TODO_HINT = "still TODO (left by dpq datasets init): decide it from domain "
      + "knowledge, never from the data; ";

  private final Problems problems;
  private final Path baseDir;

  DatasetValidator(Problems problems, Path baseDir) {
    this.problems = problems;
    this.baseDir = baseDir;
  }

  /** The dataset, or null when a problem was recorded. */
  Dataset validate(DatasetYaml y, Optional<Path> yamlPath) {
    if (y == null) {
      if (!problems.reported("")) {
        problems.add("", "the document is empty; expected a mapping with keys "
            + String.join(", ", YamlProblemHandler.keys(DatasetYaml.class)));
      }
      return null;
    }
    String name = name(y.name());
    String table;
    Source source;
    Map<String, Column> columns;
    PrivacyUnit unit;
    List<TableSpec> tables = List.of();
    if (y.tables() != null) {
      tables = new DatasetTables(problems, baseDir).validate(y);
      TableSpec unitTable = tables.stream().filter(t -> t.link() instanceof TableSpec.Link.Unit).findFirst()
          .orElse(null);
      table = unitTable == null ? null : unitTable.name();
      source = unitTable == null ? null : unitTable.source();
      columns = new LinkedHashMap<>();
      if (unitTable != null) {
        unitTable.columns().forEach(c -> columns.put(c.name(), c));
      }
      unit = unitTable == null ? null : new PrivacyUnit.ByColumn(
          DatasetTables.unitColumn(y.privacyUnit(), unitTable).orElse(null));
    } else {
      table = identifier("table", y.table(), "give the SQL name analysts query, e.g. table: pums");
      source = source(y.source());
      columns = columns(y.columns());
      unit = unit(unitText(y.privacyUnit()), columns, y.columns() == null ? List.of() : y.columns().keySet());
    }
    boolean rowUnit = unit instanceof PrivacyUnit.Row;
    int groups = contribution("max_groups_contributed", y.maxGroupsContributed(), rowUnit,
        "the most groups one unit may contribute to, e.g. max_groups_contributed: 1");
    int rows = contribution("max_rows_per_group", y.maxRowsPerGroup(), rowUnit,
        "the most rows one unit may contribute to a group, e.g. max_rows_per_group: 1");
    OptionalInt perUnit = rowsPerUnit(y.maxRowsPerUnit());
    PrivacyLoss budget = loss("budget", y.budget() == null ? null : y.budget().loss(), true);
    PrivacyLoss defaults = loss("defaults", y.defaults(), false);
    if (budget != null && defaults != null) {
      defaultsWithinBudget(budget, defaults);
    }
    Accounting accounting = accounting(y.budget(), budget);
    String ledger = ledger(y.ledger(), name, source);
    columnSources(source, columns.values());
    Limits limits = limits(y.limits());
    if (!problems.isEmpty()) {
      return null;
    }
    Dataset dataset = new Dataset(name, table, source, unit, groups, rows, budget, defaults, ledger,
        List.copyOf(columns.values()), yamlPath, limits, perUnit, accounting, tables);
    autoBoundsFit(dataset);
    return problems.isEmpty() ? dataset : null;
  }

  /**
   * {@code privacy_unit} of a single-table dataset as text (a column name or {@code row}); a mapping
   * {@code { table, column }} is the several-table form and needs {@code tables:}.
   */
  private String unitText(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isContainerNode()) {
      problems.add("privacy_unit", "a mapping { table, column } names the unit of a dataset of several tables; "
          + "declare them under tables: (and remove table, source and columns), or write the unit column, e.g. "
          + "privacy_unit: pid");
      return null;
    }
    return node.asText();
  }

  /** The source of one table ({@code tables.NAME.source}); problems are recorded under this validator's paths. */
  Source tableSource(SourceYaml s) {
    return source(s);
  }

  /** The columns of one table ({@code tables.NAME.columns}), checked like a single table's. */
  Map<String, Column> tableColumns(Map<String, ColumnYaml> yaml, Source source) {
    Map<String, Column> columns = columns(yaml);
    if (source != null) {
      columnSources(source, columns.values());
    }
    return columns;
  }

  /**
   * {@code max_rows_per_unit} (C), optional: a whole number >= 1. It only tightens the contribution bounds (a unit
   * then contributes at most min(G*R, C) rows), so any positive value is safe; absent means no total cap.
   */
  private OptionalInt rowsPerUnit(String text) {
    if (text == null) {
      return OptionalInt.empty();
    }
    BigDecimal value = isTodo(text) ? null : parseDecimal(text);
    if (value == null || value.stripTrailingZeros().scale() > 0 || value.compareTo(BigDecimal.ONE) < 0
        || value.compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) > 0) {
      problems.add("max_rows_per_unit", "must be an integer >= 1 (got " + abbreviate(text) + "): the most rows "
          + "one unit may contribute over all groups of a query, e.g. max_rows_per_unit: 7; or remove it for no cap");
      return OptionalInt.empty();
    }
    return OptionalInt.of(value.intValueExact());
  }

  /** {@code budget.accounting}: basic (the default) or zcdp, which needs a delta to convert rho at. */
  private Accounting accounting(DatasetYaml.BudgetYaml l, PrivacyLoss budget) {
    if (l == null || l.accounting() == null) {
      return Accounting.BASIC;
    }
    Accounting a = Accounting.parse(l.accounting());
    if (a == null) {
      problems.add("budget.accounting", "must be basic ((epsilon, delta) basic composition, the default) or zcdp "
          + "(zero-concentrated DP: Gaussian queries compose in rho, converted to (epsilon, delta) at budget.delta)");
      return Accounting.BASIC;
    }
    if (a == Accounting.ZCDP && budget != null) {
      try {
        Zcdp.rhoBudget(budget.epsilon(), budget.delta());
      } catch (InvalidPrivacyParameterException e) {
        problems.add("budget.accounting", "zcdp: " + e.getMessage());
      }
    }
    return a;
  }

  /** {@code limits:}; every key optional, each a whole number in its range. */
  private Limits limits(DatasetYaml.LimitsYaml y) {
    if (y == null) {
      return Limits.DEFAULTS;
    }
    Long memory = whole("limits.memory_mb", y.memoryMb(), 64, 16L << 20, "megabytes, e.g. memory_mb: 4096");
    Long threads = whole("limits.threads", y.threads(), 1, 1024, "e.g. threads: 2");
    Long timeout = whole("limits.timeout_seconds", y.timeoutSeconds(), 1, 7L * 24 * 3600, "e.g. timeout_seconds: 600");
    Long quantum = whole("limits.response_quantum_ms", y.responseQuantumMs(), 0, Limits.MAX_QUANTUM_MILLIS,
        "e.g. response_quantum_ms: 2000");
    Long invalid = -1L;
    if (invalid.equals(memory) || invalid.equals(threads) || invalid.equals(timeout) || invalid.equals(quantum)) {
      return Limits.DEFAULTS;
    }
    return new Limits(memory == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(memory),
        threads == null ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(threads.intValue()),
        timeout == null ? Limits.DEFAULT_TIMEOUT_SECONDS : timeout, quantum == null ? 0 : quantum);
  }

  /** A whole number in [min, max], null when absent, -1 (with a problem recorded) when invalid. */
  private Long whole(String key, String text, long min, long max, String example) {
    if (text == null) {
      return null;
    }
    try {
      long v = new java.math.BigDecimal(text.strip()).longValueExact();
      if (v >= min && v <= max) {
        return v;
      }
    } catch (NumberFormatException | ArithmeticException e) {
      // reported below
    }
    problems.add(key, "must be a whole number from " + min + " to " + max + " (" + example + ")");
    return -1L;
  }

  private String name(String text) {
    if (text == null) {
      missing("name", "give the dataset id, e.g. name: pums");
      return null;
    }
    if (text.length() > MAX_NAME_LENGTH || !DATASET_NAME.matcher(text).matches()) {
      problems.add("name", "must be letters, digits, '_', '-' or '.', starting with a letter or digit, at most "
          + MAX_NAME_LENGTH + " characters (it names the ledger file)");
      return null;
    }
    return text;
  }

  private String identifier(String path, String text, String hint) {
    if (text == null) {
      missing(path, hint);
      return null;
    }
    if (!isIdentifier(text)) {
      problems.add(path, IDENTIFIER_RULE);
      return null;
    }
    return text;
  }

  static boolean isIdentifier(String text) {
    return text.length() <= MAX_IDENTIFIER_LENGTH && IDENTIFIER.matcher(text).matches();
  }

  private Source source(SourceYaml s) {
    if (s == null) {
      missing("source", "give exactly one of csv, parquet, jdbc, spark, e.g. source: { csv: data/pums.csv }");
      return null;
    }
    int given = (s.csv() != null ? 1 : 0) + (s.parquet() != null ? 1 : 0) + (s.jdbc() != null ? 1 : 0)
        + (s.spark() != null ? 1 : 0);
    boolean shapeReported = problems.reportedAtOrUnder("source");
    if (given != 1) {
      if (!(given == 0 && shapeReported)) {
        problems.add("source", "give exactly one of csv, parquet, jdbc, spark");
      }
      return null;
    }
    if (s.csv() != null) {
      Path p = file("source.csv", s.csv());
      Source.CsvOptions options = csvOptions(s);
      return p == null || options == null ? null : new Source.Csv(p, options);
    }
    for (String key : csvOptionKeys(s)) {
      problems.add(Problems.path("source", key), "is a CSV option; it applies only to source: { csv: ... }");
    }
    if (s.parquet() != null) {
      Path p = file("source.parquet", s.parquet());
      return p == null ? null : new Source.Parquet(p);
    }
    if (s.spark() != null) {
      return spark(s.spark());
    }
    return jdbc(s.jdbc());
  }

  /**
   * {@code from:} names a column of a file: a CSV header or Parquet name, or, in a CSV without header, a 1-based
   * position (without it, columns are taken in declaration order). Databases and Spark tables use their own names.
   */
  private void columnSources(Source source, java.util.Collection<Column> columns) {
    boolean positional = source instanceof Source.Csv csv && !csv.options().header();
    for (Column c : columns) {
      if (c.from().isEmpty()) {
        continue;
      }
      String path = Problems.path(Problems.path("columns", c.name()), "from");
      if (source instanceof Source.Jdbc || source instanceof Source.Spark) {
        problems.add(path, "applies to CSV and Parquet sources only; for a table, expose a view with this name");
      } else if (positional && !c.from().get().matches("[1-9][0-9]{0,5}")) {
        problems.add(path, "must be the column's 1-based position when the CSV has no header (header: false)");
      }
    }
  }

  private static List<String> csvOptionKeys(SourceYaml s) {
    List<String> keys = new ArrayList<>();
    if (s.delimiter() != null) {
      keys.add("delimiter");
    }
    if (s.quote() != null) {
      keys.add("quote");
    }
    if (s.header() != null) {
      keys.add("header");
    }
    if (s.nullString() != null) {
      keys.add("null_string");
    }
    if (s.dateFormat() != null) {
      keys.add("date_format");
    }
    if (s.maxUnparsableFraction() != null) {
      keys.add("max_unparsable_fraction");
    }
    return keys;
  }

  /** One character given for a CSV option (its default when absent), or null after recording a problem. */
  private Character oneCharacter(String path, String text, char fallback, String example) {
    if (text == null) {
      return fallback;
    }
    if (text.length() != 1 || text.equals("\n") || text.equals("\r")) {
      problems.add(path, "must be one character, " + example);
      return null;
    }
    return text.charAt(0);
  }

  /** The CSV options under {@code source:}, or null after recording a problem. */
  private Source.CsvOptions csvOptions(SourceYaml s) {
    Source.CsvOptions d = Source.CsvOptions.DEFAULT;
    Character delimiter = oneCharacter("source.delimiter", s.delimiter(), d.delimiter(),
        "e.g. delimiter: \";\" or delimiter: \"\\t\" for a tab");
    Character quote = oneCharacter("source.quote", s.quote(), d.quote(), "e.g. quote: \"'\"");
    boolean ok = delimiter != null && quote != null;
    if (ok && delimiter.charValue() == quote.charValue()) {
      problems.add("source.quote", "must differ from the delimiter");
      ok = false;
    }
    boolean header = d.header();
    if (s.header() != null) {
      String h = s.header().strip().toLowerCase(Locale.ROOT);
      if (h.equals("true") || h.equals("false")) {
        header = h.equals("true");
      } else {
        problems.add("source.header", "must be true (the first line names the columns) or false");
        ok = false;
      }
    }
    Optional<String> nullString = Optional.empty();
    if (s.nullString() != null) {
      if (s.nullString().isEmpty() || (delimiter != null && s.nullString().indexOf(delimiter) >= 0)
          || s.nullString().contains("\n")) {
        problems.add("source.null_string", "must be non-empty text without the delimiter or a line break, e.g. "
            + "null_string: NA (empty cells are NULL anyway)");
        ok = false;
      } else {
        nullString = Optional.of(s.nullString());
      }
    }
    Optional<String> dateFormat = Optional.empty();
    if (s.dateFormat() != null) {
      if (!s.dateFormat().contains("%") || s.dateFormat().length() > 100) {
        problems.add("source.date_format", "must be a strptime format, e.g. date_format: \"%d/%m/%Y\" for 31/12/2024");
        ok = false;
      } else {
        dateFormat = Optional.of(s.dateFormat());
      }
    }
    double maxUnparsable = d.maxUnparsableFraction();
    if (s.maxUnparsableFraction() != null) {
      BigDecimal f = number("source.max_unparsable_fraction", s.maxUnparsableFraction());
      if (f == null) {
        ok = false;
      } else if (f.signum() < 0 || f.compareTo(BigDecimal.ONE) > 0) {
        problems.add("source.max_unparsable_fraction", "must be a fraction from 0 to 1, e.g. 0.01 for 1% of a "
            + "column's non-empty cells");
        ok = false;
      } else {
        maxUnparsable = f.doubleValue();
      }
    }
    return ok ? new Source.CsvOptions(delimiter, quote, header, nullString, dateFormat, maxUnparsable) : null;
  }

  /** Files named by a URI with a scheme ({@code hdfs://}, {@code s3a://}, {@code file:/}) are kept as written. */
  private static final Pattern URI_SCHEME = Pattern.compile(
      "^[A-Za-z][A-Za-z0-9+.-]+:/.*");

  private Source spark(SparkYaml y) {
    boolean ok = true;
    Optional<String> master = Optional.empty();
    if (y.master() != null) {
      if (y.master().isBlank()) {
        problems.add("source.spark.master", "must not be empty; give a Spark master URL such as spark://host:7077 "
            + "or local[4], or leave it out to use Spark's own configuration");
        ok = false;
      } else {
        master = Optional.of(y.master().strip());
      }
    }
    int given = (y.table() != null ? 1 : 0) + (y.csv() != null ? 1 : 0) + (y.parquet() != null ? 1 : 0);
    if (given != 1) {
      problems.add("source.spark", "give exactly one of table, csv, parquet");
      return null;
    }
    if (y.table() != null) {
      if (!isQualifiedIdentifier(y.table())) {
        problems.add("source.spark.table", "must be a table name, optionally qualified (database.table), each part "
            + "letters, digits and _, not starting with a digit");
        return null;
      }
      return ok ? new Source.Spark(master, Source.Spark.Format.TABLE, y.table()) : null;
    }
    boolean csv = y.csv() != null;
    String key = csv ? "source.spark.csv" : "source.spark.parquet";
    String text = csv ? y.csv() : y.parquet();
    String location;
    if (URI_SCHEME.matcher(text).matches()) {
      location = text;
    } else {
      Path p = file(key, text);
      if (p == null) {
        return null;
      }
      location = p.toString();
    }
    return ok ? new Source.Spark(master, csv ? Source.Spark.Format.CSV : Source.Spark.Format.PARQUET, location)
        : null;
  }

  private Source jdbc(JdbcYaml j) {
    String url = j.url();
    String table = j.table();
    boolean ok = true;
    if (url == null) {
      missing("source.jdbc.url", "give the database URL, e.g. url: jdbc:postgresql://127.0.0.1:5432/dpq");
      ok = false;
    } else if (!url.startsWith("jdbc:")) {
      problems.add("source.jdbc.url", "must be a JDBC URL starting with jdbc:, e.g. jdbc:postgresql://127.0.0.1:5432/dpq");
      ok = false;
    }
    if (table == null) {
      missing("source.jdbc.table", "give the table that holds the rows, e.g. table: public.pums");
      ok = false;
    } else if (!isQualifiedIdentifier(table)) {
      problems.add("source.jdbc.table", "must be a table name, optionally schema-qualified (schema.table), each part "
          + "letters, digits and _, not starting with a digit");
      ok = false;
    }
    return ok ? new Source.Jdbc(url, table) : null;
  }

  private static boolean isQualifiedIdentifier(String text) {
    String[] parts = text.split("\\.", -1);
    if (parts.length > 3) {
      return false;
    }
    for (String part : parts) {
      if (!isIdentifier(part)) {
        return false;
      }
    }
    return true;
  }

  private Path file(String path, String text) {
    if (text.isBlank()) {
      problems.add(path, "must not be empty; give the file path, relative to the YAML file's folder");
      return null;
    }
    try {
      return baseDir.resolve(text).toAbsolutePath().normalize();
    } catch (InvalidPathException e) {
      problems.add(path, "is not a valid file path on this system");
      return null;
    }
  }

  private Map<String, Column> columns(Map<String, ColumnYaml> yaml) {
    Map<String, Column> columns = new LinkedHashMap<>();
    if (yaml == null) {
      missing("columns", "declare the columns analysts may use, e.g. columns: { age: { type: int, lower: 0, upper: 100 } }");
      return columns;
    }
    if (yaml.isEmpty()) {
      problems.add("columns", "declare at least one column, e.g. age: { type: int, lower: 0, upper: 100 }");
      return columns;
    }
    Map<String, String> seen = new HashMap<>();
    for (Map.Entry<String, ColumnYaml> e : yaml.entrySet()) {
      String name = e.getKey();
      String path = Problems.path("columns", name);
      if (!isIdentifier(name)) {
        problems.add(path, "column name " + IDENTIFIER_RULE);
      }
      String earlier = seen.putIfAbsent(name.toLowerCase(Locale.ROOT), name);
      if (earlier != null) {
        problems.add(path, "is the same name as column '" + earlier
            + "' (SQL compares names case-insensitively); keep one of them");
      }
      ColumnYaml c = e.getValue();
      if (c == null) {
        missing(path, "give the column's definition, at least { type: ... }");
        continue;
      }
      Column column = column(path, name, c);
      if (column != null && earlier == null) {
        columns.put(name, column);
      }
    }
    return columns;
  }

  private Column column(String path, String name, ColumnYaml c) {
    ColumnType type = type(Problems.path(path, "type"), c.type());
    boolean date = type == ColumnType.DATE;
    BigDecimal lower = date ? dateBound(Problems.path(path, "lower"), c.lower())
        : number(Problems.path(path, "lower"), c.lower());
    BigDecimal upper = date ? dateBound(Problems.path(path, "upper"), c.upper())
        : number(Problems.path(path, "upper"), c.upper());
    boolean ok = type != null && !problems.reported(Problems.path(path, "lower"))
        && !problems.reported(Problems.path(path, "upper"));
    if (type != null && !type.isNumeric() && !date && (c.lower() != null || c.upper() != null)) {
      problems.add(Problems.path(path, c.lower() != null ? "lower" : "upper"), "bounds apply only to numeric columns "
          + "(int, long, double) and dates, not " + typeName(type) + "; remove the bounds or change the type");
      ok = false;
    } else if (c.lower() != null && c.upper() == null && !problems.reported(Problems.path(path, "upper"))) {
      problems.add(Problems.path(path, "upper"), "missing; give lower and upper together, or neither");
      ok = false;
    } else if (c.upper() != null && c.lower() == null && !problems.reported(Problems.path(path, "lower"))) {
      problems.add(Problems.path(path, "lower"), "missing; give lower and upper together, or neither");
      ok = false;
    } else if (date && lower != null && upper != null) {
      if (upper.compareTo(lower) < 0) {
        problems.add(Problems.path(path, "upper"), "must be on or after lower (" + c.lower().strip() + "); swap them");
        ok = false;
      }
    } else if (lower != null && upper != null && type != null) {
      ok &= finiteBound(Problems.path(path, "lower"), lower);
      ok &= finiteBound(Problems.path(path, "upper"), upper);
      ok &= integralBound(Problems.path(path, "lower"), type, lower);
      ok &= integralBound(Problems.path(path, "upper"), type, upper);
      if (upper.compareTo(lower) <= 0) {
        problems.add(Problems.path(path, "upper"), "must be > lower (" + lower.toPlainString() + ")");
        ok = false;
      }
    }
    Optional<List<String>> publicValues = type == null ? Optional.empty()
        : publicValues(Problems.path(path, "public_values"), type, c.publicValues());
    Optional<String> from = Optional.empty();
    if (c.from() != null) {
      if (c.from().isBlank() || c.from().length() > 1_000) {
        problems.add(Problems.path(path, "from"), "must name the source's column (its CSV header or Parquet name), "
            + "e.g. from: \"Person ID\"; or its 1-based position in a CSV without header");
        ok = false;
      } else {
        from = Optional.of(c.from().strip());
      }
    }
    boolean nullable = true;
    if (c.nullable() != null) {
      String n = c.nullable().strip().toLowerCase(Locale.ROOT);
      if (n.equals("true") || n.equals("false")) {
        nullable = n.equals("true");
      } else {
        problems.add(Problems.path(path, "nullable"), "must be true (the default: the column may hold NULL) or false "
            + "(no row holds NULL here; dpq datasets validate checks it)");
        ok = false;
      }
    }
    Optional<AutoBounds> auto = c.bounds() == null ? Optional.empty()
        : autoBounds(Problems.path(path, "bounds"), type, c);
    ok &= c.bounds() == null || auto.isPresent();
    if (!ok) {
      return null;
    }
    OptionalDouble lo = lower == null ? OptionalDouble.empty() : OptionalDouble.of(lower.doubleValue());
    OptionalDouble hi = upper == null ? OptionalDouble.empty() : OptionalDouble.of(upper.doubleValue());
    return new Column(name, type, lo, hi, publicValues, from, nullable, auto);
  }

  /** {@code bounds: { auto: { epsilon } }} of a numeric column without lower and upper; empty after a problem. */
  private Optional<AutoBounds> autoBounds(String path, ColumnType type, ColumnYaml c) {
    if (c.lower() != null || c.upper() != null) {
      problems.add(path, "a column has either declared bounds (lower and upper) or automatic ones (bounds: { auto: "
          + "... }), not both; remove one of them");
      return Optional.empty();
    }
    if (type != null && type != ColumnType.INT && type != ColumnType.LONG && type != ColumnType.DOUBLE) {
      problems.add(path, "automatic bounds apply only to numeric columns (int, long, double), not " + typeName(type)
          + "; remove bounds");
      return Optional.empty();
    }
    if (c.bounds().auto() == null) {
      missing(Problems.path(path, "auto"), "give the share of the budget the one estimate spends, e.g. "
          + "bounds: { auto: { epsilon: 0.1 } }");
      return Optional.empty();
    }
    String epsilonPath = Problems.path(Problems.path(path, "auto"), "epsilon");
    BigDecimal epsilon = lossNumber(epsilonPath, c.bounds().auto().epsilon(), "e.g. epsilon: 0.1");
    if (epsilon == null) {
      return Optional.empty();
    }
    try {
      PrivacyLoss.of(epsilon, BigDecimal.ZERO);
    } catch (InvalidPrivacyParameterException e) {
      problems.add(epsilonPath, e.getMessage());
      return Optional.empty();
    }
    return Optional.of(new AutoBounds(epsilon));
  }

  /** Automatic bounds are estimated over the one table of a single-table dataset; each share must fit the budget. */
  private void autoBoundsFit(Dataset d) {
    for (Column c : d.columns()) {
      if (c.autoBounds().isEmpty()) {
        continue;
      }
      String path = Problems.path(Problems.path("columns", c.name()), "bounds");
      if (d.hasSeveralTables()) {
        problems.add(path, "automatic bounds are supported in a single-table dataset only for now; declare lower "
            + "and upper");
      } else if (d.unit() instanceof PrivacyUnit.ByColumn u && u.column().equalsIgnoreCase(c.name())) {
        problems.add(path, "the privacy unit column identifies people and is never summed; remove bounds");
      } else if (c.autoBounds().get().epsilon().compareTo(d.budget().epsilon()) > 0) {
        problems.add(Problems.path(Problems.path(path, "auto"), "epsilon"), "must be <= budget.epsilon ("
            + d.budget().epsilon().toPlainString() + "); the estimate is paid from the dataset's budget");
      }
    }
  }

  private boolean finiteBound(String path, BigDecimal bound) {
    if (!Double.isFinite(bound.doubleValue())) {
      problems.add(path, "must be a finite number within the range of a double");
      return false;
    }
    return true;
  }

  private boolean integralBound(String path, ColumnType type, BigDecimal bound) {
    if (type == ColumnType.DOUBLE) {
      return true;
    }
    if (bound.stripTrailingZeros().scale() > 0) {
      problems.add(path, "must be a whole number for a " + typeName(type) + " column");
      return false;
    }
    if (bound.abs().compareTo(MAX_EXACT_INTEGER) > 0) {
      problems.add(path, "must be within +-2^53 (9007199254740992) so that it stays exact");
      return false;
    }
    return true;
  }

  private ColumnType type(String path, String text) {
    if (text == null) {
      missing(path, "give one of " + typeNames());
      return null;
    }
    for (ColumnType t : ColumnType.values()) {
      if (typeName(t).equals(text.strip().toLowerCase(Locale.ROOT))) {
        return t;
      }
    }
    problems.add(path, "unknown type '" + abbreviate(text) + "'; expected one of " + typeNames());
    return null;
  }

  static String typeName(ColumnType t) {
    return t.name().toLowerCase(Locale.ROOT);
  }

  private static String typeNames() {
    List<String> names = new ArrayList<>();
    for (ColumnType t : ColumnType.values()) {
      names.add(typeName(t));
    }
    return String.join(", ", names);
  }

  private Optional<List<String>> publicValues(String path, ColumnType type, List<JsonNode> nodes) {
    if (nodes == null) {
      return Optional.empty();
    }
    if (nodes.isEmpty()) {
      problems.add(path, "must list at least one value; remove public_values if the column has no public domain");
      return Optional.empty();
    }
    List<String> values = new ArrayList<>();
    Map<String, Integer> firstIndex = new HashMap<>();
    boolean ok = true;
    for (int i = 0; i < nodes.size(); i++) {
      String itemPath = path + "[" + i + "]";
      String value = publicValue(itemPath, type, nodes.get(i));
      if (value == null) {
        ok = false;
        continue;
      }
      Integer earlier = firstIndex.putIfAbsent(value, i);
      if (earlier != null) {
        problems.add(itemPath, "repeats public_values[" + earlier + "]; list each value once");
        ok = false;
      }
      values.add(value);
    }
    return ok ? Optional.of(List.copyOf(values)) : Optional.empty();
  }

  /**
   * The canonical text of one public value, the same text the backend's Java value prints as
   * ({@code Long.toString}, {@code Double.toString}, {@code Boolean.toString}, ISO dates), or null after a problem.
   */
  private String publicValue(String path, ColumnType type, JsonNode node) {
    if (node == null || node.isNull()) {
      problems.add(path, "must be a value, not null (quote it if you mean the text \"null\")");
      return null;
    }
    if (node.isContainerNode()) {
      problems.add(path, "must be a single string or number, not a " + (node.isArray() ? "list" : "mapping"));
      return null;
    }
    if (node.isBoolean() && type != ColumnType.BOOLEAN) {
      problems.add(path, "is a YAML boolean (true/false/yes/no/on/off are booleans in YAML); quote it, e.g. \"yes\"");
      return null;
    }
    switch (type) {
      case STRING:
        if (node.isTextual()) {
          return node.textValue();
        }
        if (node.isIntegralNumber()) {
          return node.bigIntegerValue().toString();
        }
        problems.add(path, "is a number with a fraction in a string column; quote it so its exact text is kept, "
            + "e.g. \"1.5\"");
        return null;
      case INT:
      case LONG:
        return integerValue(path, node);
      case DOUBLE:
        return doubleValue(path, node);
      case BOOLEAN:
        if (node.isBoolean()) {
          return Boolean.toString(node.booleanValue());
        }
        if (node.isTextual() && (node.textValue().equalsIgnoreCase("true") || node.textValue().equalsIgnoreCase("false"))) {
          return node.textValue().toLowerCase(Locale.ROOT);
        }
        problems.add(path, "must be true or false in a boolean column");
        return null;
      case DATE:
        if (node.isTextual()) {
          try {
            return LocalDate.parse(node.textValue().strip()).toString();
          } catch (DateTimeParseException e) {
            // reported below
          }
        }
        problems.add(path, "must be a date written yyyy-mm-dd, e.g. \"2024-01-31\"");
        return null;
      default:
        throw new IllegalStateException("unhandled column type " + type);
    }
  }

  private String integerValue(String path, JsonNode node) {
    BigDecimal value = null;
    if (node.isIntegralNumber()) {
      value = new BigDecimal(node.bigIntegerValue());
    } else if (node.isNumber() && Double.isFinite(node.doubleValue())) {
      value = node.decimalValue();
    } else if (node.isTextual()) {
      value = parseDecimal(node.textValue());
    }
    if (value == null || value.stripTrailingZeros().scale() > 0) {
      problems.add(path, "must be a whole number in an integer column");
      return null;
    }
    try {
      return Long.toString(value.longValueExact());
    } catch (ArithmeticException e) {
      problems.add(path, "is out of the 64-bit integer range");
      return null;
    }
  }

  private String doubleValue(String path, JsonNode node) {
    BigDecimal value = null;
    if (node.isNumber()) {
      value = node.isFloatingPointNumber() && !Double.isFinite(node.doubleValue()) ? null : node.decimalValue();
    } else if (node.isTextual()) {
      value = parseDecimal(node.textValue());
    }
    if (value == null || !Double.isFinite(value.doubleValue())) {
      problems.add(path, "must be a finite number in a double column");
      return null;
    }
    return Double.toString(value.doubleValue() + 0.0);
  }

  private PrivacyUnit unit(String text, Map<String, Column> columns, java.util.Collection<String> declared) {
    if (text == null) {
      missing("privacy_unit", "give the column that identifies a person (e.g. privacy_unit: pid), or row if every "
          + "row belongs to a different person");
      return null;
    }
    if (isTodo(text)) {
      problems.add("privacy_unit", TODO_HINT + "name the column that identifies a person, or write row if every "
          + "row belongs to a different person");
      return null;
    }
    Column column = columns.values().stream().filter(c -> c.name().equalsIgnoreCase(text)).findFirst().orElse(null);
    if (text.equals("row")) {
      if (column != null) {
        problems.add("privacy_unit", "'row' means every row is its own unit, but a column named '" + column.name()
            + "' is also declared; rename that column");
        return null;
      }
      return new PrivacyUnit.Row();
    }
    if (column == null) {
      boolean declaredButBroken = declared.stream().anyMatch(text::equalsIgnoreCase);
      if (!declaredButBroken && !problems.reported("columns")) {
        problems.add("privacy_unit", "column '" + abbreviate(text) + "' is not declared under columns; declare it "
            + "(e.g. " + abbreviate(text) + ": { type: int }) or write row if every row is a different person");
      }
      return null;
    }
    String path = Problems.path("columns", column.name());
    boolean ok = true;
    if (column.type() != ColumnType.INT && column.type() != ColumnType.LONG && column.type() != ColumnType.STRING) {
      problems.add(Problems.path(path, "type"), "the privacy unit column identifies people, so it must be int, long "
          + "or string, not " + typeName(column.type()));
      ok = false;
    }
    if (column.isBounded()) {
      problems.add(path, "the privacy unit column identifies people and is never summed; remove lower and upper");
      ok = false;
    }
    if (column.hasPublicDomain()) {
      problems.add(Problems.path(path, "public_values"), "the privacy unit column cannot have a public domain "
          + "(grouping by the unit would release per-person results); remove public_values");
      ok = false;
    }
    return ok ? new PrivacyUnit.ByColumn(column.name()) : null;
  }

  private int contribution(String key, String text, boolean rowUnit, String hint) {
    if (text == null) {
      if (rowUnit) {
        return 1;
      }
      missing(key, "give " + hint);
      return 0;
    }
    if (isTodo(text)) {
      problems.add(key, TODO_HINT + "give " + hint);
      return 0;
    }
    BigDecimal value = parseDecimal(text);
    if (value == null || value.stripTrailingZeros().scale() > 0 || value.compareTo(BigDecimal.ONE) < 0
        || value.compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) > 0) {
      problems.add(key, "must be an integer >= 1 (got " + abbreviate(text) + ")");
      return 0;
    }
    int v = value.intValueExact();
    if (key.equals("max_groups_contributed") && v > org.dpq.mechanisms.NoiseMechanism.MAX_CELLS_PER_UNIT) {
      // The real-valued mechanisms' grid rounding is accounted for up to this many cells changed by one unit.
      problems.add(key, "must be at most " + org.dpq.mechanisms.NoiseMechanism.MAX_CELLS_PER_UNIT
          + " (the noise calibration covers rounding in at most that many groups per unit)");
      return 0;
    }
    if (rowUnit && v != 1) {
      problems.add(key, "must be 1 when privacy_unit is row (each row is its own unit: one row in one group)");
      return 0;
    }
    return v;
  }

  private PrivacyLoss loss(String key, LossYaml l, boolean total) {
    if (l == null) {
      missing(key, total ? "give the dataset's lifetime budget, e.g. budget: { epsilon: 3.0, delta: 1.0e-6 }"
          : "give the per-query loss used when the analyst gives none, e.g. defaults: { epsilon: 0.5, delta: 1.0e-7 }");
      return null;
    }
    BigDecimal epsilon = lossNumber(Problems.path(key, "epsilon"), l.epsilon(), "e.g. epsilon: " + (total ? "3.0" : "0.5"));
    BigDecimal delta = lossNumber(Problems.path(key, "delta"), l.delta(),
        "0 for pure DP, or a small value below 1/(number of people), e.g. delta: 1.0e-6");
    if (epsilon != null) {
      try {
        if (total) {
          PrivacyLoss.budget(epsilon, BigDecimal.ZERO);
        } else {
          PrivacyLoss.of(epsilon, BigDecimal.ZERO);
        }
      } catch (InvalidPrivacyParameterException e) {
        problems.add(Problems.path(key, "epsilon"), e.getMessage());
        epsilon = null;
      }
    }
    if (delta != null) {
      try {
        PrivacyLoss.budget(BigDecimal.ONE, delta);
      } catch (InvalidPrivacyParameterException e) {
        problems.add(Problems.path(key, "delta"), e.getMessage());
        delta = null;
      }
    }
    if (epsilon == null || delta == null) {
      return null;
    }
    return total ? PrivacyLoss.budget(epsilon, delta) : PrivacyLoss.of(epsilon, delta);
  }

  private BigDecimal lossNumber(String path, String text, String hint) {
    if (text == null) {
      missing(path, "give " + hint);
      return null;
    }
    return number(path, text);
  }

  private void defaultsWithinBudget(PrivacyLoss budget, PrivacyLoss defaults) {
    if (defaults.epsilon().compareTo(budget.epsilon()) > 0) {
      problems.add("defaults.epsilon", "must be <= budget.epsilon (" + budget.epsilon().toPlainString()
          + "); one default query may not cost more than the whole budget");
    }
    if (defaults.delta().compareTo(budget.delta()) > 0) {
      problems.add("defaults.delta", "must be <= budget.delta (" + budget.delta() + ")"
          + (budget.delta().signum() == 0 ? "; the budget is pure DP, so use delta: 0" : ""));
    }
  }

  private String ledger(String text, String name, Source source) {
    if (text == null) {
      return name == null ? null : baseDir.resolve(name + ".ledger.db").toAbsolutePath().normalize().toString();
    }
    if (text.isBlank()) {
      problems.add("ledger", "must not be empty; remove the key to use <name>.ledger.db beside the YAML file");
      return null;
    }
    if (text.regionMatches(true, 0, "jdbc:", 0, 5)) {
      if (!text.startsWith("jdbc:postgresql:")) {
        problems.add("ledger", "only PostgreSQL URLs (jdbc:postgresql://...) are supported; or give a file path");
        return null;
      }
      return text;
    }
    Path path = file("ledger", text);
    if (path == null) {
      return null;
    }
    if ((source instanceof Source.Csv c && c.path().equals(path))
        || (source instanceof Source.Parquet p && p.path().equals(path))) {
      problems.add("ledger", "is the data file itself; give the ledger its own file, e.g. " + name + ".ledger.db");
      return null;
    }
    return path.toString();
  }

  /** A finite decimal, or null after recording a problem. */
  /** A date bound (yyyy-mm-dd) as its epoch day, or null after reporting why it is not one. */
  private BigDecimal dateBound(String path, String text) {
    if (text == null) {
      return null;
    }
    if (isTodo(text)) {
      problems.add(path, TODO_HINT + "give a date written yyyy-mm-dd or remove the key");
      return null;
    }
    try {
      return BigDecimal.valueOf(LocalDate.parse(text.strip()).toEpochDay());
    } catch (DateTimeParseException e) {
      problems.add(path, "must be a date written yyyy-mm-dd in a date column, e.g. \"2024-01-31\" (got '"
          + abbreviate(text) + "')");
      return null;
    }
  }

  private BigDecimal number(String path, String text) {
    if (text == null) {
      return null;
    }
    if (isTodo(text)) {
      problems.add(path, TODO_HINT + "give a number or remove the key where it is optional");
      return null;
    }
    String t = text.strip().toLowerCase(Locale.ROOT);
    if (t.contains("nan")) {
      problems.add(path, "must be a finite number, not NaN");
      return null;
    }
    if (t.contains("inf")) {
      problems.add(path, "must be a finite number, not infinite");
      return null;
    }
    BigDecimal value = parseDecimal(text);
    if (value == null) {
      problems.add(path, "must be a number (got '" + abbreviate(text) + "')");
    }
    return value;
  }

  /** Decimal text (as YAML or a person writes it: 3, 3.0, 1e-6, 1.0e-6, 500_000) or null. */
  static BigDecimal parseDecimal(String text) {
    String t = text.strip();
    if (t.isEmpty() || t.length() > 100) {
      return null;
    }
    if (GROUPED_DIGITS.matcher(t).matches()) {
      t = t.replace("_", "");
    }
    try {
      return new BigDecimal(t.startsWith("+") ? t.substring(1) : t);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static boolean isTodo(String text) {
    return text.strip().equals(TODO);
  }

  private void missing(String path, String hint) {
    if (!problems.reported(path)) {
      problems.add(path, "missing; " + hint);
    }
  }

  private static String abbreviate(String text) {
    String oneLine = text.replaceAll("\\s+", " ");
    return oneLine.length() <= 40 ? oneLine : oneLine.substring(0, 37) + "...";
  }
}
