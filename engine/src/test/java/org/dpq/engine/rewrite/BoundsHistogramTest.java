package org.dpq.engine.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.apache.calcite.sql.SqlDialect;
import org.apache.calcite.sql.dialect.PostgresqlSqlDialect;
import org.dpq.engine.analysis.TestDatasets;
import org.dpq.engine.catalog.AutoBounds;
import org.dpq.engine.catalog.Column;
import org.dpq.engine.catalog.ColumnType;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.PrivacyUnit;
import org.dpq.engine.execution.DuckDbDialect;
import org.dpq.engine.execution.PostgresTestServer;
import org.dpq.mechanisms.ApproxBounds;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The automatic-bounds histogram query on DuckDB: its bins agree with {@link ApproxBounds#binOf} (exact powers of
 * two, tiny and huge magnitudes, infinities, NULL and NaN), a unit counts once per bin and in at most K bins, and a
 * direct sensitivity check (adding one unit moves the histogram by at most K in L1) that the same query without the
 * per-unit cap fails.
 */
class BoundsHistogramTest {
  private static final Column X = new Column("x", ColumnType.DOUBLE, OptionalDouble.empty(), OptionalDouble.empty(),
      Optional.empty(), Optional.empty(), true, Optional.of(new AutoBounds(java.math.BigDecimal.ONE)));
  private static final ApproxBounds BINS = ApproxBounds.of(1.0, 1);

  private static Dataset dataset(PrivacyUnit unit, int groups, int rows) {
    return TestDatasets.dataset("t", unit, groups, rows,
        List.of(X, TestDatasets.plain("pid", ColumnType.INT)));
  }

  private static long[] histogram(Connection c, Dataset d, long k) throws SQLException {
    return histogram(c, d, k, DuckDbDialect.INSTANCE);
  }

  private static long[] histogram(Connection c, Dataset d, long k, SqlDialect dialect) throws SQLException {
    long[] counts = new long[BINS.bins()];
    for (List<Object> row : TestDatasets.rows(c, BoundsHistogram.sql(d, X, BINS, k, dialect))) {
      counts[((Number) row.get(0)).intValue()] = ((Number) row.get(1)).longValue();
    }
    return counts;
  }

  private static void load(Connection c, String values) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS t");
      s.execute("CREATE TABLE t AS SELECT CAST(pid AS INTEGER) AS pid, CAST(x AS DOUBLE PRECISION) AS x FROM "
          + "(VALUES " + values + ") v(pid, x)");
    }
  }

  @Test
  void eachValueFallsIntoTheBinOfTheReferenceAndNullAndNanIntoNone() throws SQLException {
    try (Connection c = TestDatasets.duckdb()) {
      binsMatchTheReference(c, DuckDbDialect.INSTANCE);
    }
  }

  /** The same text on PostgreSQL (skipped when no server is reachable, unless CI promised one). */
  @Test
  void postgresqlRunsTheSameQueryWithTheSameBins() throws SQLException {
    PostgresTestServer pg = PostgresTestServer.schemaIfAvailable("bounds_histogram");
    Assumptions.assumeTrue(pg != null, "PostgreSQL is not reachable; set DPQ_PG_URL");
    try (pg; Connection c = pg.connect()) {
      try (Statement s = c.createStatement()) {
        s.execute("SET search_path TO " + pg.schema());
      }
      binsMatchTheReference(c, PostgresqlSqlDialect.DEFAULT);
    }
  }

  private static void binsMatchTheReference(Connection c, SqlDialect dialect) throws SQLException {
    double[] values = {0, -0.0, 1, 2, 4, 1024, 0x1p52, 0x1p62, 0x1p63, 1e300, 0.5, 0x1p-19, 0x1p-20, 1e-30, 3, 7.999,
        1023.9999999, 0.1, 0.2, 0.3, 1e15, 123456789.0};
    StringBuilder rows = new StringBuilder();
    for (int i = 0; i < values.length; i++) {
      rows.append("(").append(2 * i).append(", '").append(values[i]).append("'), ");
      rows.append("(").append(2 * i + 1).append(", '").append(-values[i]).append("'), ");
    }
    rows.append("(1000, NULL), (1001, 'NaN'), (1002, 'Infinity'), (1003, '-Infinity')");
    long[] expected = new long[BINS.bins()];
    for (double v : values) {
      expected[BINS.binOf(v)]++;
      expected[BINS.binOf(-v)]++;
    }
    expected[BINS.binOf(Double.POSITIVE_INFINITY)]++;
    expected[BINS.binOf(Double.NEGATIVE_INFINITY)]++;
    load(c, rows.toString());
    assertEquals(java.util.Arrays.toString(expected),
        java.util.Arrays.toString(histogram(c, dataset(new PrivacyUnit.ByColumn("pid"), 1, 1), 1, dialect)));
    assertEquals(java.util.Arrays.toString(expected),
        java.util.Arrays.toString(histogram(c, dataset(new PrivacyUnit.Row(), 1, 1), 1, dialect)));
  }

  @Test
  void aUnitCountsOncePerBinAndInAtMostItsLowestKBins() throws SQLException {
    try (Connection c = TestDatasets.duckdb()) {
      // unit 1: five rows in bins 2^0, 2^0, 2^3, 2^5, 2^7; unit 2: one row in 2^3
      load(c, "(1, '1'), (1, '1.5'), (1, '9'), (1, '40'), (1, '200'), (2, '10')");
      Dataset d = dataset(new PrivacyUnit.ByColumn("pid"), 2, 1);
      long k = BoundsHistogram.maxBinsPerUnit(d, BINS);
      assertEquals(2, k, "K = G x R");
      long[] h = histogram(c, d, k);
      assertEquals(1, h[BINS.binOf(1)], "two rows of one unit in one bin count once");
      assertEquals(2, h[BINS.binOf(9)]);
      assertEquals(0, h[BINS.binOf(40)], "beyond the unit's K lowest bins");
      assertEquals(0, h[BINS.binOf(200)]);
      assertEquals(3, java.util.Arrays.stream(h).sum());
    }
  }

  /**
   * Neighbours: D, and D plus one unit with 40 rows over 8 bins. With K = 2 (G = 2, R = 1) the histograms differ
   * by at most 2 in L1, which is what the noise is calibrated to. The same check applied to the query without the
   * per-unit cap (K taken as every bin) must fail: it differs by 8.
   */
  @Test
  void oneUnitMovesTheHistogramByAtMostKAndTheUncappedQueryFailsThatCheck() throws SQLException {
    StringBuilder base = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      base.append("(").append(i).append(", '").append(3 + i % 50).append("'), ");
    }
    StringBuilder extra = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      extra.append(", (9999, '").append(Math.scalb(1.0, i % 8) * 1.1).append("')");
    }
    Dataset d = dataset(new PrivacyUnit.ByColumn("pid"), 2, 1);
    long k = BoundsHistogram.maxBinsPerUnit(d, BINS);
    try (Connection c = TestDatasets.duckdb()) {
      String without = base.substring(0, base.length() - 2);
      load(c, without);
      long[] h = histogram(c, d, k);
      long[] uncapped = histogram(c, d, BINS.bins());
      load(c, without + extra);
      long[] h2 = histogram(c, d, k);
      long[] uncapped2 = histogram(c, d, BINS.bins());
      assertTrue(l1(h, h2) <= k, "one unit moved the histogram by " + l1(h, h2) + " > K = " + k);
      assertTrue(l1(uncapped, uncapped2) > k, "the check must catch a histogram without the per-unit cap");
      assertEquals(8, l1(uncapped, uncapped2));
    }
  }

  private static long l1(long[] a, long[] b) {
    long d = 0;
    for (int i = 0; i < a.length; i++) {
      d += Math.abs(a[i] - b[i]);
    }
    return d;
  }
}
