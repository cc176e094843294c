package org.dpq.engine.execution;

import static org.dpq.engine.execution.BackendEquivalenceContract.SECRET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dpq.engine.analysis.MeasurementKind;
import org.dpq.engine.execution.BackendEquivalenceContract.Case;
import org.dpq.engine.execution.BackendEquivalenceContract.ShopCase;
import org.dpq.engine.execution.BackendEquivalenceContract.ShopTarget;
import org.dpq.engine.execution.BackendEquivalenceContract.Target;
import org.dpq.engine.joins.ShopData;
import org.dpq.engine.rewrite.Rewriter;
import org.junit.jupiter.api.Test;

/**
 * The cross-backend contract's cases over neighbouring data and over the shop ({@link BackendEquivalenceContract}):
 * gen with one unit added or removed moves every measurement by at most its declared sensitivity on every backend
 * (issue 14's shapes, per-unit subqueries, the total cap C with its broken variant); the join shapes over the shop of
 * several tables ({@link ShopData#JOINT_YAML}) give identical bounded rows on every backend; and the shop with one
 * customer added or removed moves every measurement by at most its sensitivity, with the broken join rewrite and the
 * broken per-unit histogram the same checks reject. The single-table cases are {@link TableEquivalenceCases}. A test
 * class extends {@link BackendEquivalenceContract} and implements this, the other half, or both. Test-only.
 */
public interface NeighbourEquivalenceCases {
  /** The data and the backends opened over them. */
  EquivalenceFixture fixture();

  /** A capped query whose bound the added unit reaches: {@link #aTotalCapPerUnitBoundsTheAddedUnitOnEveryBackend}. */
  Case CAPPED = new Case(3, 4, 5, "SELECT grp, COUNT(*) AS c, SUM(x) AS s, AVG(n) AS a, "
      + "VAR_POP(n) AS v, COUNT(DISTINCT uid) AS u FROM gen GROUP BY grp");

  /**
   * Issue 14's shapes on neighbouring data (gen, and gen plus one unit with extreme rows in every group), with G
   * and R that bind for that unit: each must move every measurement by at most its declared sensitivity. Few
   * queries with many measurements each, since every one runs twice on every backend.
   */
  List<Case> NEIGHBOURS = List.of(
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
  List<ShopCase> SHOP_SHAPES = List.of(
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
  List<ShopCase> SHOP_PER_UNIT = List.of(
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
  List<ShopCase> SHOP_NEIGHBOURS = java.util.stream.Stream.concat(SHOP_SHAPES.stream(),
      SHOP_PER_UNIT.stream()).map(c -> new ShopCase(2, 3, c.sql())).toList();

  /** The private-private chain, for the deliberately broken rewrite. */
  ShopCase BROKEN_JOIN = SHOP_NEIGHBOURS.get(1);

  /**
   * The neighbours of gen on every backend: gen plus one unit with extreme rows in every group (for every shape), and
   * gen without its busiest unit (for the shapes with a subquery, FROM (...) or WITH: the per-unit subqueries and the
   * row-level one). Each moves every measurement by at most its declared sensitivity; the added unit moves every
   * measurement somewhere, the removed one some (not vacuous: which of its groups a dialect's hash keeps at G = 3
   * decides which measurements its rows reach).
   */
  @Test
  default void oneAddedOrRemovedUnitMovesEachMeasurementByAtMostItsSensitivityOnEveryBackend() {
    List<Target> base = fixture().targets("gen.csv");
    List<Target> plus = fixture().targets("gen_plus.csv");
    List<Target> minus = fixture().targets("gen_minus.csv");
    assertEquals(base.stream().map(Target::name).toList(), plus.stream().map(Target::name).toList());
    assertEquals(base.stream().map(Target::name).toList(), minus.stream().map(Target::name).toList());
    long withSubquery = NEIGHBOURS.stream().filter(NeighbourEquivalenceCases::hasSubquery).count();
    assertTrue(withSubquery >= 4, "the per-unit subqueries and the row-level one: " + withSubquery);
    for (Case c : NEIGHBOURS) {
      for (int t = 0; t < base.size(); t++) {
        BoundedRows without = BoundedRows.run(base.get(t).backend(),
            c.dataset(fixture().generated().table(), base.get(t).source(), 0), c.sql(), SECRET);
        String added = base.get(t).name() + ", unit added, " + c.context();
        BoundedRows with = BoundedRows.run(plus.get(t).backend(),
            c.dataset(fixture().generatedPlus().table(), plus.get(t).source(), 0), c.sql(), SECRET);
        List<String> violations = Neighbours.violations(without, with);
        assertTrue(violations.isEmpty(), () -> added + "\n" + String.join("\n", violations));
        assertEquals(with.plan().measurements().size(), Neighbours.moved(without, with).size(),
            added + ": measurements the added unit moved: " + Neighbours.moved(without, with));
        if (hasSubquery(c)) {
          String removed = base.get(t).name() + ", unit removed, " + c.context();
          BoundedRows less = BoundedRows.run(minus.get(t).backend(),
              c.dataset(fixture().generatedMinus().table(), minus.get(t).source(), 0), c.sql(), SECRET);
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
  default void aTotalCapPerUnitBoundsTheAddedUnitOnEveryBackend() {
    List<Target> base = fixture().targets("gen.csv");
    List<Target> plus = fixture().targets("gen_plus.csv");
    for (int t = 0; t < base.size(); t++) {
      String context = base.get(t).name() + ", " + CAPPED.context();
      BoundedRows without = BoundedRows.run(base.get(t).backend(),
          CAPPED.dataset(fixture().generated().table(), base.get(t).source(), 0), CAPPED.sql(), SECRET);
      BoundedRows with = BoundedRows.run(plus.get(t).backend(),
          CAPPED.dataset(fixture().generatedPlus().table(), plus.get(t).source(), 0), CAPPED.sql(), SECRET);
      int count = with.indexOf(MeasurementKind.COUNT_ROWS);
      assertEquals(5, with.plan().measurements().get(count).l1(), 0, context + ": declared L1 of COUNT(*)");
      assertEquals(5, with.total(count) - without.total(count), context + ": the added unit keeps exactly C rows");
      assertTrue(Neighbours.violations(without, with).isEmpty(), context);

      org.dpq.engine.rewrite.Rewriter uncapped = org.dpq.engine.rewrite.Rewriter.withoutUnitCapForTest();
      BoundedRows brokenWithout = BoundedRows.run(base.get(t).backend(),
          CAPPED.dataset(fixture().generated().table(), base.get(t).source(), 0), CAPPED.sql(), SECRET, uncapped);
      BoundedRows broken = BoundedRows.run(plus.get(t).backend(),
          CAPPED.dataset(fixture().generatedPlus().table(), plus.get(t).source(), 0), CAPPED.sql(), SECRET, uncapped);
      assertEquals(12, broken.total(count) - brokenWithout.total(count), context + ": uncapped, G*R rows");
      List<String> caught = Neighbours.violations(brokenWithout, broken);
      assertTrue(caught.stream().anyMatch(v -> v.startsWith("COUNT_ROWS") && v.contains("> L1 5")),
          context + ": the broken rewrite must be caught: " + caught);
    }
    Map<Integer, Long> rowsPerUnit = new HashMap<>();
    fixture().generated().rows().forEach(r -> rowsPerUnit.merge(r.uid(), 1L, Long::sum));
    long expected = rowsPerUnit.values().stream().mapToLong(n -> Math.min(n, 2)).sum();
    assertTrue(expected < fixture().generated().rows().size(), "C = 2 binds for some unit");
    Case capped = new Case(100, 100, 2, "SELECT grp, COUNT(*) AS n, COUNT(DISTINCT uid) AS u FROM gen GROUP BY grp");
    for (Target t : base) {
      BoundedRows rows = BoundedRows.run(t.backend(), capped.dataset(fixture().generated().table(), t.source(), 0), capped.sql(),
          SECRET);
      assertEquals(expected, rows.total(rows.indexOf(MeasurementKind.COUNT_ROWS)), t.name() + ": sum of min(C, rows)");
      assertTrue(rows.total(rows.indexOf(MeasurementKind.COUNT_UNITS)) <= 2L * rowsPerUnit.size(),
          t.name() + ": a unit counts in at most C groups");
      rows.assertSameAs(BoundedRows.run(t.backend(), capped.dataset(fixture().generated().table(), t.source(), 0), capped.sql(),
          SECRET), t.name() + ": the same secret keeps the same rows");
    }
  }

  /**
   * Issue 17: the join shapes of {@link #SHOP_SHAPES} give identical bounded rows on every backend, on the shop and
   * on the shop with an extreme customer (values far beyond the bounds, more rows than R in every group). The
   * per-unit subqueries over the shop's joins ({@link #SHOP_PER_UNIT}) likewise; those over one table are compared
   * in {@link TableEquivalenceCases#GENERATED}.
   */
  @Test
  default void joinsGiveIdenticalBoundedRowsOnEveryBackend() {
    for (String variant : List.of("base", "plus")) {
      // the per-unit subqueries on the shop with the extreme customer only (it holds the base shop's rows too)
      for (ShopCase c : variant.equals("base") ? SHOP_SHAPES
          : java.util.stream.Stream.concat(SHOP_SHAPES.stream(), SHOP_PER_UNIT.stream()).toList()) {
        BoundedRows reference = null;
        String referenceName = null;
        for (ShopTarget t : fixture().shop(variant)) {
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
  default void joinsMoveByAtMostTheirSensitivityForBothNeighboursOnEveryBackend() {
    List<ShopTarget> base = fixture().shop("base");
    List<ShopTarget> plus = fixture().shop("plus");
    List<ShopTarget> minus = fixture().shop("minus");
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
          String context = base.get(t).name() + ", " + (pair.get(1) == more
              ? "customer " + EquivalenceFixture.ADDED + " added" : "customer " + fixture().removed() + " removed")
              + ", " + c.context();
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
  default void theNeighbourCheckRejectsAJoinWithoutPerUnitLimitsOnEveryBackend() {
    List<ShopTarget> base = fixture().shop("base");
    List<ShopTarget> plus = fixture().shop("plus");
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
  ShopCase HISTOGRAM = new ShopCase(2, 3, SHOP_PER_UNIT.get(1).sql());

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
  default void perUnitHistogramKeyCheckRejectsARewriteWithoutTheInnerRowLimitOnEveryBackend() {
    for (ShopTarget t : fixture().shop("plus")) {
      assertHistogramKeysWithinM(BoundedRows.run(t.backend(), t.dataset(HISTOGRAM.groups(), HISTOGRAM.rows()),
          HISTOGRAM.sql(), SECRET, Rewriter.withoutPerUnitBoundsForTest()), true, t.name());
    }
  }
}
