package org.dpq.engine.rewrite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.dpq.engine.analysis.MeasurementKind;
import org.dpq.engine.analysis.TestDatasets;
import org.dpq.engine.catalog.ColumnType;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.PrivacyUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** NULL units, NULL/NaN/Inf values, public-domain filtering and empty input, on a small synthetic table. */
class RewriterEdgeCasesTest {
  private static Connection db;
  private static final List<org.dpq.engine.catalog.Column> COLUMNS = List.of(
      TestDatasets.plain("pid", ColumnType.INT),
      TestDatasets.publicDomain("g", ColumnType.STRING, "a", "b"),
      TestDatasets.plain("h", ColumnType.STRING),
      TestDatasets.bounded("x", ColumnType.DOUBLE, 0, 10),
      TestDatasets.bounded("n", ColumnType.INT, 0, 10));
  /** G = 2, R = 1. */
  private static final Dataset PEOPLE = TestDatasets.dataset("t", new PrivacyUnit.ByColumn("pid"), 2, 1, COLUMNS);
  private static final Dataset ROWS = TestDatasets.dataset("t", new PrivacyUnit.Row(), 1, 1, COLUMNS);

  @BeforeAll
  static void load() throws SQLException {
    db = TestDatasets.duckdb();
    try (Statement s = db.createStatement()) {
      s.execute("CREATE TABLE t (pid INTEGER, g VARCHAR, h VARCHAR, x DOUBLE, n INTEGER)");
      s.execute("INSERT INTO t VALUES "
          + "(1, 'a', 'p', 5, 5), "
          + "(2, 'a', 'p', 'NaN'::DOUBLE, 3), "
          + "(3, 'a', 'q', 'Infinity'::DOUBLE, 20), "
          + "(4, 'b', 'q', '-Infinity'::DOUBLE, -5), "
          + "(5, 'b', 'p', NULL, NULL), "
          + "(NULL, 'a', 'p', 4, NULL), (NULL, 'a', 'p', 6, NULL), (NULL, 'b', 'q', 1, NULL), "
          + "(6, 'zzz', 'p', 7, 7)");
      // Units with different values in one group, some NULL or NaN (only the values summed count towards n)
      s.execute("CREATE TABLE s (pid INTEGER, g VARCHAR, h VARCHAR, x DOUBLE, n INTEGER)");
      s.execute("INSERT INTO s VALUES "
          + "(1, 'a', 'p', 2, 1), (1, 'a', 'p', 4, 2), (1, 'a', 'p', 9, 3), "
          + "(2, 'a', 'p', 8, 4), (2, 'a', 'p', NULL, NULL), (2, 'a', 'p', 'NaN'::DOUBLE, NULL), "
          + "(3, 'a', 'p', 1, 1), (3, 'a', 'p', 3, 3), "
          + "(4, 'a', 'p', 'Infinity'::DOUBLE, 10), (4, 'a', 'p', 'Infinity'::DOUBLE, 10), "
          + "(4, 'a', 'p', 'Infinity'::DOUBLE, 10), (4, 'a', 'p', 0, 10)");
      // Each unit has a row outside g's public domain and one inside it
      s.execute("CREATE TABLE z (pid INTEGER, g VARCHAR, h VARCHAR, x DOUBLE, n INTEGER)");
      s.execute("INSERT INTO z VALUES (1, 'zzz', 'p', 1, 1), (1, 'a', 'p', 1, 1), (2, 'zzz', 'p', 1, 1), "
          + "(2, 'b', 'p', 1, 1), (3, 'zzz', 'p', 1, 1), (3, 'a', 'p', 1, 1), (4, 'yyy', 'p', 1, 1), "
          + "(4, 'a', 'p', 1, 1)");
      s.execute("CREATE TABLE d (pid INTEGER, k INTEGER, b BOOLEAN, dt DATE, w DOUBLE)");
      s.execute("INSERT INTO d VALUES (1, 1, true, DATE '2024-01-01', 0.5), (2, 2, true, DATE '2024-01-01', 1.5), "
          + "(3, 3, true, DATE '2024-01-01', 0.5), (4, 1, false, DATE '2024-01-01', 0.5), "
          + "(5, 1, true, DATE '2024-01-02', 0.5), (6, 1, true, DATE '2024-01-01', 2.5), (7, NULL, true, NULL, NULL)");
    }
  }

  @AfterAll
  static void close() throws SQLException {
    db.close();
  }

  @Test
  void nullUnitIsOneUnitNanIsIgnoredInfinityIsClampedAndOutOfDomainKeysAreDropped() throws SQLException {
    BoundedRunner.Result r = BoundedRunner.run(db, PEOPLE,
        "SELECT g, COUNT(*), COUNT(x), SUM(x), SUM(n) FROM t GROUP BY g", 1);
    assertEquals(List.of(MeasurementKind.COUNT_ROWS, MeasurementKind.COUNT_VALUES, MeasurementKind.SUM,
        MeasurementKind.SUM), r.plan().measurements().stream().map(m -> m.kind()).toList());
    assertEquals(2, r.groups().size(), "'zzz' is outside the public domain");
    // a: units 1, 2, 3 and the NULL unit (two rows, capped to one row's worth: the mean of 4 and 6)
    assertArrayEquals(new double[] {4, 3, 5 + 10 + 5, 5 + 3 + 10}, r.group("a"));
    // b: units 4 (-Inf -> 0, n -5 -> 0), 5 (NULLs) and the NULL unit (x = 1)
    assertArrayEquals(new double[] {3, 2, 0 + 1, 0}, r.group("b"));
  }

  @Test
  void aUnitWithMoreThanRValuesContributesRTimesItsMean() throws SQLException {
    Dataset r2 = TestDatasets.dataset("s", new PrivacyUnit.ByColumn("pid"), 1, 2, COLUMNS);
    BoundedRunner.Result r = BoundedRunner.run(db, r2,
        "SELECT COUNT(*), COUNT(x), SUM(x), SUM(n), AVG(x), VAR_POP(x) FROM s", 1);
    // SUM(x) is not measured: it is derived from AVG's centred sum and the count of x's values
    assertEquals(List.of(MeasurementKind.COUNT_ROWS, MeasurementKind.COUNT_VALUES, MeasurementKind.SUM,
        MeasurementKind.SUM, MeasurementKind.SUM_SQUARES),
        r.plan().measurements().stream().map(m -> m.kind()).toList());
    assertEquals(new org.dpq.engine.analysis.AggregateSpec.DerivedSum("EXPR$2", 2, 1, 5, false, true),
        r.plan().aggregates().get(2));
    double[] got = r.only();
    // rows: 3 + 3 + 2 + 4 capped at 2 each; values of x: 3, 1 (NULL and NaN are not values), 2, 4
    assertEquals(2 + 2 + 2 + 2, got[0]);
    assertEquals(2 + 1 + 2 + 2, got[1]);
    // x centred at 5 (AVG's sum, which also gives SUM(x)): 2 * (5 - 5) + (8 - 5) + ((1 - 5) + (3 - 5)) + 2 * (7.5 - 5)
    assertEquals(0 + 3 - 6 + 5, got[2], 1e-12);
    // n (integer, [0, 10]): unit 1: mean 2 -> 4; unit 2: one value 4 -> 4; unit 3: 1 + 3 -> 4; unit 4: 10 -> 20
    assertEquals(4 + 4 + 4 + 20, got[3], 1e-12);
    // x, derived noise-free as centred sum + 5 * count of values: unit 1 has 3 values, mean 5 -> 10; unit 2 has one
    // value 8 -> 8 (not 8 scaled by 2/3); unit 3 has 2 values -> its sum 4; unit 4 has +Inf clamped to 10 three
    // times and 0 -> mean 7.5 -> 15
    assertEquals(10 + 8 + 4 + 15, got[2] + 5 * got[1], 1e-12);
    // squares centred at 5: unit 1: 2 * (9 + 1 + 16) / 3; unit 2: 9; unit 3: 16 + 4; unit 4: 2 * (3 * 25 + 25) / 4.
    // Each unit's contribution is a whole number of grid steps (SumGrid): unit 1's 52/3 is rounded to the nearest
    // step, computed as the rewrite does (its exact step sum 26 / g, times R = 2, divided by n = 3).
    double g = Math.scalb(1.0, SumGrid.exponent(r.plan().measurements().get(4)));
    double unit1 = Math.floor(26 / g * 2.0 / 3 + 0.5) * g;
    assertEquals(unit1 + 9 + 20 + 50, got[4], 1e-12);
    assertEquals(2 * 26 / 3.0, unit1, g / 2, "rounded to the nearest step");
  }

  @Test
  void keysOutsideThePublicDomainNeverTakeOneOfAUnitsGGroups() throws SQLException {
    Dataset oneGroup = TestDatasets.dataset("z", new PrivacyUnit.ByColumn("pid"), 1, 1, COLUMNS);
    for (long secret = 1; secret <= 16; secret++) {
      BoundedRunner.Result r = BoundedRunner.run(db, oneGroup, "SELECT g, COUNT(*) FROM z GROUP BY g", secret);
      assertTrue(r.query().sql().contains("ROW_NUMBER"), "G = 1 < 2 keys: the limit applies");
      assertEquals(2, r.groups().size());
      assertArrayEquals(new double[] {3}, r.group("a"), "secret " + secret);
      assertArrayEquals(new double[] {1}, r.group("b"), "secret " + secret);
    }
  }

  @Test
  void averageComponentsIgnoreNanAndNull() throws SQLException {
    BoundedRunner.Result r = BoundedRunner.run(db, PEOPLE, "SELECT g, AVG(x) FROM t GROUP BY g", 1);
    assertEquals(List.of(MeasurementKind.SUM, MeasurementKind.COUNT_VALUES),
        r.plan().measurements().stream().map(m -> m.kind()).toList());
    // a: (5-5) + (10-5) + NULL unit clamp((4-5) + (6-5)) = 5 over 3 values
    assertArrayEquals(new double[] {5, 3}, r.group("a"));
    // b: (0-5) + (1-5) over 2 values
    assertArrayEquals(new double[] {-9, 2}, r.group("b"));
  }

  @Test
  void withoutKeysEmptyInputGivesOneRowOfZeros() throws SQLException {
    BoundedRunner.Result r = BoundedRunner.run(db, PEOPLE,
        "SELECT COUNT(*), SUM(x), AVG(x), SUM(n), VAR_POP(x) FROM t WHERE n > 1000", 1);
    assertEquals(1, r.groups().size());
    for (double v : r.only()) {
      assertEquals(0.0, v);
    }
    BoundedRunner.Result rows = BoundedRunner.run(db, ROWS, "SELECT COUNT(*), SUM(x) FROM t WHERE n > 1000", 1);
    assertArrayEquals(new double[] {0, 0}, rows.only());
  }

  @Test
  void typedPublicDomainsDropKeysOutsideThem() throws SQLException {
    Dataset typed = TestDatasets.dataset("d", new PrivacyUnit.ByColumn("pid"), 1, 1, List.of(
        TestDatasets.plain("pid", ColumnType.INT),
        TestDatasets.publicDomain("k", ColumnType.INT, "1", "2"),
        TestDatasets.publicDomain("b", ColumnType.BOOLEAN, "true"),
        TestDatasets.publicDomain("dt", ColumnType.DATE, "2024-01-01"),
        TestDatasets.publicDomain("w", ColumnType.DOUBLE, "0.5", "1.5")));
    BoundedRunner.Result r = BoundedRunner.run(db, typed, "SELECT k, b, dt, w, COUNT(*) FROM d GROUP BY k, b, dt, w",
        1);
    assertEquals(org.dpq.engine.analysis.PartitionMode.PUBLIC_DOMAIN, r.plan().partitionMode());
    assertEquals(2, r.groups().size(), r.groups().keySet()::toString);
    assertArrayEquals(new double[] {1}, r.group(1, true, java.sql.Date.valueOf("2024-01-01").toLocalDate(), 0.5));
    assertArrayEquals(new double[] {1}, r.group(2, true, java.sql.Date.valueOf("2024-01-01").toLocalDate(), 1.5));
  }

  @Test
  void groupedEmptyInputGivesNoRows() throws SQLException {
    assertTrue(BoundedRunner.run(db, PEOPLE, "SELECT h, COUNT(*) FROM t WHERE n > 1000 GROUP BY h", 1)
        .groups().isEmpty());
  }

  @Test
  void rowUnitsApplyTheSameValuePolicy() throws SQLException {
    BoundedRunner.Result r = BoundedRunner.run(db, ROWS, "SELECT g, COUNT(*), COUNT(x), SUM(x) FROM t GROUP BY g", 1);
    assertEquals(2, r.groups().size());
    // a: rows 1, 2 (NaN), 3 (+Inf -> 10), 4 and 6 with NULL pid as their own rows
    assertArrayEquals(new double[] {5, 4, 5 + 10 + 4 + 6}, r.group("a"));
    assertArrayEquals(new double[] {3, 2, 0 + 1}, r.group("b"));
  }

  @Test
  void thresholdModeCountsUnitsPerGroupIncludingTheNullUnit() throws SQLException {
    BoundedRunner.Result r = BoundedRunner.run(db, PEOPLE, "SELECT h, COUNT(*) FROM t GROUP BY h", 1);
    // p: units 1, 2, 5, 6 and NULL; q: units 3, 4 and NULL. G = 2, and no unit spans more than 2 groups.
    assertArrayEquals(new double[] {5, 5}, r.group("p"));
    assertArrayEquals(new double[] {3, 3}, r.group("q"));
  }

  @Test
  void theNullUnitIsHeldToGGroupsLikeAnyUnit() throws SQLException {
    Dataset oneGroup = TestDatasets.dataset("t", new PrivacyUnit.ByColumn("pid"), 1, 1, COLUMNS);
    BoundedRunner.Result r = BoundedRunner.run(db, oneGroup, "SELECT h, COUNT(*) FROM t GROUP BY h", 1);
    // units 1..6 lie in one group each; the NULL unit lies in p and q but may keep only one of them
    double units = r.group("p")[1] + r.group("q")[1];
    assertEquals(7, units);
  }
}
