package org.dpq.engine.execution;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.dpq.engine.PumsFiles;
import org.dpq.engine.catalog.ColumnType;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.DatasetLoader;
import org.dpq.errors.BackendException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class DuckDbBackendTest {
  @TempDir Path tmp;

  private static Dataset pums(String file) {
    return DatasetLoader.parse(PumsFiles.designYaml(PumsFiles.pums(file)), PumsFiles.dir());
  }

  /** A row-unit dataset over a CSV written to the temp folder. */
  private Dataset csv(String content, String columns) throws IOException {
    return csv(content, "", columns);
  }

  /** A row-unit dataset over a CSV with these contents, CSV options (e.g. {@code , delimiter: ";"}) and columns. */
  private Dataset csv(String content, String options, String columns) throws IOException {
    Path file = Files.writeString(tmp.resolve("t.csv"), content);
    return DatasetLoader.parse("""
        name: t
        table: t
        source: { csv: t.csv%s }
        privacy_unit: row
        budget: { epsilon: 1, delta: 0 }
        defaults: { epsilon: 0.5, delta: 0 }
        columns:
        %s
        """.formatted(options, columns.indent(2)), file.getParent());
  }

  private static Object single(Backend b, String sql) {
    List<Object[]> rows = b.execute(sql);
    assertEquals(1, rows.size(), sql);
    return rows.get(0)[0];
  }

  /** Per CSV column, how many cells are empty, computed in Java from the file (an independent reference). */
  private static long[] emptyCells(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file);
    int n = lines.get(0).split(",", -1).length;
    long[] empty = new long[n];
    for (String line : lines.subList(1, lines.size())) {
      String[] cells = line.split(",", -1);
      for (int i = 0; i < n; i++) {
        if (cells[i].isEmpty()) {
          empty[i]++;
        }
      }
    }
    return empty;
  }

  @ParameterizedTest
  @EnumSource(DuckDbBackend.Storage.class)
  void countsEveryRowOfTheDuplicatedSample(DuckDbBackend.Storage storage) {
    try (DuckDbBackend b = DuckDbBackend.open(pums("PUMS_dup.csv"), storage)) {
      assertSame(storage, b.storage());
      assertEquals(1948L, single(b, "SELECT COUNT(*) FROM pums"));
      assertEquals(1000L, single(b, "SELECT COUNT(DISTINCT pid) FROM pums"));
    }
  }

  @ParameterizedTest
  @EnumSource(DuckDbBackend.Storage.class)
  void exposesExactlyTheDeclaredColumnsWithTheirDeclaredTypes(DuckDbBackend.Storage storage) {
    try (DuckDbBackend b = DuckDbBackend.open(pums("PUMS_dup.csv"), storage)) {
      List<Object[]> cols = b.execute("SELECT column_name, data_type FROM information_schema.columns "
          + "WHERE table_name = 'pums' ORDER BY ordinal_position");
      assertEquals(List.of("age BIGINT", "sex VARCHAR", "income DOUBLE", "educ VARCHAR", "pid BIGINT"),
          cols.stream().map(r -> r[0] + " " + r[1]).toList());
      // race is in the file but not declared: it does not exist for queries
      BackendException e = assertThrows(BackendException.class, () -> b.execute("SELECT race FROM pums"));
      assertTrue(e.getMessage().contains("Binder"), e.getMessage());
      // sex stays a string even though the file's values look like integers
      List<Object[]> bySex = b.execute("SELECT sex, COUNT(*) FROM pums GROUP BY sex ORDER BY sex");
      assertEquals(2, bySex.size());
      assertEquals("0", bySex.get(0)[0]);
      assertEquals("1", bySex.get(1)[0]);
      assertEquals(1948L, (Long) bySex.get(0)[1] + (Long) bySex.get(1)[1]);
      assertInstanceOf(Long.class, single(b, "SELECT age FROM pums WHERE pid = 1 LIMIT 1"));
      assertEquals(59L, single(b, "SELECT age FROM pums WHERE pid = 1 LIMIT 1"));
    }
  }

  @Test
  void sumsComeBackAsExactJavaNumbers() throws IOException {
    long ageSum = 0;
    double incomeSum = 0;
    for (String line : Files.readAllLines(PumsFiles.pums("PUMS_dup.csv")).subList(1, 1949)) {
      String[] c = line.split(",");
      ageSum += Long.parseLong(c[0]);
      incomeSum += Double.parseDouble(c[4]);
    }
    try (DuckDbBackend b = DuckDbBackend.open(pums("PUMS_dup.csv"))) {
      Object sum = single(b, "SELECT SUM(age) FROM pums"); // HUGEINT in DuckDB
      assertInstanceOf(Long.class, sum);
      assertEquals(ageSum, sum);
      assertEquals(incomeSum, (Double) single(b, "SELECT SUM(income) FROM pums"), 1e-6);
      assertEquals(0.5, single(b, "SELECT SUM(x) FROM (VALUES (0.25), (0.25)) v(x)")); // DECIMAL, exact
    }
  }

  @ParameterizedTest
  @EnumSource(DuckDbBackend.Storage.class)
  void missingValuesBecomeNull(DuckDbBackend.Storage storage) throws IOException {
    Path file = PumsFiles.pums("PUMS_null.csv");
    long[] empty = emptyCells(file);
    assertTrue(empty[0] > 0 && empty[1] > 0 && empty[4] > 0, "the sample has gaps in age, sex and income");
    try (DuckDbBackend b = DuckDbBackend.open(pums("PUMS_null.csv"), storage)) {
      Object[] nulls = b.execute("SELECT COUNT(*) - COUNT(age), COUNT(*) - COUNT(sex), COUNT(*) - COUNT(educ), "
          + "COUNT(*) - COUNT(income), COUNT(*) - COUNT(pid), COUNT(*) FROM pums").get(0);
      assertArrayEquals(new Object[] {empty[0], empty[1], empty[2], empty[4], empty[6], 1948L}, nulls);
    }
  }

  @ParameterizedTest
  @EnumSource(DuckDbBackend.Storage.class)
  void unparsableCellsBecomeNullWhenTheOwnerAllowsThem(DuckDbBackend.Storage storage) throws IOException {
    Dataset d = csv("id,age,score\n1,42,1.5\n2,forty,x\n3,1.5,2\n4,59.0,\n5, 7 ,3\n6,99999999999999999999,4\n",
        ", max_unparsable_fraction: 0.5",
        "id: { type: int }\nage: { type: int, lower: 0, upper: 100 }\nscore: { type: double, lower: 0, upper: 10 }");
    try (DuckDbBackend b = DuckDbBackend.open(d, storage)) {
      List<Object[]> rows = b.execute("SELECT id, age, score FROM t ORDER BY id");
      assertEquals(6, rows.size());
      assertArrayEquals(new Object[] {1L, 42L, 1.5}, rows.get(0));
      assertArrayEquals(new Object[] {2L, null, null}, rows.get(1)); // not numbers
      assertArrayEquals(new Object[] {3L, null, 2.0}, rows.get(2)); // 1.5 is not an integer: NULL, not rounded
      assertArrayEquals(new Object[] {4L, 59L, null}, rows.get(3)); // 59.0 is the integer 59
      assertArrayEquals(new Object[] {5L, 7L, 3.0}, rows.get(4)); // surrounding blanks are ignored
      assertArrayEquals(new Object[] {6L, null, 4.0}, rows.get(5)); // beyond 64 bits
      assertEquals(List.of(new UnparsableCells("id", ColumnType.INT, 6, 0),
          new UnparsableCells("age", ColumnType.INT, 6, 3), new UnparsableCells("score", ColumnType.DOUBLE, 5, 1)),
          b.unparsableCells());
      assertEquals(List.of("id", "age", "score"), b.execute("SELECT column_name FROM (DESCRIBE t)").stream()
          .map(r -> r[0]).toList(), "the conversion flags are gone");
    }
  }

  /** By default one unparsable cell refuses the source; the message names columns and counts, never a cell. */
  @ParameterizedTest
  @EnumSource(DuckDbBackend.Storage.class)
  void unparsableCellsAboveTheThresholdRefuseTheSource(DuckDbBackend.Storage storage) throws IOException {
    String content = "id,salary,day\n1,1000.50,Zyxwvut\n2,2000,2024-01-31\n3,,2024-02-01\n4,3000,\n";
    String columns = "id: { type: int }\nsalary: { type: int }\nday: { type: date }";
    BackendException e = assertThrows(BackendException.class, () -> DuckDbBackend.open(csv(content, columns),
        storage));
    assertTrue(e.getMessage().contains("salary (int): 1 of 3 non-empty cells; day (date): 1 of 3 non-empty cells"),
        e.getMessage());
    assertTrue(e.getMessage().contains("max_unparsable_fraction allows 0"), e.getMessage());
    assertFalse(e.getMessage().contains("Zyxwvut") || e.getMessage().contains("1000.5"), e.getMessage());
    // A third of the cells is more than 0.3 allows and no more than 0.34.
    assertThrows(BackendException.class, () -> DuckDbBackend.open(csv(content,
        ", max_unparsable_fraction: 0.3", columns), storage));
    try (DuckDbBackend b = DuckDbBackend.open(csv(content, ", max_unparsable_fraction: 0.34", columns), storage)) {
      assertEquals(2L, single(b, "SELECT COUNT(salary) FROM t"));
    }
    // Declared as what the file holds, the same file opens with nothing unparsable.
    try (DuckDbBackend b = DuckDbBackend.open(csv(content.replace("Zyxwvut", "2024-01-30"),
        "id: { type: int }\nsalary: { type: double }\nday: { type: date }"), storage)) {
      assertEquals(6000.5, single(b, "SELECT SUM(salary) FROM t"));
      assertTrue(b.unparsableCells().stream().allMatch(c -> c.unparsable() == 0), b.unparsableCells().toString());
    }
  }

  @ParameterizedTest
  @EnumSource(DuckDbBackend.Storage.class)
  void csvOptionsReadSemicolonsQuotesNullTextDatesAndHeadersThatAreNotIdentifiers(DuckDbBackend.Storage storage)
      throws IOException {
    Dataset d = csv("Person ID;'Full; name';born;score\n1;'a;b';31/12/1990;NA\n2;'it''s';01/02/2000;2.5\n",
        ", delimiter: \";\", quote: \"'\", null_string: NA, date_format: \"%d/%m/%Y\"", """
        pid: { type: int, from: "Person ID" }
        name: { type: string, from: "full; NAME" }
        born: { type: date }
        score: { type: double }""");
    try (DuckDbBackend b = DuckDbBackend.open(d, storage)) {
      List<Object[]> rows = b.execute("SELECT pid, name, CAST(born AS VARCHAR), score FROM t ORDER BY pid");
      assertArrayEquals(new Object[] {1L, "a;b", "1990-12-31", null}, rows.get(0));
      assertArrayEquals(new Object[] {2L, "it's", "2000-02-01", 2.5}, rows.get(1));
      assertTrue(b.unparsableCells().stream().allMatch(c -> c.unparsable() == 0), b.unparsableCells().toString());
    }
    // The same dates without the format do not parse, and say so.
    BackendException e = assertThrows(BackendException.class, () -> DuckDbBackend.open(csv(
        "id,born\n1,31/12/1990\n2,01/02/2000\n", "id: { type: int }\nborn: { type: date }"), storage));
    assertTrue(e.getMessage().contains("born (date): 2 of 2 non-empty cells"), e.getMessage());
    assertThrows(BackendException.class, () -> DuckDbBackend.open(csv("id,born\n1,31/12/1990\n",
        ", date_format: \"%Q\"", "id: { type: int }\nborn: { type: date }"), storage));
  }

  @Test
  void aCsvWithoutHeaderIsReadByPosition() throws IOException {
    Dataset d = csv("7,x,1.5\n8,y,2.5\n", ", header: false",
        "id: { type: int }\nscore: { type: double, from: 3 }\nlabel: { type: string, from: 2 }");
    try (DuckDbBackend b = DuckDbBackend.open(d)) {
      List<Object[]> rows = b.execute("SELECT id, score, label FROM t ORDER BY id");
      assertArrayEquals(new Object[] {7L, 1.5, "x"}, rows.get(0));
      assertArrayEquals(new Object[] {8L, 2.5, "y"}, rows.get(1));
    }
    BackendException e = assertThrows(BackendException.class, () -> DuckDbBackend.open(csv("7,x\n", ", header: false",
        "id: { type: int }\nscore: { type: double, from: 3 }")));
    assertTrue(e.getMessage().contains("score (column 3)"), e.getMessage());
  }

  @Test
  void aHeaderReadAsOneColumnNamesTheLikelyDelimiter() throws IOException {
    for (String separator : List.of(";", "\t")) {
      Dataset d = csv("id" + separator + "age\n1" + separator + "30\n", "id: { type: int }\nage: { type: int }");
      BackendException e = assertThrows(BackendException.class, () -> DuckDbBackend.open(d));
      String expected = separator.equals(";") ? "holds semicolons, so the file is probably separated by them: add "
          + "delimiter: \";\"" : "holds tabs, so the file is probably separated by them: add delimiter: \"\\t\"";
      assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
  }

  @ParameterizedTest
  @EnumSource(DuckDbBackend.Storage.class)
  void nanAndInfinityTextRoundTripsInDoubleColumns(DuckDbBackend.Storage storage) throws IOException {
    Dataset d = csv("id,x\n1,NaN\n2,inf\n3,Infinity\n4,-Infinity\n5,-inf\n6,nan\n7,2.5\n",
        "id: { type: int }\nx: { type: double, lower: 0, upper: 10 }");
    try (DuckDbBackend b = DuckDbBackend.open(d, storage)) {
      List<Object[]> rows = b.execute("SELECT x FROM t ORDER BY id");
      List<Object> xs = rows.stream().map(r -> r[0]).toList();
      assertEquals(List.of(Double.NaN, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY,
          Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN, 2.5), xs);
    }
  }

  @ParameterizedTest
  @EnumSource(DuckDbBackend.Storage.class)
  void sqlErrorsNeverEchoADataValue(DuckDbBackend.Storage storage) throws IOException {
    Dataset d = csv("id,name\n1,Zyxwvut\n", "id: { type: int }\nname: { type: string }");
    try (DuckDbBackend b = DuckDbBackend.open(d, storage)) {
      BackendException e = assertThrows(BackendException.class,
          () -> b.execute("SELECT CAST(name AS INTEGER) FROM t"));
      assertFalse(e.getMessage().toLowerCase(Locale.ROOT).contains("zyxwvut"), e.getMessage());
      assertTrue(e.getMessage().contains("could not be converted"), e.getMessage());
      assertNull(e.getCause(), "the driver's exception (which names the value) is not kept");
      assertFalse(String.valueOf(e).toLowerCase(Locale.ROOT).contains("zyxwvut"));
    }
  }

  @Test
  void aMalformedCsvFailsWithoutEchoingTheRow() throws IOException {
    Dataset d = csv("id,name\n1,a\n2,Zyxwvut,extra,cells\n", "id: { type: int }\nname: { type: string }");
    // A view too reads the whole file once when opened (to count unparsable cells), so both fail there.
    for (DuckDbBackend.Storage storage : DuckDbBackend.Storage.values()) {
      BackendException atOpen = assertThrows(BackendException.class, () -> DuckDbBackend.open(d, storage));
      assertFalse(atOpen.getMessage().toLowerCase(Locale.ROOT).contains("zyxwvut"), atOpen.getMessage());
      assertTrue(atOpen.getMessage().contains("could not expose the source of table 't'"), atOpen.getMessage());
    }
  }

  @ParameterizedTest
  @EnumSource(DuckDbBackend.Storage.class)
  void queriesCannotReachOtherFilesOrSettings(DuckDbBackend.Storage storage) throws IOException {
    Path other = Files.writeString(tmp.resolve("other.csv"), "a\nsecret\n");
    try (DuckDbBackend b = DuckDbBackend.open(pums("PUMS_pid.csv"), storage)) {
      BackendException read = assertThrows(BackendException.class,
          () -> b.execute("SELECT * FROM read_csv('" + other + "')"));
      assertTrue(read.getMessage().contains("Permission"), read.getMessage());
      assertThrows(BackendException.class, () -> b.execute("SELECT * FROM read_csv('"
          + PumsFiles.pums("PUMS_dup.csv") + "')"));
      assertThrows(BackendException.class, () -> b.execute("SET enable_external_access = true"));
      assertEquals(1000L, single(b, "SELECT COUNT(*) FROM pums"));
    }
  }

  @Test
  void aMissingFileOrColumnIsNamed() throws IOException {
    Dataset noFile = DatasetLoader.parse(PumsFiles.designYaml(tmp.resolve("gone.csv")), tmp);
    BackendException e = assertThrows(BackendException.class, () -> DuckDbBackend.open(noFile));
    assertTrue(e.getMessage().contains(tmp.resolve("gone.csv").toString()), e.getMessage());

    Dataset noColumn = csv("id,x\n1,2\n", "id: { type: int }\nx: { type: int }\nheight: { type: double }");
    BackendException c = assertThrows(BackendException.class, () -> DuckDbBackend.open(noColumn));
    assertTrue(c.getMessage().contains("has no column named height;"), c.getMessage());
  }

  @Test
  void headerNamesMatchDeclaredNamesIgnoringCaseAndBlanksWhateverTheirOrder() throws IOException {
    Dataset d = csv("\"Extra, col\", Score ,ID\nz,2.5,1\n", "id: { type: int }\nscore: { type: double }");
    try (DuckDbBackend b = DuckDbBackend.open(d)) {
      assertArrayEquals(new Object[] {1L, 2.5}, b.execute("SELECT id, score FROM t").get(0));
    }
    Dataset twice = csv("id,ID\n1,2\n", "id: { type: int }");
    BackendException e = assertThrows(BackendException.class, () -> DuckDbBackend.open(twice));
    assertTrue(e.getMessage().contains("more than one column named id"), e.getMessage());
  }

  @Test
  void readsParquetWithTheDeclaredTypes() throws IOException, SQLException {
    Path parquet = tmp.resolve("p.parquet");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("COPY (SELECT * FROM (VALUES (1, 10, 'a', 1.5), (2, 20, 'b', 2.5), (3, NULL, 'c', 3.5)) "
          + "v(id, code, label, x)) TO '" + parquet + "' (FORMAT parquet)");
    }
    Dataset d = DatasetLoader.parse("""
        name: p
        table: p
        source: { parquet: p.parquet }
        privacy_unit: id
        max_groups_contributed: 1
        max_rows_per_group: 1
        budget: { epsilon: 1, delta: 0 }
        defaults: { epsilon: 0.5, delta: 0 }
        columns:
          id: { type: int }
          code: { type: string }
          x: { type: int, lower: 0, upper: 5 }
        """, tmp);
    for (DuckDbBackend.Storage storage : DuckDbBackend.Storage.values()) {
      // A decimal column declared int is refused when opened, as on PostgreSQL and Spark, not read as NULLs.
      BackendException e = assertThrows(BackendException.class, () -> DuckDbBackend.open(d, storage));
      assertTrue(e.getMessage().contains("x (declared int, Parquet type DECIMAL(2,1))"), e.getMessage());
      Dataset asDouble = DatasetLoader.parse("""
          name: p
          table: p
          source: { parquet: p.parquet }
          privacy_unit: id
          max_groups_contributed: 1
          max_rows_per_group: 1
          budget: { epsilon: 1, delta: 0 }
          defaults: { epsilon: 0.5, delta: 0 }
          columns:
            id: { type: int }
            code: { type: string }
            x: { type: double, lower: 0, upper: 5 }
          """, tmp);
      try (DuckDbBackend b = DuckDbBackend.open(asDouble, storage)) {
        List<Object[]> rows = b.execute("SELECT id, code, x FROM p ORDER BY id");
        assertArrayEquals(new Object[] {1L, "10", 1.5}, rows.get(0));
        assertArrayEquals(new Object[] {3L, null, 3.5}, rows.get(2));
        assertThrows(BackendException.class, () -> b.execute("SELECT label FROM p"));
      }
    }
  }

  /**
   * Parquet columns whose type already is the declared one are cast directly, the rest are converted with checks:
   * both give the same values (a fast path must never change what a query sees).
   */
  @Test
  void parquetPhysicalTypesLoadTheSameValuesWithOrWithoutTheFastPath() throws IOException, SQLException {
    Path parquet = tmp.resolve("types.parquet");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("COPY (SELECT * FROM (VALUES "
          + "(1::INTEGER, 4611686018427387905::BIGINT, 1.5::FLOAT, 2.25::DOUBLE, 59.0::DOUBLE, 18446744073709551615::UBIGINT, '12', 7::UTINYINT), "
          + "(2::INTEGER, '-9223372036854775808'::BIGINT, 'NaN'::FLOAT, 'inf'::DOUBLE, 1.5::DOUBLE, 5::UBIGINT, 'x', 255::UTINYINT), "
          + "(NULL::INTEGER, NULL::BIGINT, NULL::FLOAT, 'NaN'::DOUBLE, NULL::DOUBLE, NULL::UBIGINT, NULL, NULL::UTINYINT)"
          + ") v(i, big, f, d, dl, ub, txt, tiny)) TO '" + parquet + "' (FORMAT parquet)");
    }
    Dataset d = DatasetLoader.parse("""
        name: types
        table: t
        source: { parquet: types.parquet }
        privacy_unit: row
        max_groups_contributed: 1
        max_rows_per_group: 1
        budget: { epsilon: 1, delta: 0 }
        defaults: { epsilon: 0.5, delta: 0 }
        columns:
          i: { type: int }
          big: { type: long }
          f: { type: double }
          d: { type: double }
          dl: { type: double }
          ub: { type: double }
          txt: { type: string }
          tiny: { type: int }
        """, tmp);
    try (DuckDbBackend b = DuckDbBackend.open(d)) {
      List<Object[]> rows = b.execute("SELECT i, big, f, d, dl, ub, txt, tiny, typeof(i), typeof(f), "
          + "typeof(tiny) FROM t ORDER BY i NULLS LAST");
      assertArrayEquals(new Object[] {1L, 4611686018427387905L, 1.5, 2.25, 59.0, 1.8446744073709552E19, "12", 7L,
          "BIGINT", "DOUBLE", "BIGINT"}, rows.get(0));
      Object[] second = rows.get(1);
      assertEquals(-9223372036854775808L, second[1]);
      assertTrue(Double.isNaN((Double) second[2]));
      assertEquals(Double.POSITIVE_INFINITY, second[3]);
      assertArrayEquals(new Object[] {1.5, 5.0, "x", 255L}, new Object[] {second[4], second[5], second[6], second[7]});
      assertTrue(Double.isNaN((Double) rows.get(2)[3]));
      assertArrayEquals(new Object[] {null, null, null}, new Object[] {rows.get(2)[0], rows.get(2)[1], rows.get(2)[2]});
    }
    // Types that would not hold the declared one exactly are refused, as on PostgreSQL and Spark.
    Dataset mistyped = DatasetLoader.parse("""
        name: types
        table: t
        source: { parquet: types.parquet }
        privacy_unit: row
        budget: { epsilon: 1, delta: 0 }
        defaults: { epsilon: 0.5, delta: 0 }
        columns:
          dl: { type: long }
          ub: { type: long }
          txt: { type: long }
          d: { type: date }
          i: { type: boolean }
        """, tmp);
    BackendException e = assertThrows(BackendException.class, () -> DuckDbBackend.open(mistyped));
    assertTrue(e.getMessage().contains("dl (declared long, Parquet type DOUBLE), ub (declared long, Parquet type "
        + "UBIGINT), txt (declared long, Parquet type VARCHAR), d (declared date, Parquet type DOUBLE), i (declared "
        + "boolean, Parquet type INTEGER)"), e.getMessage());
  }

  @Test
  void aCsvNameWithGlobCharactersIsReadLiterally() throws IOException {
    Files.writeString(tmp.resolve("x[1].csv"), "id\n1\n2\n");
    Files.writeString(tmp.resolve("x1.csv"), "id\n30\n"); // what DuckDB's glob x[1].csv would match
    Files.writeString(tmp.resolve("x*.csv"), "id\n4\n5\n6\n");
    for (String name : List.of("x[1].csv", "x*.csv")) {
      Dataset d = DatasetLoader.parse(PumsFiles.designYaml(tmp.resolve(name)).replaceAll("(?s)columns:.*",
          "columns:\n  id: { type: int }\n").replace("privacy_unit: pid", "privacy_unit: id"), tmp);
      try (DuckDbBackend b = DuckDbBackend.open(d)) {
        assertEquals(name.equals("x[1].csv") ? 3L : 15L, single(b, "SELECT SUM(id) FROM pums"), name);
      }
      BackendException e = assertThrows(BackendException.class,
          () -> DuckDbBackend.open(d, DuckDbBackend.Storage.VIEW));
      assertTrue(e.getMessage().contains("use Storage.TABLE or rename the file"), e.getMessage());
    }
  }

  @ParameterizedTest
  @EnumSource(DuckDbBackend.Storage.class)
  void aParquetGlobReadsEveryMatchingFile(DuckDbBackend.Storage storage) throws IOException, SQLException {
    Path dir = Files.createDirectories(tmp.resolve("parts"));
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("COPY (SELECT range AS id FROM range(0, 10)) TO '" + dir.resolve("part-1.parquet") + "' (FORMAT parquet)");
      s.execute("COPY (SELECT range AS id FROM range(10, 25)) TO '" + dir.resolve("part-2.parquet") + "' (FORMAT parquet)");
    }
    Dataset d = DatasetLoader.parse(PumsFiles.designYaml(tmp.resolve("x.csv")).replaceAll("(?s)columns:.*",
        "columns:\n  id: { type: long }\n").replace("privacy_unit: pid", "privacy_unit: id")
        .replace("{ csv: '" + tmp.resolve("x.csv") + "' }", "{ parquet: 'parts/part-*.parquet' }"), tmp);
    try (DuckDbBackend b = DuckDbBackend.open(d, storage)) {
      assertEquals(25L, single(b, "SELECT COUNT(*) FROM pums"));
      assertEquals(300L, single(b, "SELECT SUM(id) FROM pums"));
    }
  }

  @Test
  void concurrentQueriesEachSeeTheWholeTable() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (DuckDbBackend b = DuckDbBackend.open(pums("PUMS_dup.csv"))) {
      List<Future<Object>> results = new ArrayList<>();
      for (int i = 0; i < 32; i++) {
        int g = i % 4;
        results.add(pool.submit(() -> single(b, "SELECT COUNT(*) FROM pums WHERE pid % 4 = " + g)));
      }
      long total = 0;
      for (int i = 0; i < 32; i++) {
        total += (Long) results.get(i).get();
      }
      assertEquals(1948L * 8, total);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aClosedBackendRefusesQueriesAndClosesTwiceQuietly() {
    DuckDbBackend b = DuckDbBackend.open(pums("PUMS_pid.csv"));
    b.close();
    b.close();
    BackendException e = assertThrows(BackendException.class, () -> b.execute("SELECT 1"));
    assertTrue(e.getMessage().contains("closed"), e.getMessage());
  }

  @Test
  void dialectIsDuckDbs() {
    try (DuckDbBackend b = DuckDbBackend.open(pums("PUMS_pid.csv"))) {
      assertSame(DuckDbDialect.INSTANCE, b.dialect());
    }
  }

  @Test
  void backendsPicksDuckDbForFilesAndPostgresForPostgresUrls() {
    try (Backend b = Backends.open(pums("PUMS_pid.csv"))) {
      assertInstanceOf(DuckDbBackend.class, b);
    }
    Dataset jdbc = DatasetLoader.parse(PumsFiles.designYaml(Path.of("x.csv")).replace(
        "source: { csv: 'x.csv' }", "source: { jdbc: { url: 'jdbc:postgresql://127.0.0.1:1/dpq', table: pums } }"),
        Path.of("/"));
    // Port 1 has no server: the PostgreSQL backend (not DuckDB) reports that it could not connect.
    BackendException e = assertThrows(BackendException.class, () -> Backends.open(jdbc));
    assertTrue(e.getMessage().contains("PostgreSQL source of dataset 'pums' could not be opened: could not connect"),
        e.getMessage());
  }

  /**
   * Ctrl-C in the shell reaches the backend: a query that would run for many minutes is stopped, fails as a
   * {@link BackendException} (so the engine records it like any failure after the charge), and nothing is left
   * running. The loop re-asks until the statement has started (a cancel that comes before DuckDB began does not
   * stick); the class-level timeout only guards against a hang, it asserts no speed.
   */
  @Test
  @org.junit.jupiter.api.Timeout(120)
  void cancelRunningStopsTheQueryItIsRunning() throws Exception {
    try (DuckDbBackend b = DuckDbBackend.open(pums("PUMS_dup.csv"))) {
      assertEquals(0, b.cancelRunning(), "nothing runs yet");
      ExecutorService pool = Executors.newSingleThreadExecutor();
      try {
        Future<List<Object[]>> running =
            pool.submit(() -> b.execute("SELECT SUM(x * x % 13) FROM range(100000000000) t(x)"));
        while (!running.isDone()) {
          b.cancelRunning();
          Thread.sleep(20);
        }
        var failure = assertThrows(java.util.concurrent.ExecutionException.class, running::get);
        assertInstanceOf(BackendException.class, failure.getCause());
        assertEquals(0, b.cancelRunning(), "the cancelled statement is no longer registered");
        assertEquals(1L, ((Number) single(b, "SELECT COUNT(*) FROM (SELECT 1) t")).longValue(),
            "the backend still answers after a cancel");
      } finally {
        pool.shutdownNow();
      }
    }
  }
}
