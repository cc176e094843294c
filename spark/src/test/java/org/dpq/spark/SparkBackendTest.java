package org.dpq.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.dpq.engine.Dpq;
import org.dpq.engine.QueryResult;
import org.dpq.engine.PumsFiles;
import org.dpq.engine.TestSeams;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.DatasetLoader;
import org.dpq.engine.execution.Backend;
import org.dpq.engine.execution.BoundedRows;
import org.dpq.engine.execution.DuckDbBackend;
import org.dpq.engine.execution.TestTable;
import org.dpq.errors.BackendException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Spark backend's own behaviour: source formats, CSV typing, errors, and the engine finding it. */
class SparkBackendTest {
  private static final TestTable PUMS = TestTable.pums("PUMS_dup.csv");
  private static final String GROUPED = "SELECT educ, sex, COUNT(*) AS n, SUM(income) AS s, AVG(age) AS a "
      + "FROM pums WHERE age / 10 <> 4 GROUP BY educ, sex";
  private static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = LocalSpark.session();
  }

  private static String csvSource(Path csv) {
    return "{ spark: { csv: '" + csv.toAbsolutePath().toString().replace("'", "''") + "' } }";
  }

  @Test
  void aTableAndParquetFilesGiveTheRowsTheCsvGives(@TempDir Path dir) {
    org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> typed = spark.read().option("header", "true")
        .csv(PUMS.csv().toString())
        .selectExpr("CAST(age AS INT) AS AGE", "sex", "educ", "race", "CAST(income AS DOUBLE) AS Income", "married",
            "CAST(pid AS INT) AS pid");
    typed.createOrReplaceGlobalTempView("pums_typed");
    Path parquet = dir.resolve("pums.parquet");
    typed.write().parquet(parquet.toString());
    try (Backend csv = SparkBackend.open(spark, PUMS.dataset(csvSource(PUMS.csv()), 1, 1));
        Backend table = SparkBackend.open(spark, PUMS.dataset("{ spark: { table: global_temp.pums_typed } }", 1, 1));
        Backend files = SparkBackend.open(spark, PUMS.dataset("{ spark: { parquet: '" + parquet + "' } }", 1, 1))) {
      BoundedRows reference = BoundedRows.run(csv, PUMS.dataset(csvSource(PUMS.csv()), 1, 2), GROUPED, 3L);
      assertFalse(reference.rows().isEmpty());
      reference.assertSameAs(BoundedRows.run(table, PUMS.dataset("{ spark: { table: global_temp.pums_typed } }", 1, 2),
          GROUPED, 3L), "table vs csv");
      reference.assertSameAs(BoundedRows.run(files, PUMS.dataset("{ spark: { parquet: '" + parquet + "' } }", 1, 2),
          GROUPED, 3L), "parquet vs csv");
    }
  }

  @Test
  void csvCellsBecomeTheValuesDuckDbReads(@TempDir Path dir) throws Exception {
    List<String> cells = List.of("59", "59.0", "59.5", "-0", "007", " 7", "1e2", "abc", "", "NaN", "Infinity",
        "-Infinity", "inf", "9223372036854775807", "9223372036854775808", "true", "2024-01-31");
    StringBuilder csv = new StringBuilder("id,i,d,s,b,t\n");
    for (int k = 0; k < cells.size(); k++) {
      String c = cells.get(k).isEmpty() ? "" : "\"" + cells.get(k) + "\"";
      csv.append(k).append(',').append(c).append(',').append(c).append(',').append(c).append(',').append(c)
          .append(',').append(c).append('\n');
    }
    Path file = Files.writeString(dir.resolve("cells.csv"), csv);
    String yaml = """
        name: cells
        table: cells
        source: %s
        privacy_unit: row
        budget: { epsilon: 1, delta: 0 }
        defaults: { epsilon: 0.5, delta: 0 }
        columns:
          id: { type: int }
          i:  { type: long }
          d:  { type: double }
          s:  { type: string }
          b:  { type: boolean }
          t:  { type: date }
        """;
    // Cells that do not convert must become NULL on both backends here (what is compared), so DuckDB is told to
    // accept them; by default it refuses to open such a source (source.max_unparsable_fraction: 0).
    Dataset onDuck = DatasetLoader.parse(yaml.formatted("{ csv: cells.csv, max_unparsable_fraction: 1 }"), dir);
    Dataset onSpark = DatasetLoader.parse(yaml.formatted(csvSource(file)), dir);
    try (Backend duck = DuckDbBackend.open(onDuck); Backend sp = SparkBackend.open(spark, onSpark)) {
      Map<Long, List<Object>> expected = cells(duck, "SELECT id, i, d, s, b, CAST(t AS VARCHAR) FROM cells");
      Map<Long, List<Object>> actual = cells(sp, "SELECT id, i, d, s, b, CAST(t AS STRING) FROM cells");
      List<String> differences = new ArrayList<>();
      for (long k = 0; k < cells.size(); k++) {
        if (!expected.get(k).equals(actual.get(k))) {
          differences.add("'" + cells.get((int) k) + "': duckdb " + expected.get(k) + ", spark " + actual.get(k));
        }
      }
      // Spark has no infinite dates; DuckDB's (the last column) become NULL. Nothing else may differ.
      assertEquals(List.of(
          "'Infinity': duckdb [null, Infinity, Infinity, null, infinity], spark [null, Infinity, Infinity, null, null]",
          "'-Infinity': duckdb [null, -Infinity, -Infinity, null, -infinity], spark [null, -Infinity, -Infinity, null, "
              + "null]",
          "'inf': duckdb [null, Infinity, inf, null, infinity], spark [null, Infinity, inf, null, null]"),
          differences);
    }
  }

  private static Map<Long, List<Object>> cells(Backend b, String sql) {
    Map<Long, List<Object>> out = new HashMap<>();
    for (Object[] row : b.execute(sql)) {
      List<Object> values = new ArrayList<>(java.util.Arrays.asList(row).subList(1, row.length));
      out.put((Long) row[0], values);
    }
    return out;
  }

  @Test
  void errorsNameSparksErrorClassButNoDataValue() {
    try (Backend b = SparkBackend.open(spark, PUMS.dataset(csvSource(PUMS.csv()), 1, 1))) {
      // Spark 3.5's raise_error is an unclassified RuntimeException whose message holds the value.
      BackendException e = assertThrows(BackendException.class,
          () -> b.execute("SELECT raise_error(concat('leak-', educ, '-', income)) FROM pums"));
      assertTrue(e.getMessage().contains("an unclassified error (SparkException)"), e.getMessage());
      assertFalse(e.getMessage().contains("leak-"), e.getMessage());
      BackendException classified = assertThrows(BackendException.class,
          () -> b.execute("SELECT nosuch FROM pums"));
      assertTrue(classified.getMessage().contains("Spark error UNRESOLVED_COLUMN"), classified.getMessage());
      assertFalse(classified.getMessage().contains("nosuch"), classified.getMessage());
    }
  }

  @Test
  void missingColumnsAndIncompatibleTypesAreReportedWhenOpening() {
    TestTable extra = new TestTable("pums", PUMS.csv(), PUMS.postgresColumns(), "pid",
        PUMS.columnsYaml() + "zip: { type: string }\n");
    BackendException missing = assertThrows(BackendException.class,
        () -> SparkBackend.open(spark, extra.dataset(csvSource(PUMS.csv()), 1, 1)));
    assertTrue(missing.getMessage().contains("has no column named zip"), missing.getMessage());
    spark.read().option("header", "true").csv(PUMS.csv().toString()).createOrReplaceGlobalTempView("pums_text");
    BackendException typed = assertThrows(BackendException.class,
        () -> SparkBackend.open(spark, PUMS.dataset("{ spark: { table: global_temp.pums_text } }", 1, 1)));
    assertTrue(typed.getMessage().contains("age (declared int, Spark type string)"), typed.getMessage());
    BackendException noFile = assertThrows(BackendException.class,
        () -> SparkBackend.open(spark, PUMS.dataset(csvSource(Path.of("/nonexistent/p.csv")), 1, 1)));
    assertTrue(noFile.getMessage().contains("could not be opened: Spark error PATH_NOT_FOUND"), noFile.getMessage());
  }

  @Test
  void backendsWithTheSameTableNameDoNotSeeEachOthersView(@TempDir Path dir) throws Exception {
    Path half = dir.resolve("half.csv");
    List<String> lines = Files.readAllLines(PUMS.csv());
    Files.write(half, lines.subList(0, 1001));
    try (Backend all = SparkBackend.open(spark, PUMS.dataset(csvSource(PUMS.csv()), 1, 1));
        Backend some = SparkBackend.open(spark, PUMS.dataset(csvSource(half), 1, 1))) {
      assertEquals(1948L, all.execute("SELECT COUNT(*) FROM pums").get(0)[0]);
      assertEquals(1000L, some.execute("SELECT COUNT(*) FROM pums").get(0)[0]);
      some.close();
      assertEquals(1948L, all.execute("SELECT COUNT(*) FROM pums").get(0)[0]);
      assertThrows(BackendException.class, () -> some.execute("SELECT COUNT(*) FROM pums"));
    }
  }

  @Test
  void theEngineFindsTheSparkBackendAndReleasesWhatDuckDbReleases(@TempDir Path dir) throws Exception {
    String yaml = Files.readString(PumsFiles.pumsYaml(dir.resolve("duck"), "PUMS_dup.csv", "pid", 1, 2, "50"));
    Path onSpark = Files.createDirectories(dir.resolve("spark")).resolve("pums.yaml");
    Files.writeString(onSpark, yaml.replaceFirst("source: \\{ csv: \"([^\"]*)\" }",
        "source: { spark: { csv: \"$1\", master: \"local[2]\" } }"));
    String sql = "SELECT married, COUNT(*) AS n, SUM(income) AS total, AVG(age) AS mean FROM pums GROUP BY married";
    try (Dpq duck = TestSeams.openWithoutNoise(dir.resolve("duck/pums.yaml"));
        Dpq sp = TestSeams.openWithoutNoise(onSpark)) {
      QueryResult a = duck.query(sql);
      QueryResult b = sp.query(sql);
      assertEquals(2, b.rows().size());
      for (int row = 0; row < 2; row++) {
        for (String column : List.of("married", "n", "total", "mean")) {
          assertEquals(a.value(row, column), b.value(row, column), column + " of row " + row);
        }
      }
    }
  }
}
