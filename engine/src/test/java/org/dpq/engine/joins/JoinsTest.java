package org.dpq.engine.joins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dpq.engine.Dpq;
import org.dpq.engine.TestSeams;
import org.dpq.engine.catalog.DatasetLoader;
import org.dpq.engine.execution.DuckDbBackend;
import org.dpq.errors.BackendException;
import org.dpq.errors.QueryRejectedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Joins over the seeded shop (G = 2, R = 3): public and private-chain joins answer with zero noise, a neighbour
 * (one customer with extreme rows in every private table added) moves each answer by at most the declared
 * sensitivity, and hostile joins are rejected for free.
 */
class JoinsTest {
  @TempDir Path tmp;

  private static final ShopData SHOP = ShopData.generate(11, 60);

  private static Map<String, Double> answer(Path yaml, String sql) {
    try (Dpq dpq = TestSeams.openWithoutNoise(yaml)) {
      Map<String, Double> out = new HashMap<>();
      var result = dpq.query(sql);
      for (var row : result.rows()) {
        Object key = row.size() > 1 ? row.get(0).value() : "all";
        out.put(String.valueOf(key), ((Number) row.get(row.size() - 1).value()).doubleValue());
      }
      return out;
    }
  }

  /** Sum over groups of |a - b| (keys missing on one side count as 0). */
  private static double l1(Map<String, Double> a, Map<String, Double> b) {
    java.util.Set<String> keys = new java.util.HashSet<>(a.keySet());
    keys.addAll(b.keySet());
    return keys.stream().mapToDouble(k -> Math.abs(a.getOrDefault(k, 0.0) - b.getOrDefault(k, 0.0))).sum();
  }

  private double neighbourMove(String sql) {
    return neighbourMove(sql, ShopData.YAML);
  }

  /**
   * The zero-noise answers with and without one extreme customer. Each Dpq has its own secret for choosing which G
   * groups a unit keeps, so the queries here keep every unit within G groups (else the two runs would choose
   * differently for other units too).
   */
  private double neighbourMove(String sql, String yaml) {
    Path base = SHOP.write(tmp.resolve("base"), yaml);
    Path added = SHOP.withUnit(9999, "north", 40, 3, 1e9, 6, 1000, 1e9).write(tmp.resolve("added"), yaml);
    return l1(answer(base, sql), answer(added, sql));
  }

  @Test
  void aPublicJoinGroupedByAPublicColumnMovesByAtMostGTimesR() {
    String sql = "SELECT p.category, COUNT(*) FROM orders o JOIN products p ON o.product_id = p.product_id "
        + "GROUP BY p.category";
    // G = 3: every unit fits in the three categories, so no group choice differs between the two runs
    String yaml = ShopData.YAML.replace("max_groups_contributed: 2", "max_groups_contributed: 3");
    Map<String, Double> a = answer(SHOP.write(tmp.resolve("exact"), yaml), sql);
    assertEquals(3, a.size(), "category has a public domain of three values");
    assertTrue(a.values().stream().allMatch(v -> v > 0));
    double move = neighbourMove(sql, yaml);
    assertTrue(move > 0 && move <= 3 * 3, "COUNT L1 sensitivity is G*R = 9, moved " + move);
  }

  /**
   * COUNT(DISTINCT) of the unit's column, or of a key that links straight to it, counts units: 1 per unit and group
   * (L1 1 for one group), not R distinct values per unit and group (R = 3); the exact answer is the number of customers.
   */
  @Test
  void countDistinctOfTheUnitThroughAJoinCountsUnits() {
    Path yaml = SHOP.write(tmp.resolve("units"), ShopData.YAML);
    for (String sql : List.of(
        "SELECT COUNT(DISTINCT c.customer_id) FROM orders o JOIN customers c ON o.customer_id = c.customer_id",
        "SELECT COUNT(DISTINCT o.customer_id) FROM orders o JOIN products p ON o.product_id = p.product_id",
        "SELECT COUNT(DISTINCT o.customer_id) FROM items i JOIN orders o ON i.order_id = o.order_id")) {
      try (Dpq dpq = TestSeams.openWithoutNoise(yaml)) {
        var m = dpq.explain(sql, org.dpq.engine.QueryOptions.defaults()).measurements();
        assertEquals(1, m.size(), sql);
        assertEquals(1.0, m.get(0).l1(), 1e-12, "one customer counts once in the one group: " + sql);
      }
      double distinct = answer(yaml, sql).get("all");
      assertTrue(distinct > 0 && distinct <= 60, "at most the 60 customers: " + distinct);
    }
    // a column that is not the unit keeps the distinct-values bound (R = 3)
    try (Dpq dpq = TestSeams.openWithoutNoise(yaml)) {
      assertEquals(3.0, dpq.explain("SELECT COUNT(DISTINCT o.product_id) FROM orders o JOIN customers c "
          + "ON o.customer_id = c.customer_id", org.dpq.engine.QueryOptions.defaults()).measurements().get(0).l1(),
          1e-12);
    }
    assertThrows(QueryRejectedException.class, () -> answer(yaml, "SELECT c.customer_id, COUNT(*) FROM orders o "
        + "JOIN customers c ON o.customer_id = c.customer_id GROUP BY c.customer_id"), "a GROUP BY of the unit");
  }

  @Test
  void aPrivateChainIsBoundedPerCustomerAfterTheJoin() {
    // items -> orders -> customers: one customer's 240 items count at most R = 3 in the one group
    String sql = "SELECT COUNT(*) FROM items i JOIN orders o ON i.order_id = o.order_id";
    double move = neighbourMove(sql);
    assertTrue(move > 0 && move <= 3, "one group: the unit adds at most R = 3 rows, moved " + move);
    String sum = "SELECT SUM(i.qty) FROM items i JOIN orders o ON i.order_id = o.order_id "
        + "JOIN customers c ON o.customer_id = c.customer_id";
    double moveSum = neighbourMove(sum);
    assertTrue(moveSum > 0 && moveSum <= 3 * 5, "SUM: R * max|bound| = 15, moved " + moveSum);
  }

  /** The broken variant: the same join without per-unit bounding (the plain SQL) fails the same check. */
  @Test
  void theSameCheckRejectsTheJoinWithoutBoundingAfterIt() {
    String sql = "SELECT COUNT(*) FROM items i JOIN orders o ON i.order_id = o.order_id";
    double[] counts = new double[2];
    Path[] yamls = {SHOP.write(tmp.resolve("b0")),
        SHOP.withUnit(9999, "north", 40, 3, 1e9, 6, 1000, 1e9).write(tmp.resolve("b1"))};
    for (int i = 0; i < 2; i++) {
      try (org.dpq.engine.execution.Backend b = org.dpq.engine.execution.Backends.open(
          org.dpq.engine.catalog.DatasetLoader.load(yamls[i]))) {
        counts[i] = ((Number) b.execute(sql).get(0)[0]).doubleValue();
      }
    }
    double move = Math.abs(counts[1] - counts[0]);
    assertEquals(240, move, "the unit's 40 orders x 6 items, unbounded");
    assertTrue(move > 3, "the check (move <= R = 3) rejects the unbounded join");
  }

  /**
   * Issue 16: AVG_PER_UNIT through a private chain is the mean over customers of each customer's mean item price
   * (all of its items, however many orders: 0 to 24 items each), not the row mean; its sensitivities are one
   * customer's one mean (half of [0, 80]) and 1, R = 3 times below AVG's.
   */
  @Test
  void perCustomerMeansThroughAPrivateChain() {
    String sql = "SELECT AVG_PER_UNIT(i.price) FROM items i JOIN orders o ON i.order_id = o.order_id";
    Map<Long, Integer> customerOf = new HashMap<>();
    SHOP.orders().forEach(o -> customerOf.put(o.orderId(), o.customerId()));
    Map<Integer, double[]> perCustomer = new HashMap<>();
    for (ShopData.Item i : SHOP.items()) {
      double[] sn = perCustomer.computeIfAbsent(customerOf.get(i.orderId()), c -> new double[2]);
      sn[0] += i.price();
      sn[1]++;
    }
    double expected = perCustomer.values().stream().mapToDouble(sn -> sn[0] / sn[1]).average().orElseThrow();
    double rowMean = SHOP.items().stream().mapToDouble(ShopData.Item::price).average().orElseThrow();
    Path yaml = SHOP.write(tmp.resolve("per-unit-mean"), ShopData.YAML);
    assertEquals(expected, answer(yaml, sql).get("all"), 1e-6);
    assertTrue(Math.abs(expected - rowMean) > 1e-3, "the data must tell the two means apart");
    try (Dpq dpq = TestSeams.openWithoutNoise(yaml)) {
      var perUnit = dpq.explain(sql, org.dpq.engine.QueryOptions.defaults()).measurements();
      var avg = dpq.explain(sql.replace("AVG_PER_UNIT", "AVG"), org.dpq.engine.QueryOptions.defaults())
          .measurements();
      assertEquals(List.of(40.0, 1.0), perUnit.stream().map(m -> m.l1()).toList());
      assertEquals(List.of(120.0, 3.0), avg.stream().map(m -> m.l1()).toList());
    }
  }

  @Test
  void aChainWithoutItsMiddleTableStillFindsTheUnit() {
    String sql = "SELECT c.region, SUM(o.amount) FROM orders o JOIN customers c ON o.customer_id = c.customer_id "
        + "GROUP BY c.region";
    double move = neighbourMove(sql);
    assertTrue(move > 0 && move <= 2 * 3 * 500, "SUM L1 = G * R * 500, moved " + move);
    double items = neighbourMove("SELECT COUNT(*) FROM items");
    assertTrue(items > 0 && items <= 3, "items alone reach the unit through orders, moved " + items);
  }

  /** Key columns of different types need a conversion in the join: refused for free, with the reason and the fix. */
  @Test
  void keysOfDifferentTypesAreRefusedWithTheReason() {
    String yaml = ShopData.YAML.replace("item_id: { type: long }\n      order_id: { type: long }",
        "item_id: { type: long }\n      order_id: { type: int }");
    assertTrue(!yaml.equals(ShopData.YAML), "the YAML declares items.order_id int, orders.order_id long");
    try (Dpq dpq = TestSeams.openWithoutNoise(SHOP.write(tmp.resolve("types"), yaml))) {
      var before = dpq.budgetStatus().remaining();
      QueryRejectedException e = assertThrows(QueryRejectedException.class,
          () -> dpq.query("SELECT COUNT(*) FROM items i JOIN orders o ON i.order_id = o.order_id"));
      assertTrue(e.getMessage().contains("different types") && e.getMessage().contains("same type"), e.getMessage());
      assertEquals(before, dpq.budgetStatus().remaining(), "rejections are free");
    }
  }

  /**
   * DuckDB counts the keys that must be unique once its files are loaded, by the rule PostgreSQL and Spark share
   * (UniqueKeys): a repeated parent key that a child reaches its unit through, or a repeated public key, refuses the
   * dataset before anything is charged, naming tables and columns, never a value.
   */
  @Test
  void repeatedKeysAreRefusedWhenTheFilesLoad() {
    ShopData.Order first = SHOP.orders().get(0);
    long odd = 7_654_321L;
    List<ShopData.Order> orders = new ArrayList<>(SHOP.orders());
    orders.add(new ShopData.Order(first.orderId(), first.customerId() % 60 + 1, first.productId(), odd));
    Path parent = new ShopData(SHOP.customers(), orders, SHOP.items(), SHOP.products()).write(tmp.resolve("parent"));
    BackendException p = assertThrows(BackendException.class,
        () -> DuckDbBackend.open(DatasetLoader.load(parent)).close());
    assertTrue(p.getMessage().contains("table 'orders'") && p.getMessage().contains("'order_id'")
        && p.getMessage().contains("table 'items'"), p.getMessage());
    assertFalse(p.getMessage().contains(String.valueOf(first.orderId())) || p.getMessage().contains("7654321"),
        p.getMessage());

    List<ShopData.Product> products = new ArrayList<>(SHOP.products());
    products.add(new ShopData.Product(products.get(2).productId(), "food", 39));
    Path pub = SHOP.withProducts(products).write(tmp.resolve("public"));
    BackendException q = assertThrows(BackendException.class,
        () -> DuckDbBackend.open(DatasetLoader.load(pub)).close());
    assertTrue(q.getMessage().contains("public table 'products'") && q.getMessage().contains("'product_id'"),
        q.getMessage());

    // the same files with unique keys open
    DuckDbBackend.open(DatasetLoader.load(SHOP.write(tmp.resolve("unique")))).close();
  }

  @Test
  void hostileJoinsAreRejectedForFree() {
    Path yaml = SHOP.write(tmp.resolve("hostile"));
    List<String> hostile = List.of(
        "SELECT COUNT(*) FROM orders, customers WHERE orders.customer_id = customers.customer_id",
        "SELECT COUNT(*) FROM orders CROSS JOIN products",
        "SELECT COUNT(*) FROM items i JOIN orders o ON i.item_id = o.order_id",
        "SELECT COUNT(*) FROM orders o JOIN products p ON o.product_id = p.weight",
        "SELECT COUNT(*) FROM orders a JOIN orders b ON a.order_id = b.order_id",
        "SELECT COUNT(*) FROM orders o RIGHT JOIN customers c ON o.customer_id = c.customer_id",
        "SELECT COUNT(*) FROM orders o FULL JOIN customers c ON o.customer_id = c.customer_id",
        "SELECT COUNT(*) FROM orders o JOIN customers c ON o.customer_id = c.customer_id AND o.amount > 3",
        "SELECT COUNT(*) FROM orders o JOIN customers c ON o.customer_id < c.customer_id",
        "SELECT COUNT(*) FROM products");
    try (Dpq dpq = TestSeams.openWithoutNoise(yaml)) {
      var before = dpq.budgetStatus().remaining();
      for (String sql : hostile) {
        QueryRejectedException e = assertThrows(QueryRejectedException.class, () -> dpq.query(sql), sql);
        assertTrue(e.getMessage().length() > 20, sql + ": " + e.getMessage());
      }
      assertEquals(before, dpq.budgetStatus().remaining(), "rejections are free");
    }
  }
}
