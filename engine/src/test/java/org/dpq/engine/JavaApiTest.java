package org.dpq.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.dpq.budget.LedgerEntry;
import org.dpq.engine.catalog.ColumnType;
import org.dpq.engine.catalog.Dataset;
import org.dpq.errors.DatasetValidationException;
import org.dpq.errors.LedgerException;
import org.dpq.errors.QueryParameter;
import org.dpq.errors.QueryRejectedException;
import org.dpq.mechanisms.Interval;
import org.dpq.mechanisms.MechanismChoice;
import org.dpq.mechanisms.PrivacyLoss;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteDataSource;

/** The Java developer's surface: typed results, the builder, bind parameters, errors without CLI flags. */
class JavaApiTest {
  private static final int ROWS = 300;

  @TempDir
  Path dir;

  private Path csv;
  private long adultsOfSexOne;

  @BeforeEach
  void writeData() throws IOException {
    StringBuilder b = new StringBuilder("pid,age,sex,income,city\n");
    for (int i = 0; i < ROWS; i++) {
      int age = (i * 37) % 90;
      String sex = i % 3 == 0 ? "0" : "1";
      if (age >= 30 && sex.equals("1")) {
        adultsOfSexOne++;
      }
      b.append(i).append(',').append(age).append(',').append(sex).append(',').append((i * 7919) % 1000 + 0.25)
          .append(',').append(i % 2 == 0 ? "a" : "b").append('\n');
    }
    csv = dir.resolve("people.csv");
    Files.writeString(csv, b);
  }

  private Dataset dataset() {
    return Dataset.builder("people").csv(csv).privacyUnit("pid").maxGroupsContributed(1).maxRowsPerGroup(1)
        .budget("20", "1e-5").defaults("1", "1e-7").ledger(dir.resolve("people.ledger.db").toString())
        .column("pid", ColumnType.INT)
        .column("age", ColumnType.INT, 0, 100)
        .column("sex", ColumnType.STRING, List.of("0", "1"))
        .column("income", ColumnType.DOUBLE, 0, 1000)
        .column("city", ColumnType.STRING)
        .build();
  }

  private Path yaml() throws IOException {
    Path yaml = dir.resolve("people.yaml");
    Files.writeString(yaml, """
        name: people
        table: people
        source: { csv: people.csv }
        privacy_unit: pid
        max_groups_contributed: 1
        max_rows_per_group: 1
        budget: { epsilon: 20, delta: 1.0e-5 }
        defaults: { epsilon: 1, delta: 1.0e-7 }
        columns:
          pid:    { type: int }
          age:    { type: int, lower: 0, upper: 100 }
          sex:    { type: string, public_values: ["0", "1"] }
          income: { type: double, lower: 0, upper: 1000 }
          city:   { type: string }
        """);
    return yaml;
  }

  @Test
  void typedAccessReadsEachReleasedValueAsItsType() throws IOException {
    try (Dpq dpq = TestSeams.openWithoutNoise(yaml())) {
      QueryResult r = dpq.query("SELECT sex, COUNT(*) AS n, AVG(income) AS mean FROM people GROUP BY sex ORDER BY sex",
          QueryOptions.defaults().withEpsilon("1").withDelta("0"));
      assertEquals(List.of("sex", "n", "mean"), r.columns());
      assertEquals("0", r.getString(0, "sex"));
      assertEquals(100L, r.getLong(0, "n"), "zero noise: the exact count of sex 0");
      assertEquals(200L, r.getLong(1, 1));
      assertEquals(200.0, r.getDouble(1, "N"), "a count read as a double; names are case-insensitive");
      assertTrue(r.getDouble(0, "mean") > 0 && r.getDouble(0, "mean") < 1000);
      assertThrows(IllegalStateException.class, () -> r.getLong(0, "mean"), "an average is not an integer");
      assertThrows(IllegalStateException.class, () -> r.getDouble(0, "sex"), "a string key is not a number");
      assertTrue(r.interval(0, "sex").isEmpty(), "keys have no noise interval");
      Interval count = r.interval(0, "n").orElseThrow();
      assertTrue(count.contains(100), count.toString());
      assertTrue(r.interval(0, "mean").isPresent());
      assertThrows(IllegalArgumentException.class, () -> r.getLong(0, "nope"));
    }
  }

  @Test
  void integerMeasuresHaveIntegerIntervalEndsAndLossesPrintAsPlainDecimals() throws IOException {
    try (Dpq dpq = Dpq.open(yaml())) {
      QueryResult r = dpq.query("SELECT sex, COUNT(*) AS n, SUM(age) AS ages, SUM(income) AS total FROM people "
          + "GROUP BY sex", QueryOptions.defaults().withEpsilon("0.3").withDelta("0").withMechanism(MechanismChoice.LAPLACE));
      for (int row = 0; row < r.rows().size(); row++) {
        for (String column : List.of("n", "ages")) {
          Interval ci = r.interval(row, column).orElseThrow();
          assertEquals(Math.rint(ci.low()), ci.low(), column + " " + ci);
          assertEquals(Math.rint(ci.high()), ci.high(), column + " " + ci);
          assertTrue(ci.contains(r.getLong(row, column)), column + " " + ci);
          assertFalse(ci.toString().contains("."), "integer ends print without a fraction: " + ci);
        }
        Interval real = r.interval(row, "total").orElseThrow();
        assertTrue(real.contains(r.getDouble(row, "total")));
      }
      assertEquals("(epsilon=0.3, delta=0)", r.cost().toString());
    }
    PrivacyLoss tiny = PrivacyLoss.of(new BigDecimal("0.5"), new BigDecimal("1e-7"));
    assertEquals("(epsilon=0.5, delta=0.0000001)", tiny.toString());
    assertEquals("(epsilon=0.5, delta=0)", new PrivacyLoss(new BigDecimal("0.50000000000000000000"),
        new BigDecimal("0E-20")).toString(), "an exact split prints without its trailing zeros");
    assertEquals("[829, 1171]", new Interval(828.9999999999999, 1171.0000000000002).integral().toString());
    assertEquals(new Interval(829, 1171), new Interval(829.0000000000001, 1170.9999999999998).integral(),
        "float error around an integer end is that integer, not the next one");
    assertEquals(new Interval(828, 1172), new Interval(828.5, 1171.5).integral(), "otherwise rounded outwards");
  }

  @Test
  void bindParametersAnswerLikeLiteralsAndArePartOfTheStoredAnswerAndTheLedgerRecord() throws IOException {
    try (Dpq dpq = TestSeams.openWithoutNoise(yaml())) {
      QueryOptions options = QueryOptions.defaults().withEpsilon("0.5").withDelta("0");
      String sql = "SELECT COUNT(*) AS n FROM people WHERE age >= ? AND sex = ?";
      QueryResult bound = dpq.query(sql, options, 30, "1");
      assertEquals(adultsOfSexOne, bound.getLong(0, "n"));
      assertFalse(bound.reused());

      QueryResult again = dpq.query(sql, options, 30, "1");
      assertTrue(again.reused(), "the same parameters: the stored answer at no cost");
      assertEquals(PrivacyLoss.ZERO, again.cost());

      QueryResult other = dpq.query(sql, options, 31, "1");
      assertFalse(other.reused(), "other parameters are another query: never another's answer");
      assertNotEquals(bound.ledgerSequence(), other.ledgerSequence());

      List<String> charged = dpq.history().stream().map(LedgerEntry::sql)
          .filter(t -> t != null && t.contains("age >=")).toList();
      assertEquals(List.of("SELECT COUNT(*) AS n FROM people WHERE age >= 30 AND sex = '1'",
          "SELECT COUNT(*) AS n FROM people WHERE age >= 31 AND sex = '1'"), charged,
          "the ledger records the query as answered, with its parameters as literals");

      // A string parameter is a literal, never SQL: it cannot close its quotes.
      QueryResult injected = dpq.query("SELECT COUNT(*) AS n FROM people WHERE sex = ?", options, "1' OR '1'='1");
      assertEquals(0L, injected.getLong(0, "n"));

      QueryResult fluent = dpq.count().where("age >= ?", 30).where("sex = ?", "1").run(options);
      assertEquals(adultsOfSexOne, fluent.getLong(0, 0));
      assertEquals(-1, dpq.count().where("age >= ?", 30).sql().indexOf("30"), "the helper's SQL keeps the marker");

      long entries = dpq.history().size();
      assertThrows(QueryRejectedException.class, () -> dpq.query(sql, options, 30));
      assertThrows(QueryRejectedException.class, () -> dpq.query(sql, options, 30, null));
      assertThrows(QueryRejectedException.class, () -> dpq.query(sql, options, 30, new Object()));
      assertThrows(QueryRejectedException.class, () -> dpq.query(sql, options, Double.NaN, "1"));
      assertEquals(entries, dpq.history().size(), "a refused binding costs nothing");
      assertEquals("SELECT 1 WHERE x > (-5) AND s = 'it''s' AND d = DATE '2024-02-29' AND b = TRUE AND y = 0.1 "
          + "AND q = '?' -- ?", org.dpq.engine.analysis.BindParameters.bind(
              "SELECT 1 WHERE x > ? AND s = ? AND d = ? AND b = ? AND y = ? AND q = '?' -- ?",
              -5, "it's", java.time.LocalDate.of(2024, 2, 29), true, 0.1));
    }
  }

  @Test
  void theBuilderTakesADatasetDefinedInCodeAndALedgerLocation() throws IOException {
    Path ledger = dir.resolve("elsewhere").resolve("ledger.db");
    Files.createDirectories(ledger.getParent());
    try (Dpq dpq = Dpq.builder().dataset(dataset()).ledger(ledger.toString()).build()) {
      QueryResult r = dpq.count().where("age >= ?", 30).run(QueryOptions.defaults().withEpsilon("0.5"));
      assertEquals(1, r.rows().size());
      assertEquals(new BigDecimal("0.5"), dpq.budgetStatus().spent().epsilon().stripTrailingZeros());
    }
    assertTrue(Files.size(ledger) > 0, "the ledger lives where the builder said");
    assertFalse(Files.exists(dir.resolve("people.ledger.db")), "not at the dataset's own location");

    try (Dpq fromYaml = Dpq.builder().dataset(yaml()).ledger(ledger.toString()).build()) {
      assertEquals(new BigDecimal("0.5"), fromYaml.budgetStatus().spent().epsilon().stripTrailingZeros(),
          "the same dataset id on the same ledger shares its budget");
    }

    DatasetValidationException invalid = assertThrows(DatasetValidationException.class,
        () -> Dataset.builder("people").csv(csv).privacyUnit("pid").column("pid", ColumnType.INT)
            .column("age", ColumnType.INT, 100, 0).build());
    assertTrue(invalid.problems().stream().anyMatch(p -> p.startsWith("budget")), invalid.problems().toString());
    assertTrue(invalid.problems().stream().anyMatch(p -> p.startsWith("columns.age")), invalid.problems().toString());
    assertThrows(IllegalStateException.class, () -> Dpq.builder().build());
  }

  @Test
  void aLedgerDataSourceMustBePostgres() {
    SQLiteDataSource sqlite = new SQLiteDataSource();
    sqlite.setUrl("jdbc:sqlite:" + dir.resolve("x.db"));
    LedgerException e = assertThrows(LedgerException.class,
        () -> Dpq.builder().dataset(dataset()).ledger(sqlite).build());
    assertTrue(e.getMessage().contains("file path"), e.getMessage());
  }

  @Test
  void dpqLogsTimingsBackendAndPlanDecisionsThroughSlf4jButNoData() throws IOException {
    assertTrue(org.slf4j.LoggerFactory.getILoggerFactory().getClass().getName().startsWith(RecordingLogs.class.getName()),
        "the engine's tests run with -Dslf4j.provider=org.dpq.engine.RecordingLogs (SLF4J 2 provider lookup)");
    int before = RecordingLogs.lines().size();
    try (Dpq dpq = Dpq.open(yaml())) {
      for (int i = 0; i < 2; i++) {
        dpq.query("SELECT city, COUNT(*) AS n, SUM(income) AS s FROM people WHERE city <> ? GROUP BY city",
            QueryOptions.defaults().withEpsilon("1").withDelta("1e-6"), "zq-parameter");
      }
    }
    List<String> lines = RecordingLogs.lines().subList(before, RecordingLogs.lines().size()).stream()
        .filter(l -> l.contains("dataset 'people'")).toList();
    String all = String.join("\n", lines);
    assertTrue(all.contains("DuckDbBackend opened in"), all);
    assertTrue(all.contains("planned in") && all.contains("partition mode THRESHOLD"), all);
    assertTrue(all.matches("(?s).*ran the bounded query \\((AGGREGATE|RANK)_FIRST\\) in \\d+ ms.*"), all);
    assertTrue(all.contains("is returned at no cost"), all);
    List<String> data = new java.util.ArrayList<>(List.of("\"a\"", "'a'", "zq-parameter", ".25"));
    for (String line : Files.readAllLines(csv).subList(1, 40)) {
      data.add(line.split(",")[3]); // incomes such as 920.25: never in a log line
    }
    for (String line : lines) {
      for (String value : data) {
        assertFalse(line.contains(value), "a log line contains " + value + ": " + line);
      }
    }
  }

  @Test
  void engineMessagesNameTheFixWithoutCommandLineFlags() throws IOException {
    try (Dpq dpq = Dpq.open(yaml())) {
      QueryRejectedException noDelta = assertThrows(QueryRejectedException.class,
          () -> dpq.query("SELECT city, COUNT(*) FROM people GROUP BY city",
              QueryOptions.defaults().withEpsilon("1").withDelta("0")));
      assertEquals(Set.of(QueryParameter.DELTA), noDelta.parameters());
      QueryRejectedException gaussian = assertThrows(QueryRejectedException.class,
          () -> dpq.query("SELECT COUNT(*) FROM people",
              QueryOptions.defaults().withDelta("0").withMechanism(MechanismChoice.GAUSSIAN)));
      assertEquals(Set.of(QueryParameter.DELTA, QueryParameter.MECHANISM), gaussian.parameters());
      QueryRejectedException hint = assertThrows(QueryRejectedException.class,
          () -> dpq.query("SELECT /*+ dp(epsilon='9') */ COUNT(*) FROM people"));
      for (RuntimeException e : List.of(noDelta, gaussian, hint)) {
        assertFalse(e.getMessage().matches("(?s).*--[a-z].*"), "names a flag: " + e.getMessage());
      }
    }
    DatasetValidationException missing = assertThrows(DatasetValidationException.class,
        () -> Dpq.open(dir.resolve("absent.yaml")));
    assertFalse(missing.getMessage().contains("--"), missing.getMessage());
  }
}
