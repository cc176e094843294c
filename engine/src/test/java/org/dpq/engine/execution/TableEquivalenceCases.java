package org.dpq.engine.execution;

import static org.dpq.engine.execution.BackendEquivalenceContract.SECRET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.apache.calcite.sql.SqlDialect;
import org.dpq.engine.analysis.MeasurementKind;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.execution.BackendEquivalenceContract.Case;
import org.dpq.engine.execution.BackendEquivalenceContract.Target;
import org.junit.jupiter.api.Test;

/**
 * The cross-backend contract's cases over one table at a time ({@link BackendEquivalenceContract}): PUMS_dup,
 * PUMS_null and the generated set give identical bounded rows on every backend where G does not bind (and identical
 * quantile-tree leaves); where G binds, the invariants hold on every backend (units over all groups, R rows per unit,
 * the same rows for the same secret, the dialect's hash and no random function); and the dialect details every
 * backend must agree on (integer division, date keys, the NULL unit, NULL ordering, header case, keys a naive hash
 * confuses). The neighbour checks and the shop's joins are {@link NeighbourEquivalenceCases}. A test class extends
 * {@link BackendEquivalenceContract} and implements this, the other half, or both. Test-only.
 */
public interface TableEquivalenceCases {
  /** The data and the backends opened over them. */
  EquivalenceFixture fixture();

  Pattern RANDOM = Pattern.compile("(?i)\\brand(om)?\\s*\\(");

  List<Case> PUMS = List.of(
      new Case(1, 2, "SELECT COUNT(*) AS n FROM pums"),
      new Case(1, 2, "SELECT sex, COUNT(*) AS n, SUM(income) AS s, AVG(age) AS a, VAR_POP(income) AS v "
          + "FROM pums GROUP BY sex"),
      new Case(2, 3, "SELECT educ, COUNT(*) AS n, SUM(age) AS s, AVG(income) AS a FROM pums GROUP BY educ"),
      new Case(1, 1, "SELECT educ, sex, COUNT(*) AS n, STDDEV(income) AS sd FROM pums "
          + "WHERE age BETWEEN 20 AND 60 AND married = '1' GROUP BY educ, sex"),
      new Case(1, 4, "SELECT COUNT(DISTINCT pid) AS u, COUNT(income) AS c, SUM(income) AS s FROM pums "
          + "WHERE age / 10 = 3"),
      new Case(3, 2, "SELECT race, married, COUNT(*) AS n, AVG(age) AS a, VARIANCE(age) AS v FROM pums "
          + "WHERE educ LIKE '1%' OR income > 50000 GROUP BY race, married"),
      // issue 16: per-unit means beside the row-weighted mean (each person's mean, however many rows it has)
      new Case(1, 3, "SELECT sex, AVG_PER_UNIT(income) AS pu, AVG(income) AS a, COUNT(*) AS n FROM pums "
          + "GROUP BY sex"));

  /** G = 100 exceeds every unit's number of groups in these queries, so G never binds. */
  List<Case> GENERATED = List.of(
      new Case(100, 3, "SELECT grp, COUNT(*) AS n, SUM(x) AS s, AVG(n) AS a, VAR_POP(x) AS v, "
          + "COUNT(DISTINCT uid) AS u FROM gen GROUP BY grp"),
      new Case(100, 2, "SELECT kind, COUNT(x) AS c, SUM(n) AS s, AVG(x) AS a FROM gen WHERE flag GROUP BY kind"),
      new Case(100, 1, "SELECT grp, kind, COUNT(*) AS n, STDDEV(x) AS sd FROM gen "
          + "WHERE x > -10 AND n / 4 <> 0 GROUP BY grp, kind"),
      new Case(100, 5, "SELECT COUNT(*) AS n, SUM(x) AS s, COUNT(DISTINCT uid) AS u FROM gen "
          + "WHERE grp IS NULL OR n IS NULL OR NOT flag"),
      new Case(100, 3, "SELECT flag, COUNT(*) AS n, SUM(n) AS s FROM gen WHERE x IS NOT NULL GROUP BY flag"),
      // issue 14: expressions, conditions and FILTER inside aggregates, over NaN, infinities and NULLs
      new Case(100, 2, "SELECT kind, SUM(x * (1 - n / 20.0)) AS s, AVG(x + n) AS a, "
          + "COUNT(CASE WHEN n > 3 THEN 1 END) AS c, SUM(x) FILTER (WHERE flag) AS f, SUM(ABS(n - 2)) AS b, "
          + "VAR_POP(GREATEST(x, 0) + ROUND(n / 3.0)) AS v FROM gen GROUP BY kind"),
      new Case(100, 3, "SELECT SUM(CASE WHEN grp = 'g3' THEN x ELSE -x END) AS s, COUNT(*) FILTER (WHERE x > 10) "
          + "AS c, SUM(CAST(n AS DOUBLE) / 7) AS d, SUM(n * n) AS q FROM gen"),
      // COUNT(DISTINCT col), with R above every unit's values per group (which R values a unit keeps when R binds
      // depends on each dialect's hash): NaN and NULL not counted, infinities counted, FILTER
      new Case(100, 50, "SELECT grp, COUNT(DISTINCT x) AS dx, COUNT(DISTINCT MOD(n, 5)) AS dn, "
          + "COUNT(DISTINCT kind) FILTER (WHERE flag) AS dk, SUM(x) AS s FROM gen GROUP BY grp"),
      // date keys: public domains from d's declared bounds (months, years, quarters); rows outside are dropped
      new Case(100, 3, "SELECT date_trunc('month', d) AS m, COUNT(*) AS n, SUM(x) AS s FROM gen GROUP BY 1"),
      new Case(100, 3, "SELECT EXTRACT(YEAR FROM d) AS y, EXTRACT(QUARTER FROM d) AS q, COUNT(*) AS n, "
          + "SUM(n) AS s FROM gen GROUP BY y, q"),
      new Case(100, 4, "SELECT MONTH(d) AS mo, date_trunc('year', d) AS yr, COUNT(*) AS n, AVG(x) AS a FROM gen "
          + "WHERE YEAR(d) BETWEEN 2021 AND 2022 GROUP BY mo, yr"),
      // a subquery in FROM that only selects and filters rows, merged into the outer query
      new Case(100, 3, "SELECT kind, COUNT(*) AS n, SUM(y) AS s, AVG(x) AS a FROM (SELECT kind, x, n * 2 AS y "
          + "FROM gen WHERE flag) t WHERE x > 0 OR x IS NULL GROUP BY kind"),
      new Case(100, 2, "SELECT COUNT(*) AS n, SUM(x) AS s FROM (SELECT * FROM gen)"),
      // issue 16: per-unit means (a unit's mean of its non-NULL, non-NaN values, infinities clamped), with FILTER
      new Case(100, 3, "SELECT grp, AVG_PER_UNIT(x) AS px, AVG_PER_UNIT(n + x) AS pe, "
          + "AVG_PER_UNIT(n) FILTER (WHERE flag) AS pn, COUNT(*) AS c FROM gen GROUP BY grp"),
      // issue 16: a binding total cap without GROUP BY: every backend keeps min(C, rows) rows per unit, so COUNT(*)
      // is the same everywhere (which rows, and so the sums, depend on each dialect's hash)
      new Case(100, 3, 2, "SELECT COUNT(*) AS n, COUNT(DISTINCT uid) AS u FROM gen WHERE n > -15"),
      // expression keys over bounded columns, computed from inputs clamped to the declared bounds on every backend
      new Case(100, 3, "SELECT FLOOR(n / 4) * 4 AS b, COUNT(*) AS c, SUM(x) AS s FROM gen GROUP BY 1"),
      new Case(100, 3, "SELECT FLOOR(x / 10) AS bx, n * 3 - 1 AS m, COUNT(*) AS c FROM gen GROUP BY bx, m"),
      // ROUND and TRUNCATE at halves (x holds many multiples of 0.25): one meaning on every backend
      new Case(100, 3, "SELECT ROUND(x / 5) AS r, COUNT(*) AS c, SUM(ROUND(x, 1)) AS s, SUM(TRUNCATE(x / 3, 2)) AS t, "
          + "SUM(ROUND(n, -1)) AS tens FROM gen GROUP BY 1"),
      // issue 17: a per-unit subquery; G*R = 300 exceeds every unit's rows, so the row limit never binds
      new Case(100, 3, "SELECT FLOOR(s / 100) AS b, COUNT(*) AS c, SUM(k) AS tk, AVG(a) AS aa FROM (SELECT uid, "
          + "SUM(x) AS s, COUNT(*) AS k, AVG(n) AS a FROM gen WHERE flag GROUP BY uid) t WHERE k > 1 GROUP BY 1"));

  @Test
  default void whichGroupAUnitKeepsDependsOnTheSecretEvenForKeysANaiveHashConfuses() {
    // With G = 1 each unit keeps one of its two groups. Over 16 fixed secrets an injective hash keeps each group
    // sometimes (one group is never kept with probability 2^-15 per unit); a hash that maps both groups to one
    // value leaves the choice to row order: the same group for every secret, decided by whatever orders the rows.
    for (Target t : fixture().targets("ties.csv")) {
      Dataset d = fixture().ties().dataset(t.source(), 1, 1);
      Set<List<Object>> kept = new HashSet<>();
      for (long secret = 1; secret <= 16; secret++) {
        BoundedRows rows = BoundedRows.run(t.backend(), d, "SELECT a, b, COUNT(*) AS n FROM ties GROUP BY a, b",
            secret);
        assertEquals(2, rows.total(0), t.name() + ": each unit keeps exactly one group");
        kept.addAll(rows.rows().keySet());
      }
      assertEquals(Set.of(Arrays.asList(null, "a"), Arrays.asList("a", null), List.of("x|y", "z"),
          List.of("x", "y|z")), kept, t.name() + ": groups ever kept");
    }
  }

  /** Runs every case on every backend of {@code file} and compares each with the first (DuckDB). */
  private void assertIdentical(String file, List<Case> cases, int groupsOverride) {
    TestTable table = fixture().table(file);
    for (Case c : cases) {
      int g = groupsOverride > 0 ? groupsOverride : c.groups();
      BoundedRows reference = null;
      String referenceName = null;
      for (Target t : fixture().targets(file)) {
        BoundedRows rows = BoundedRows.run(t.backend(), c.dataset(table, t.source(), g), c.sql(), SECRET);
        assertFalse(rows.rows().isEmpty(), t.name() + " returned no group for " + c.sql());
        if (reference == null) {
          reference = rows;
          referenceName = t.name();
        } else {
          reference.assertSameAs(rows, file + ", " + referenceName + " vs " + t.name() + ", G=" + g + " "
              + c.context());
        }
      }
    }
  }

  /**
   * Issue 15: the quantile tree's bounded query (keys, leaf, weight) gives identical rows on every backend where G
   * does not bind: the same clamp, NaN/NULL/infinity policy, bucketing and evenly spaced R values per unit.
   */
  @Test
  default void quantileTreeLeafCountsAreIdenticalWhereGDoesNotBind() {
    List<Case> generated = List.of(
        new Case(100, 3, "SELECT grp, MEDIAN(x) AS m, MAX(n) AS hi FROM gen GROUP BY grp"),
        new Case(100, 2, "SELECT PERCENTILE_CONT(0.9) WITHIN GROUP (ORDER BY x - n) AS p FROM gen WHERE flag"));
    List<Case> pums = List.of(new Case(50, 2, "SELECT sex, MEDIAN(income) AS m, MIN(age) AS lo FROM pums GROUP BY sex"));
    for (String file : List.of("gen.csv", "PUMS_null.csv")) {
      TestTable table = fixture().table(file);
      for (Case c : file.equals("gen.csv") ? generated : pums) {
        List<Map<List<Object>, Long>> reference = null;
        String referenceName = null;
        for (Target t : fixture().targets(file)) {
          org.dpq.engine.analysis.DpPlan plan = new org.dpq.engine.analysis.Analyzer().analyze(
              table.dataset(t.source(), c.groups(), c.rows()), c.sql());
          List<Map<List<Object>, Long>> trees = new java.util.ArrayList<>();
          for (int i = 0; i < plan.measurements().size(); i++) {
            if (plan.measurements().get(i).kind() != MeasurementKind.QUANTILE_TREE) {
              continue;
            }
            Map<List<Object>, Long> leaves = new HashMap<>();
            for (Object[] row : t.backend().execute(new org.dpq.engine.rewrite.Rewriter()
                .treeQuery(plan, i, t.backend().dialect(), SECRET).sql())) {
              List<Object> key = new java.util.ArrayList<>(Arrays.asList(row).subList(0, row.length - 1));
              assertInstanceOf(Long.class, row[row.length - 1], t.name() + ": weights are BIGINT");
              assertInstanceOf(Long.class, row[row.length - 2], t.name() + ": leaves are BIGINT");
              assertTrue((Long) row[row.length - 1] > 0, t.name() + ": only leaves that kept values are shipped");
              assertEquals(null, leaves.put(key, (Long) row[row.length - 1]), t.name() + ": duplicate leaf " + key);
            }
            assertFalse(leaves.isEmpty(), t.name() + " returned no leaf for " + c.sql());
            trees.add(leaves);
          }
          if (reference == null) {
            reference = trees;
            referenceName = t.name();
          } else {
            assertEquals(reference, trees, file + ", " + referenceName + " vs " + t.name() + ": " + c.sql());
          }
        }
      }
    }
  }

  @Test
  default void pumsWithSeveralIdenticalRowsPerPersonGivesIdenticalBoundedRows() {
    // Each person's rows are identical, so a person lies in one group per query and G never binds.
    assertIdentical("PUMS_dup.csv", PUMS, 0);
  }

  @Test
  default void pumsWithNullUnitsKeysAndValuesGivesIdenticalBoundedRows() {
    // The NULL unit's rows span many groups: G = 50 keeps all of them, so G never binds.
    assertIdentical("PUMS_null.csv", PUMS, 50);
  }

  @Test
  default void generatedRowsAreIdenticalWhereGDoesNotBind() {
    assertIdentical("gen.csv", GENERATED, 0);
  }

  /** Per unit (the NULL unit is one unit), the distinct keys of its rows that pass {@code where}. */
  private Map<Integer, Set<List<Object>>> groupsPerUnit(Predicate<GeneratedTable.Row> where,
      Function<GeneratedTable.Row, List<Object>> key) {
    Map<Integer, Set<List<Object>>> out = new HashMap<>();
    for (GeneratedTable.Row r : fixture().generated().rows()) {
      if (where.test(r)) {
        out.computeIfAbsent(r.uid(), u -> new HashSet<>()).add(key.apply(r));
      }
    }
    return out;
  }

  private void assertGLimitInvariants(int g, int r, String sql, Predicate<GeneratedTable.Row> where,
      Function<GeneratedTable.Row, List<Object>> key) {
    Map<Integer, Set<List<Object>>> perUnit = groupsPerUnit(where, key);
    long expectedUnits = perUnit.values().stream().mapToLong(s -> Math.min(g, s.size())).sum();
    long unbounded = perUnit.values().stream().mapToLong(Set::size).sum();
    assertTrue(unbounded > expectedUnits, "G = " + g + " must bind for some unit in this case: " + sql);
    Map<List<Object>, Long> unitsWithRows = new HashMap<>();
    perUnit.values().forEach(keys -> keys.forEach(k -> unitsWithRows.merge(k, 1L, Long::sum)));
    TestTable table = fixture().generated().table();
    for (Target t : fixture().targets("gen.csv")) {
      Dataset d = table.dataset(t.source(), g, r);
      BoundedRows rows = BoundedRows.run(t.backend(), d, sql, SECRET);
      String context = t.name() + ", G=" + g + ": " + sql;
      int unitsAt = rows.indexOf(MeasurementKind.COUNT_UNITS);
      int countAt = rows.indexOf(MeasurementKind.COUNT_ROWS);
      assertEquals(expectedUnits, rows.total(unitsAt), context + ": units over all groups = sum of min(G, groups)");
      for (Map.Entry<List<Object>, List<Object>> e : rows.rows().entrySet()) {
        long units = (Long) e.getValue().get(unitsAt);
        long count = (Long) e.getValue().get(countAt);
        Long possible = unitsWithRows.get(e.getKey());
        assertNotNull(possible, context + ": a group no row has: " + e.getKey());
        assertTrue(units <= possible, context + ": group " + e.getKey() + " counts more units than it has");
        assertTrue(count <= (long) r * units, context + ": group " + e.getKey() + " counts more than R rows per unit");
        assertTrue(count >= units, context + ": group " + e.getKey() + " counts a unit without its rows");
      }
      // Same groups and identical integer columns; real sums may differ in their last bits because the
      // engine adds in parallel (the same tolerance as across engines).
      rows.assertSameAs(BoundedRows.run(t.backend(), d, sql, SECRET),
          context + ": the same secret must keep the same groups");
      assertFalse(RANDOM.matcher(rows.sql()).find(), context + ": no random function may order the window");
      assertTrue(rows.sql().toLowerCase().contains(hashFunction(t.backend().dialect())),
          context + ": groups are chosen by the dialect's hash: " + rows.sql());
    }
  }

  private static String hashFunction(SqlDialect dialect) {
    if (dialect instanceof DuckDbDialect) {
      return "hash(";
    }
    return dialect instanceof org.apache.calcite.sql.dialect.SparkSqlDialect ? "xxhash64(" : "hashtextextended(";
  }

  @Test
  default void gLimitKeepsMinOfGAndTheUnitsGroupsOnEveryBackend() {
    assertGLimitInvariants(1, 2, "SELECT grp, COUNT(DISTINCT uid) AS u, COUNT(*) AS n, SUM(x) AS s FROM gen "
        + "GROUP BY grp", r -> true, r -> Arrays.asList(r.grp()));
    assertGLimitInvariants(2, 1, "SELECT kind, COUNT(DISTINCT uid) AS u, COUNT(*) AS n FROM gen GROUP BY kind",
        r -> r.kind() != null && "abc".contains(r.kind()), r -> Arrays.asList(r.kind()));
    assertGLimitInvariants(3, 2, "SELECT grp, kind, COUNT(DISTINCT uid) AS u, COUNT(*) AS n FROM gen "
        + "WHERE n > -15 GROUP BY grp, kind",
        r -> r.n() != null && r.n() > -15 && r.kind() != null && "abc".contains(r.kind()),
        r -> Arrays.asList(r.grp(), r.kind()));
  }

  @Test
  default void integerDivisionTruncatesTowardZeroOnEveryBackend() {
    TestTable table = fixture().generated().table();
    for (int divisor : new int[] {3, -4}) {
      for (int quotient : new int[] {-2, -1, 0, 1}) {
        int d = divisor;
        int q = quotient;
        long expected = fixture().generated().rows().stream().filter(r -> r.n() != null && r.n() / d == q).count();
        String sql = "SELECT COUNT(*) AS c FROM gen WHERE n / (" + d + ") = " + q;
        for (Target t : fixture().targets("gen.csv")) {
          BoundedRows rows = BoundedRows.run(t.backend(), table.dataset(t.source(), "row", 1, 1), sql, SECRET);
          assertEquals(expected, rows.total(rows.indexOf(MeasurementKind.COUNT_ROWS)), t.name() + ": " + sql);
        }
      }
    }
  }

  @Test
  default void dateKeysCountEveryRowInsideTheDeclaredBoundsAndNoRowOutsideOnEveryBackend() {
    // privacy unit row, G = R = 1: each row counts once, so the counts are exact; a row before d's lower bound, or
    // with a NULL d, belongs to no key of the domain derived from the bounds and is dropped
    Map<List<Object>, Long> months = new HashMap<>();
    Map<List<Object>, Long> years = new HashMap<>();
    long outside = 0;
    for (GeneratedTable.Row r : fixture().generated().rows()) {
      java.time.LocalDate day = r.d() == null ? null : java.time.LocalDate.parse(r.d());
      if (day == null || day.isBefore(GeneratedTable.FIRST_DAY)) {
        outside++;
        continue;
      }
      months.merge(List.of(day.withDayOfMonth(1)), 1L, Long::sum);
      years.merge(List.of((long) day.getYear()), 1L, Long::sum);
    }
    assertTrue(outside > 0 && months.size() == 60 && years.size() == 5, "the data covers the case");
    TestTable table = fixture().generated().table();
    for (Target t : fixture().targets("gen.csv")) {
      Dataset d = table.dataset(t.source(), "row", 1, 1);
      for (var c : List.of(Map.entry("SELECT date_trunc('month', d) AS m, COUNT(*) AS n FROM gen GROUP BY 1", months),
          Map.entry("SELECT EXTRACT(YEAR FROM d) AS y, COUNT(*) AS n FROM gen GROUP BY y", years))) {
        BoundedRows rows = BoundedRows.run(t.backend(), d, c.getKey(), SECRET);
        Map<List<Object>, Long> counts = new HashMap<>();
        rows.rows().forEach((k, v) -> counts.put(k, (Long) v.get(0)));
        assertEquals(c.getValue(), counts, t.name() + ": " + c.getKey());
      }
    }
  }

  @Test
  default void distinctUnitCountsCountTheNullUnitOnceOnEveryBackend() {
    Set<Integer> units = new HashSet<>();
    fixture().generated().rows().forEach(r -> units.add(r.uid()));
    assertTrue(units.contains(null), "the generated set has a NULL unit");
    TestTable table = fixture().generated().table();
    for (Target t : fixture().targets("gen.csv")) {
      BoundedRows rows = BoundedRows.run(t.backend(), table.dataset(t.source(), 1, 1),
          "SELECT COUNT(DISTINCT uid) AS u FROM gen", SECRET);
      assertEquals(units.size(), rows.total(rows.indexOf(MeasurementKind.COUNT_UNITS)), t.name());
    }
  }

  @Test
  default void eachDialectDeclaresTheNullOrderingItsBackendHas() {
    TestTable table = fixture().generated().table();
    for (Target t : fixture().targets("gen.csv")) {
      SqlDialect dialect = t.backend().dialect();
      for (boolean desc : new boolean[] {false, true}) {
        String sql = "SELECT q FROM (SELECT DISTINCT " + dialect.quoteIdentifier("grp") + " AS q FROM "
            + dialect.quoteIdentifier(table.name()) + ") t ORDER BY q" + (desc ? " DESC" : "");
        List<Object[]> rows = t.backend().execute(sql);
        assertEquals(GeneratedTable.GROUPS + 1, rows.size(), t.name());
        int nullAt = -1;
        for (int i = 0; i < rows.size(); i++) {
          if (rows.get(i)[0] == null) {
            nullAt = i;
          }
        }
        int declared = dialect.getNullCollation().last(desc) ? rows.size() - 1 : 0;
        assertEquals(declared, nullAt, t.name() + (desc ? " DESC" : " ASC") + ": where NULL sorts");
      }
    }
  }

  @Test
  default void headerNamesMatchDeclaredNamesWhateverTheirCase() {
    // gen.csv's header (and the PostgreSQL table) says UID, Grp, X, FLAG; the YAML declares uid, grp, x, flag and
    // Kind, N for kind, n. A backend that did not map them would fail to open or return other rows.
    List<Object> kinds = new ArrayList<>();
    for (Target t : fixture().targets("gen.csv")) {
      BoundedRows rows = BoundedRows.run(t.backend(), fixture().generated().table().dataset(t.source(), 3, 1),
          "SELECT Kind, COUNT(*) AS n FROM gen WHERE FLAG AND N > 0 GROUP BY KIND", SECRET);
      kinds.add(rows.rows().keySet());
    }
    assertEquals(Set.of(List.of("a"), List.of("b"), List.of("c")), kinds.get(0));
    assertEquals(1, new HashSet<>(kinds).size(), "every backend returns the same groups");
  }
}
