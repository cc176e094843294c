package org.dpq.engine.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.apache.calcite.sql.SqlDialect;
import org.dpq.engine.analysis.MeasurementKind;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.DatasetLoader;
import org.dpq.engine.joins.ShopData;
import org.dpq.engine.rewrite.Rewriter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cross-backend contract: the same bounded query, rewritten for each backend's dialect with the same secret,
 * returns the same bounded rows on every backend, for PUMS_dup (1-4 identical rows per person), PUMS_null (NULL
 * units, keys and values) and a generated set (multi-group units, NaN, infinities, negatives). Where G binds,
 * which groups a unit keeps depends on each dialect's hash, so those cases check invariants instead: per backend,
 * the units counted over all groups are exactly the sum over units of min(G, groups of the unit), each group
 * counts at most R rows per unit, and the same secret gives the same rows again. Subclasses open the backends
 * (DuckDB first, as the reference); the comparisons never use hard-coded results, so they hold whatever the
 * rewrite's per-unit semantics are, as long as every backend runs them alike.
 *
 * <p>Issue 17: the same over a shop of several tables ({@link ShopData#JOINT_YAML}: customers the unit table, orders,
 * items and shipments private through a key chain, products and services public, services the joint key domain of
 * shipments' (carrier, speed)), for the join shapes, and the differential neighbour check on every
 * backend for both neighbours (one unit with extreme rows added to every private table, the busiest unit's rows
 * removed from every private table), for the join shapes and the per-unit subqueries, with a deliberately broken
 * join rewrite the same check rejects. Test-only.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class BackendEquivalenceContract {
  /** A backend under comparison and the dataset (same table and columns, its own source) it was opened for. */
  public record Target(String name, Backend backend, String source) {}

  /**
   * A backend opened over a shop of several tables ({@link ShopData}) and the YAML source fragment of each table
   * there (table name to a flow mapping).
   */
  public record ShopTarget(String name, Backend backend, Map<String, String> sources) {
    /** The shop's dataset over these sources, with G and R. */
    public Dataset dataset(int groups, int rows) {
      return DatasetLoader.parse(ShopData.jointYaml(sources, groups, rows, 0), Path.of("").toAbsolutePath());
    }
  }

  /** A query over the shop, with the G and R of the dataset it runs on. */
  record ShopCase(int groups, int rows, String sql) {
    String context() {
      return "G=" + groups + " R=" + rows + ": " + sql;
    }
  }

  /** One query, with the G, R and total cap C (0: none) of the dataset it runs on. */
  record Case(int groups, int rows, int cap, String sql) {
    Case(int groups, int rows, String sql) {
      this(groups, rows, 0, sql);
    }

    Dataset dataset(TestTable table, String source, int groupsOverride) {
      return table.dataset(source, groupsOverride > 0 ? groupsOverride : groups, rows, cap);
    }

    String context() {
      return "G=" + groups + " R=" + rows + (cap > 0 ? " C=" + cap : "") + ": " + sql;
    }
  }

  private static final long SECRET = 0x5eed_d00d_cafeL;
  private static final Pattern RANDOM = Pattern.compile("(?i)\\brand(om)?\\s*\\(");

  private static final List<Case> PUMS = List.of(
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
  private static final List<Case> GENERATED = List.of(
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

  /** A capped query whose bound the added unit reaches: {@link #aTotalCapPerUnitBoundsTheAddedUnitOnEveryBackend}. */
  private static final Case CAPPED = new Case(3, 4, 5, "SELECT grp, COUNT(*) AS c, SUM(x) AS s, AVG(n) AS a, "
      + "VAR_POP(n) AS v, COUNT(DISTINCT uid) AS u FROM gen GROUP BY grp");

  /**
   * Issue 14's shapes on neighbouring data (gen, and gen plus one unit with extreme rows in every group), with G
   * and R that bind for that unit: each must move every measurement by at most its declared sensitivity. Few
   * queries with many measurements each, since every one runs twice on every backend.
   */
  private static final List<Case> NEIGHBOURS = List.of(
      new Case(3, 2, "SELECT grp, COUNT(DISTINCT x) AS dx, COUNT(DISTINCT n) FILTER (WHERE flag) AS dn, "
          + "SUM(x * (1 - n / 20.0)) AS s, COUNT(CASE WHEN n > 3 THEN 1 END) AS c FROM gen GROUP BY grp"),
      new Case(3, 2, "SELECT CASE WHEN n > 0 THEN 'pos' ELSE 'neg' END AS sign, n / 4 AS d4, COUNT(*) AS c, "
          + "SUM(CASE WHEN grp = 'g3' THEN x ELSE -x END) AS s, AVG(x + n) AS a, SUM(x) FILTER (WHERE flag) AS f, "
          + "VAR_POP(ABS(n - 2)) AS v FROM gen GROUP BY 1, d4"),
      new Case(2, 1, "SELECT DISTINCT grp FROM gen"),
      // the added unit's dates lie partly outside d's bounds: those rows fall outside the derived domain
      new Case(3, 2, "SELECT date_trunc('quarter', d) AS q, EXTRACT(MONTH FROM d) AS mo, COUNT(*) AS c, "
          + "SUM(x) AS s FROM gen GROUP BY q, mo"),
      new Case(2, 2, "SELECT EXTRACT(YEAR FROM d) AS y, COUNT(*) AS c, SUM(n) AS s FROM gen GROUP BY 1"),
      // a subquery in FROM that only selects and filters rows
      new Case(3, 2, "SELECT grp, COUNT(*) AS c, SUM(z) AS s, COUNT(DISTINCT uid) AS u FROM (SELECT grp, uid, "
          + "x, x - n AS z FROM gen WHERE NOT flag) AS t WHERE x > -50 GROUP BY grp"),
      // expression keys over bounded columns: the added unit's values far outside the bounds land in the edge bins
      new Case(3, 2, "SELECT FLOOR(n / 4) * 4 AS b, FLOOR(x / 25) AS bx, COUNT(*) AS c, SUM(n) AS s FROM gen "
          + "GROUP BY b, bx"),
      // issue 16: the total cap C = 5 < G*R = 12 binds for the added unit (its many rows over many groups)
      CAPPED,
      // issue 16: per-unit means; G binds for the added unit, its extreme values are clamped before its mean
      new Case(3, 2, "SELECT grp, AVG_PER_UNIT(x) AS px, AVG_PER_UNIT(n) FILTER (WHERE flag) AS pn, COUNT(*) AS c "
          + "FROM gen GROUP BY grp"),
      // issue 17: a per-unit subquery; the added unit's rows exceed m = G*R = 6 and its values the bounds
      new Case(3, 2, "SELECT FLOOR(s / 50) AS b, COUNT(*) AS c, SUM(s) AS ts, SUM(k) AS tk, AVG(hi) AS ah FROM "
          + "(SELECT uid, SUM(x) AS s, COUNT(*) AS k, MAX(n) AS hi FROM gen GROUP BY uid) t GROUP BY 1"),
      // the same without keys, and as WITH with a filter on the per-unit values
      new Case(3, 2, "SELECT COUNT(*) AS c, SUM(s) AS ts, SUM(k) AS tk FROM (SELECT uid, SUM(x) AS s, COUNT(*) AS k "
          + "FROM gen GROUP BY uid) t"),
      new Case(3, 2, "WITH units AS (SELECT uid, SUM(n) AS s, COUNT(x) AS k FROM gen WHERE flag GROUP BY uid) "
          + "SELECT COUNT(*) AS c, SUM(s) AS ts, AVG(k) AS ak FROM units WHERE k > 1"));


  /**
   * Issue 17's join shapes over the shop: a private-public join, a private-private chain (through orders to
   * customers), the chain joined to a public table, a LEFT JOIN from the private side, the unit table joined only to
   * filter. G = 100 never binds, so the bounded rows do not depend on a dialect's hash; R binds (deterministically: R
   * times the unit's mean). The per-unit subqueries over the shop are in {@link #SHOP_PER_UNIT}.
   */
  private static final List<ShopCase> SHOP_SHAPES = List.of(
      new ShopCase(100, 3, "SELECT p.category, COUNT(*) AS c, SUM(o.amount) AS s, AVG(p.weight) AS w FROM orders o "
          + "JOIN products p ON o.product_id = p.product_id GROUP BY p.category"),
      new ShopCase(100, 3, "SELECT c.region, COUNT(*) AS n, SUM(i.qty) AS q, AVG(i.price) AS a, "
          + "COUNT(DISTINCT c.customer_id) AS u FROM items i JOIN orders o ON i.order_id = o.order_id "
          + "JOIN customers c ON o.customer_id = c.customer_id GROUP BY c.region"),
      new ShopCase(100, 2, "SELECT p.category, c.region, COUNT(*) AS n, SUM(i.price * i.qty) AS s FROM items i "
          + "JOIN orders o ON i.order_id = o.order_id JOIN products p ON o.product_id = p.product_id "
          + "JOIN customers c ON c.customer_id = o.customer_id WHERE p.category IN ('food', 'tools') "
          + "GROUP BY p.category, c.region"),
      new ShopCase(100, 2, "SELECT p.category, COUNT(*) AS n, SUM(o.amount) AS s FROM orders o LEFT JOIN products p "
          + "ON o.product_id = p.product_id WHERE o.amount > 100 GROUP BY p.category"),
      new ShopCase(100, 3, "SELECT COUNT(*) AS n, SUM(o.amount) AS s, VAR_POP(o.amount) AS v FROM orders o "
          + "JOIN customers c ON o.customer_id = c.customer_id WHERE c.region IN ('north', 'east')"),
      // a joint key domain (the public services' (carrier, speed) pairs), its tuples read by each backend
      new ShopCase(100, 3, "SELECT s.carrier, s.speed, COUNT(*) AS n, SUM(s.fee) AS f, SUM(o.amount) AS a "
          + "FROM shipments s JOIN orders o ON s.order_id = o.order_id GROUP BY s.carrier, s.speed"));

  /**
   * Issue 17's per-unit subqueries over the shop's joins: the issue's example over orders, a histogram of items per
   * customer over {@code items JOIN orders} as WITH, and an inner grouped by the unit table's column through the
   * chain with a filter on the unit table. G = 100 and R = 3 give m = G*R = 300, more joined rows than any customer
   * has (the added one: 240 items), so the inner row limit never binds and the rows do not depend on a dialect's hash.
   */
  private static final List<ShopCase> SHOP_PER_UNIT = List.of(
      new ShopCase(100, 3, "SELECT COUNT(*) AS c, SUM(s) AS t FROM (SELECT customer_id, SUM(amount) AS s "
          + "FROM orders GROUP BY customer_id) t WHERE s > 100"),
      new ShopCase(100, 3, "WITH per_customer AS (SELECT o.customer_id, COUNT(*) AS n, SUM(i.qty) AS q FROM items i "
          + "JOIN orders o ON i.order_id = o.order_id GROUP BY o.customer_id) SELECT n, COUNT(*) AS c, SUM(q) AS tq "
          + "FROM per_customer GROUP BY n"),
      new ShopCase(100, 3, "SELECT FLOOR(s / 200) AS b, COUNT(*) AS c, SUM(k) AS tk FROM (SELECT c.customer_id, "
          + "SUM(o.amount) AS s, COUNT(*) AS k FROM orders o JOIN customers c ON o.customer_id = c.customer_id "
          + "WHERE c.region IN ('north', 'east') GROUP BY c.customer_id) t GROUP BY 1"));

  /**
   * The join shapes and the per-unit subqueries with G = 2 and R = 3, which bind for the added and the removed
   * customer (in the subqueries, m = G*R = 6 joined rows of a customer reach the inner aggregate).
   */
  private static final List<ShopCase> SHOP_NEIGHBOURS = java.util.stream.Stream.concat(SHOP_SHAPES.stream(),
      SHOP_PER_UNIT.stream()).map(c -> new ShopCase(2, 3, c.sql())).toList();

  /** The private-private chain, for the deliberately broken rewrite. */
  private static final ShopCase BROKEN_JOIN = SHOP_NEIGHBOURS.get(1);

  /** The extreme customer added to the shop, and the customer removed from it. */
  private static final int ADDED = 999_999;

  private GeneratedTable generated;
  private GeneratedTable generatedPlus;
  private GeneratedTable generatedMinus;
  private TestTable ties;
  private final Map<String, List<Target>> targets = new HashMap<>();
  private final Map<String, List<ShopTarget>> shops = new HashMap<>();

  /**
   * Opens each backend to compare over {@code table}, DuckDB (over {@link TestTable#csvSource()}) first; each
   * target's {@code source} is the YAML source fragment its datasets use.
   */
  protected abstract List<Target> open(TestTable table, Path work) throws Exception;

  /**
   * Opens each backend to compare over the shop whose six CSV files (with header rows, {@link ShopData#JOINT_TABLES})
   * are in {@code dir}, DuckDB (over the files, {@link #duckdbShop}) first; {@code label} (lower-case letters)
   * tells the shops apart.
   */
  protected abstract List<ShopTarget> openShop(Path dir, String label) throws Exception;

  /** The shop in {@code dir} on the embedded DuckDB, over its CSV files. */
  protected static ShopTarget duckdbShop(Path dir) {
    Map<String, String> sources = new HashMap<>();
    for (String table : ShopData.JOINT_TABLES) {
      sources.put(table, "{ csv: '" + dir.resolve(table + ".csv").toAbsolutePath().toString().replace("'", "''")
          + "' }");
    }
    ShopTarget t = new ShopTarget("duckdb", null, Map.copyOf(sources));
    return new ShopTarget("duckdb", DuckDbBackend.open(t.dataset(1, 1)), t.sources());
  }

  /** Releases what {@link #open} set up beyond the backends (e.g. database schemas); backends are closed already. */
  protected abstract void cleanUp() throws Exception;

  @BeforeAll
  void openAll(@TempDir Path work) throws Exception {
    generated = GeneratedTable.write(work.resolve("generated"), 20240521L, 20_000);
    generatedPlus = generated.withHeavyUnit(work.resolve("generated"), 2_000);
    generatedMinus = generated.withoutUnit(work.resolve("generated"), generated.busiestUnit());
    ties = ties(work.resolve("ties"));
    for (TestTable table : List.of(TestTable.pums("PUMS_dup.csv"), TestTable.pums("PUMS_null.csv"),
        generated.table(), generatedPlus.table(), generatedMinus.table(), ties)) {
      List<Target> opened = open(table, work);
      assertTrue(opened.size() >= 2, "compare at least two backends");
      targets.put(table.csv().getFileName().toString(), opened);
    }
    ShopData shop = ShopData.generate(20261206L, 300);
    removed = shop.busiestCustomer("north");
    Map<String, ShopData> variants = Map.of("base", shop,
        "plus", shop.withUnit(ADDED, "north", 40, 3, 1e9, 6, 1000, 1e9),
        "minus", shop.without(removed));
    for (Map.Entry<String, ShopData> v : variants.entrySet()) {
      Path dir = work.resolve("shop_" + v.getKey());
      v.getValue().write(dir);
      List<ShopTarget> opened = openShop(dir, v.getKey());
      assertTrue(opened.size() >= 2, "compare at least two backends");
      shops.put(v.getKey(), opened);
    }
  }

  private int removed;

  @AfterAll
  void closeAll() throws Exception {
    for (List<Target> list : targets.values()) {
      list.forEach(t -> t.backend().close());
    }
    for (List<ShopTarget> list : shops.values()) {
      list.forEach(t -> t.backend().close());
    }
    cleanUp();
  }

  private List<Target> targets(String file) {
    return Objects.requireNonNull(targets.get(file), file);
  }

  private TestTable table(String file) {
    return file.equals("gen.csv") ? generated.table() : file.equals("gen_plus.csv") ? generatedPlus.table()
        : file.equals("gen_minus.csv") ? generatedMinus.table() : TestTable.pums(file);
  }

  /**
   * Two units, each with two groups whose keys a naive encoding confuses: unit 1 has (NULL, 'a') and ('a', NULL)
   * (a hash that skips NULLs sees 'a' twice), unit 2 has ('x|y', 'z') and ('x', 'y|z') (joined with '|' they
   * are the same text).
   */
  private static TestTable ties(Path dir) throws java.io.IOException {
    java.nio.file.Files.createDirectories(dir);
    Path csv = java.nio.file.Files.writeString(dir.resolve("ties.csv"),
        "uid,a,b\n1,,a\n1,a,\n2,x|y,z\n2,x,y|z\n");
    return new TestTable("ties", csv, List.of("uid integer", "a text", "b text"), "uid", """
        uid: { type: int }
        a:   { type: string }
        b:   { type: string }
        """);
  }

  @Test
  void whichGroupAUnitKeepsDependsOnTheSecretEvenForKeysANaiveHashConfuses() {
    // With G = 1 each unit keeps one of its two groups. Over 16 fixed secrets an injective hash keeps each group
    // sometimes (one group is never kept with probability 2^-15 per unit); a hash that maps both groups to one
    // value leaves the choice to row order: the same group for every secret, decided by whatever orders the rows.
    for (Target t : targets("ties.csv")) {
      Dataset d = ties.dataset(t.source(), 1, 1);
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
    TestTable table = table(file);
    for (Case c : cases) {
      int g = groupsOverride > 0 ? groupsOverride : c.groups();
      BoundedRows reference = null;
      String referenceName = null;
      for (Target t : targets(file)) {
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
  void quantileTreeLeafCountsAreIdenticalWhereGDoesNotBind() {
    List<Case> generated = List.of(
        new Case(100, 3, "SELECT grp, MEDIAN(x) AS m, MAX(n) AS hi FROM gen GROUP BY grp"),
        new Case(100, 2, "SELECT PERCENTILE_CONT(0.9) WITHIN GROUP (ORDER BY x - n) AS p FROM gen WHERE flag"));
    List<Case> pums = List.of(new Case(50, 2, "SELECT sex, MEDIAN(income) AS m, MIN(age) AS lo FROM pums GROUP BY sex"));
    for (String file : List.of("gen.csv", "PUMS_null.csv")) {
      TestTable table = table(file);
      for (Case c : file.equals("gen.csv") ? generated : pums) {
        List<Map<List<Object>, Long>> reference = null;
        String referenceName = null;
        for (Target t : targets(file)) {
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

  /**
   * The neighbours of gen on every backend: gen plus one unit with extreme rows in every group (for every shape), and
   * gen without its busiest unit (for the shapes with a subquery, FROM (...) or WITH: the per-unit subqueries and the
   * row-level one). Each moves every measurement by at most its declared sensitivity; the added unit moves every
   * measurement somewhere, the removed one some (not vacuous: which of its groups a dialect's hash keeps at G = 3
   * decides which measurements its rows reach).
   */
  @Test
  void oneAddedOrRemovedUnitMovesEachMeasurementByAtMostItsSensitivityOnEveryBackend() {
    List<Target> base = targets("gen.csv");
    List<Target> plus = targets("gen_plus.csv");
    List<Target> minus = targets("gen_minus.csv");
    assertEquals(base.stream().map(Target::name).toList(), plus.stream().map(Target::name).toList());
    assertEquals(base.stream().map(Target::name).toList(), minus.stream().map(Target::name).toList());
    long withSubquery = NEIGHBOURS.stream().filter(BackendEquivalenceContract::hasSubquery).count();
    assertTrue(withSubquery >= 4, "the per-unit subqueries and the row-level one: " + withSubquery);
    for (Case c : NEIGHBOURS) {
      for (int t = 0; t < base.size(); t++) {
        BoundedRows without = BoundedRows.run(base.get(t).backend(),
            c.dataset(generated.table(), base.get(t).source(), 0), c.sql(), SECRET);
        String added = base.get(t).name() + ", unit added, " + c.context();
        BoundedRows with = BoundedRows.run(plus.get(t).backend(),
            c.dataset(generatedPlus.table(), plus.get(t).source(), 0), c.sql(), SECRET);
        List<String> violations = Neighbours.violations(without, with);
        assertTrue(violations.isEmpty(), () -> added + "\n" + String.join("\n", violations));
        assertEquals(with.plan().measurements().size(), Neighbours.moved(without, with).size(),
            added + ": measurements the added unit moved: " + Neighbours.moved(without, with));
        if (hasSubquery(c)) {
          String removed = base.get(t).name() + ", unit removed, " + c.context();
          BoundedRows less = BoundedRows.run(minus.get(t).backend(),
              c.dataset(generatedMinus.table(), minus.get(t).source(), 0), c.sql(), SECRET);
          List<String> fromRemoval = Neighbours.violations(less, without);
          assertTrue(fromRemoval.isEmpty(), () -> removed + "\n" + String.join("\n", fromRemoval));
          assertFalse(Neighbours.moved(less, without).isEmpty(), removed + ": the removed unit moved nothing");
        }
      }
    }
  }

  private static boolean hasSubquery(Case c) {
    return c.sql().contains("FROM (") || c.sql().startsWith("WITH ");
  }



  /**
   * Issue 16: with {@code max_rows_per_unit} C = 5 below G*R = 12, the added unit (2000 rows over every group) moves
   * COUNT(*) by exactly C over all groups on every backend, within its declared L1 = 5; a rewrite that ignores the cap
   * while the analysis declares it moves COUNT(*) by G*R = 12, which the same check rejects. On the base data, with G
   * and R that never bind, every backend keeps exactly min(C, rows) rows of each unit.
   */
  @Test
  void aTotalCapPerUnitBoundsTheAddedUnitOnEveryBackend() {
    List<Target> base = targets("gen.csv");
    List<Target> plus = targets("gen_plus.csv");
    for (int t = 0; t < base.size(); t++) {
      String context = base.get(t).name() + ", " + CAPPED.context();
      BoundedRows without = BoundedRows.run(base.get(t).backend(),
          CAPPED.dataset(generated.table(), base.get(t).source(), 0), CAPPED.sql(), SECRET);
      BoundedRows with = BoundedRows.run(plus.get(t).backend(),
          CAPPED.dataset(generatedPlus.table(), plus.get(t).source(), 0), CAPPED.sql(), SECRET);
      int count = with.indexOf(MeasurementKind.COUNT_ROWS);
      assertEquals(5, with.plan().measurements().get(count).l1(), 0, context + ": declared L1 of COUNT(*)");
      assertEquals(5, with.total(count) - without.total(count), context + ": the added unit keeps exactly C rows");
      assertTrue(Neighbours.violations(without, with).isEmpty(), context);

      org.dpq.engine.rewrite.Rewriter uncapped = org.dpq.engine.rewrite.Rewriter.withoutUnitCapForTest();
      BoundedRows brokenWithout = BoundedRows.run(base.get(t).backend(),
          CAPPED.dataset(generated.table(), base.get(t).source(), 0), CAPPED.sql(), SECRET, uncapped);
      BoundedRows broken = BoundedRows.run(plus.get(t).backend(),
          CAPPED.dataset(generatedPlus.table(), plus.get(t).source(), 0), CAPPED.sql(), SECRET, uncapped);
      assertEquals(12, broken.total(count) - brokenWithout.total(count), context + ": uncapped, G*R rows");
      List<String> caught = Neighbours.violations(brokenWithout, broken);
      assertTrue(caught.stream().anyMatch(v -> v.startsWith("COUNT_ROWS") && v.contains("> L1 5")),
          context + ": the broken rewrite must be caught: " + caught);
    }
    Map<Integer, Long> rowsPerUnit = new HashMap<>();
    generated.rows().forEach(r -> rowsPerUnit.merge(r.uid(), 1L, Long::sum));
    long expected = rowsPerUnit.values().stream().mapToLong(n -> Math.min(n, 2)).sum();
    assertTrue(expected < generated.rows().size(), "C = 2 binds for some unit");
    Case capped = new Case(100, 100, 2, "SELECT grp, COUNT(*) AS n, COUNT(DISTINCT uid) AS u FROM gen GROUP BY grp");
    for (Target t : base) {
      BoundedRows rows = BoundedRows.run(t.backend(), capped.dataset(generated.table(), t.source(), 0), capped.sql(),
          SECRET);
      assertEquals(expected, rows.total(rows.indexOf(MeasurementKind.COUNT_ROWS)), t.name() + ": sum of min(C, rows)");
      assertTrue(rows.total(rows.indexOf(MeasurementKind.COUNT_UNITS)) <= 2L * rowsPerUnit.size(),
          t.name() + ": a unit counts in at most C groups");
      rows.assertSameAs(BoundedRows.run(t.backend(), capped.dataset(generated.table(), t.source(), 0), capped.sql(),
          SECRET), t.name() + ": the same secret keeps the same rows");
    }
  }

  /**
   * Issue 17: the join shapes of {@link #SHOP_SHAPES} give identical bounded rows on every backend, on the shop and
   * on the shop with an extreme customer (values far beyond the bounds, more rows than R in every group). The
   * per-unit subqueries over the shop's joins ({@link #SHOP_PER_UNIT}) likewise; those over one table are compared
   * in {@link #GENERATED}.
   */
  @Test
  void joinsGiveIdenticalBoundedRowsOnEveryBackend() {
    for (String variant : List.of("base", "plus")) {
      // the per-unit subqueries on the shop with the extreme customer only (it holds the base shop's rows too)
      for (ShopCase c : variant.equals("base") ? SHOP_SHAPES
          : java.util.stream.Stream.concat(SHOP_SHAPES.stream(), SHOP_PER_UNIT.stream()).toList()) {
        BoundedRows reference = null;
        String referenceName = null;
        for (ShopTarget t : shops.get(variant)) {
          BoundedRows rows = BoundedRows.run(t.backend(), t.dataset(c.groups(), c.rows()), c.sql(), SECRET);
          assertFalse(rows.rows().isEmpty(), t.name() + " returned no group for " + c.sql());
          if (reference == null) {
            reference = rows;
            referenceName = t.name();
          } else {
            reference.assertSameAs(rows, "shop " + variant + ", " + referenceName + " vs " + t.name() + ", "
                + c.context());
          }
        }
      }
    }
  }

  /**
   * Issue 17's differential check, both neighbours, on every backend: for every join shape and per-unit subquery
   * over the shop's joins, the shop with one
   * customer added (40 orders of 6 items each, every value far beyond its bounds) and the shop without its busiest
   * customer of region north (its row, orders and items) each move every measurement by at most its declared
   * per-unit bound, L1 and L2 sensitivity; and each neighbour moves every measurement (the check is not vacuous). The
   * shop's data are read once per backend and case (the shop itself serves both neighbours).
   */
  @Test
  void joinsMoveByAtMostTheirSensitivityForBothNeighboursOnEveryBackend() {
    List<ShopTarget> base = shops.get("base");
    List<ShopTarget> plus = shops.get("plus");
    List<ShopTarget> minus = shops.get("minus");
    assertEquals(base.stream().map(ShopTarget::name).toList(), plus.stream().map(ShopTarget::name).toList());
    assertEquals(base.stream().map(ShopTarget::name).toList(), minus.stream().map(ShopTarget::name).toList());
    for (ShopCase c : SHOP_NEIGHBOURS) {
      for (int t = 0; t < base.size(); t++) {
        BoundedRows shop = BoundedRows.run(base.get(t).backend(), base.get(t).dataset(c.groups(), c.rows()), c.sql(),
            SECRET);
        BoundedRows more = BoundedRows.run(plus.get(t).backend(), plus.get(t).dataset(c.groups(), c.rows()), c.sql(),
            SECRET);
        BoundedRows less = BoundedRows.run(minus.get(t).backend(), minus.get(t).dataset(c.groups(), c.rows()),
            c.sql(), SECRET);
        if (c.sql().equals(HISTOGRAM.sql())) {
          assertHistogramKeysWithinM(more, false, plus.get(t).name());
        }
        for (var pair : List.of(List.of(shop, more), List.of(less, shop))) {
          String context = base.get(t).name() + ", " + (pair.get(1) == more ? "customer " + ADDED + " added"
              : "customer " + removed + " removed") + ", " + c.context();
          List<String> violations = Neighbours.violations(pair.get(0), pair.get(1));
          assertTrue(violations.isEmpty(), () -> context + "\n" + String.join("\n", violations));
          assertEquals(pair.get(1).plan().measurements().size(), Neighbours.moved(pair.get(0), pair.get(1)).size(),
              context + ": measurements the neighbour moved: " + Neighbours.moved(pair.get(0), pair.get(1)));
        }
      }
    }
  }


  /**
   * The broken variant the same check rejects on every backend: the private-private chain rewritten without the
   * per-unit limits (the added customer's 240 items count as 240 rows, not R). (A per-unit subquery rewritten without
   * its inner bounds, {@link Rewriter#withoutPerUnitBoundsForTest}, is not a sensitivity violation the check could
   * see: the outer aggregate still clamps each unit's one row to the derived bounds; {@code PerUnitSubqueryTest}
   * catches it by its answers, and over joins a histogram key above m catches it on every backend
   * ({@link #perUnitHistogramKeyCheckRejectsARewriteWithoutTheInnerRowLimitOnEveryBackend}).)
   */
  @Test
  void theNeighbourCheckRejectsAJoinWithoutPerUnitLimitsOnEveryBackend() {
    List<ShopTarget> base = shops.get("base");
    List<ShopTarget> plus = shops.get("plus");
    for (int t = 0; t < base.size(); t++) {
      ShopCase c = BROKEN_JOIN;
      Rewriter broken = org.dpq.engine.rewrite.RewriteSeams.withoutPerUnitLimits();
      String context = base.get(t).name() + ", broken rewrite, " + c.context();
      BoundedRows b = BoundedRows.run(base.get(t).backend(), base.get(t).dataset(c.groups(), c.rows()), c.sql(),
          SECRET, broken);
      BoundedRows n = BoundedRows.run(plus.get(t).backend(), plus.get(t).dataset(c.groups(), c.rows()), c.sql(),
          SECRET, broken);
      List<String> caught = Neighbours.violations(b, n);
      assertTrue(caught.stream().anyMatch(v -> v.startsWith("COUNT_ROWS") && v.contains("> L1")),
          context + ": the broken rewrite must be caught: " + caught);
    }
  }


  /** The per-unit histogram of items per customer over {@code items JOIN orders}, at G = 2, R = 3 (m = 6). */
  private static final ShopCase HISTOGRAM = new ShopCase(2, 3, SHOP_PER_UNIT.get(1).sql());

  /**
   * On the shop with the extreme customer (240 items), each customer's item count lies inside its derived bound
   * {@code n <= m = 6}, so every histogram key does and the added customer lands in key 6; checked on every backend
   * in {@link #joinsMoveByAtMostTheirSensitivityForBothNeighboursOnEveryBackend}. A rewrite that skips the inner row
   * limit must put a key beyond m.
   */
  private static void assertHistogramKeysWithinM(BoundedRows rows, boolean broken, String backend) {
    assertEquals(6, rows.plan().perUnit().orElseThrow().rowLimit(), backend + ": m = G*R");
    assertFalse(rows.rows().isEmpty(), backend + " returned no group");
    long beyond = rows.rows().keySet().stream().filter(k -> ((Number) k.get(0)).longValue() > 6).count();
    assertTrue(broken ? beyond > 0 : beyond == 0, backend + (broken ? ", broken rewrite: must be caught, "
        : ": keys beyond m = 6, ") + "keys " + rows.rows().keySet());
    if (!broken) {
      assertTrue(rows.rows().containsKey(List.of(6L)), backend + ": the added customer's key m = 6, keys "
          + rows.rows().keySet());
    }
  }

  /**
   * The broken variant of the per-unit histogram's key check, on every backend: the rewrite without the inner row
   * limit ({@link Rewriter#withoutPerUnitBoundsForTest}) gives the extreme customer a key beyond m = 6, which the
   * same check rejects. (The sensitivity check cannot see this break: one more unit is counted either way.)
   */
  @Test
  void perUnitHistogramKeyCheckRejectsARewriteWithoutTheInnerRowLimitOnEveryBackend() {
    for (ShopTarget t : shops.get("plus")) {
      assertHistogramKeysWithinM(BoundedRows.run(t.backend(), t.dataset(HISTOGRAM.groups(), HISTOGRAM.rows()),
          HISTOGRAM.sql(), SECRET, Rewriter.withoutPerUnitBoundsForTest()), true, t.name());
    }
  }

  @Test
  void pumsWithSeveralIdenticalRowsPerPersonGivesIdenticalBoundedRows() {
    // Each person's rows are identical, so a person lies in one group per query and G never binds.
    assertIdentical("PUMS_dup.csv", PUMS, 0);
  }

  @Test
  void pumsWithNullUnitsKeysAndValuesGivesIdenticalBoundedRows() {
    // The NULL unit's rows span many groups: G = 50 keeps all of them, so G never binds.
    assertIdentical("PUMS_null.csv", PUMS, 50);
  }

  @Test
  void generatedRowsAreIdenticalWhereGDoesNotBind() {
    assertIdentical("gen.csv", GENERATED, 0);
  }

  /** Per unit (the NULL unit is one unit), the distinct keys of its rows that pass {@code where}. */
  private Map<Integer, Set<List<Object>>> groupsPerUnit(Predicate<GeneratedTable.Row> where,
      Function<GeneratedTable.Row, List<Object>> key) {
    Map<Integer, Set<List<Object>>> out = new HashMap<>();
    for (GeneratedTable.Row r : generated.rows()) {
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
    TestTable table = generated.table();
    for (Target t : targets("gen.csv")) {
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
  void gLimitKeepsMinOfGAndTheUnitsGroupsOnEveryBackend() {
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
  void integerDivisionTruncatesTowardZeroOnEveryBackend() {
    TestTable table = generated.table();
    for (int divisor : new int[] {3, -4}) {
      for (int quotient : new int[] {-2, -1, 0, 1}) {
        int d = divisor;
        int q = quotient;
        long expected = generated.rows().stream().filter(r -> r.n() != null && r.n() / d == q).count();
        String sql = "SELECT COUNT(*) AS c FROM gen WHERE n / (" + d + ") = " + q;
        for (Target t : targets("gen.csv")) {
          BoundedRows rows = BoundedRows.run(t.backend(), table.dataset(t.source(), "row", 1, 1), sql, SECRET);
          assertEquals(expected, rows.total(rows.indexOf(MeasurementKind.COUNT_ROWS)), t.name() + ": " + sql);
        }
      }
    }
  }

  @Test
  void dateKeysCountEveryRowInsideTheDeclaredBoundsAndNoRowOutsideOnEveryBackend() {
    // privacy unit row, G = R = 1: each row counts once, so the counts are exact; a row before d's lower bound, or
    // with a NULL d, belongs to no key of the domain derived from the bounds and is dropped
    Map<List<Object>, Long> months = new HashMap<>();
    Map<List<Object>, Long> years = new HashMap<>();
    long outside = 0;
    for (GeneratedTable.Row r : generated.rows()) {
      java.time.LocalDate day = r.d() == null ? null : java.time.LocalDate.parse(r.d());
      if (day == null || day.isBefore(GeneratedTable.FIRST_DAY)) {
        outside++;
        continue;
      }
      months.merge(List.of(day.withDayOfMonth(1)), 1L, Long::sum);
      years.merge(List.of((long) day.getYear()), 1L, Long::sum);
    }
    assertTrue(outside > 0 && months.size() == 60 && years.size() == 5, "the data covers the case");
    TestTable table = generated.table();
    for (Target t : targets("gen.csv")) {
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
  void distinctUnitCountsCountTheNullUnitOnceOnEveryBackend() {
    Set<Integer> units = new HashSet<>();
    generated.rows().forEach(r -> units.add(r.uid()));
    assertTrue(units.contains(null), "the generated set has a NULL unit");
    TestTable table = generated.table();
    for (Target t : targets("gen.csv")) {
      BoundedRows rows = BoundedRows.run(t.backend(), table.dataset(t.source(), 1, 1),
          "SELECT COUNT(DISTINCT uid) AS u FROM gen", SECRET);
      assertEquals(units.size(), rows.total(rows.indexOf(MeasurementKind.COUNT_UNITS)), t.name());
    }
  }

  @Test
  void eachDialectDeclaresTheNullOrderingItsBackendHas() {
    TestTable table = generated.table();
    for (Target t : targets("gen.csv")) {
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
  void headerNamesMatchDeclaredNamesWhateverTheirCase() {
    // gen.csv's header (and the PostgreSQL table) says UID, Grp, X, FLAG; the YAML declares uid, grp, x, flag and
    // Kind, N for kind, n. A backend that did not map them would fail to open or return other rows.
    List<Object> kinds = new ArrayList<>();
    for (Target t : targets("gen.csv")) {
      BoundedRows rows = BoundedRows.run(t.backend(), generated.table().dataset(t.source(), 3, 1),
          "SELECT Kind, COUNT(*) AS n FROM gen WHERE FLAG AND N > 0 GROUP BY KIND", SECRET);
      kinds.add(rows.rows().keySet());
    }
    assertEquals(Set.of(List.of("a"), List.of("b"), List.of("c")), kinds.get(0));
    assertEquals(1, new HashSet<>(kinds).size(), "every backend returns the same groups");
  }
}
