package org.dpq.engine.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dpq.engine.Dpq;
import org.dpq.engine.TestSeams;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.DatasetLoader;
import org.dpq.engine.joins.ShopData;
import org.dpq.errors.BackendException;
import org.dpq.testing.RequiresPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Datasets of several tables on PostgreSQL: every table exposed with its declared types, joins answered as on
 * DuckDB through the facade (charged once, recorded in the ledger), and the keys that must be unique (a public key,
 * a private key a child links through) refused when they repeat, naming the table and column, never a value: when
 * the backend opens (before any charge) and again when rows change after it opened.
 */
@RequiresPostgres
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresSeveralTablesTest {
  private static final ShopData SHOP = ShopData.generate(5, 40);
  /** An order id that no generated order has; it must never appear in a message. */
  private static final long ODD_ORDER = 987_654_321L;

  private Path tmp;
  private PostgresTestServer server;
  private Path files;

  @BeforeAll
  void load(@TempDir Path dir) throws Exception {
    tmp = dir;
    server = PostgresTestServer.schema("dpq_pgtables");
    files = SHOP.write(tmp.resolve("files")).getParent();
    for (String table : ShopData.TABLES) {
      server.loadCsv(table, ShopData.SQL_COLUMNS.get(table), files.resolve(table + ".csv"));
    }
    String s = server.schema();
    server.execute(
        "CREATE TABLE " + s + ".dup_products AS SELECT * FROM " + s + ".products",
        "INSERT INTO " + s + ".dup_products SELECT * FROM " + s + ".products LIMIT 1",
        "CREATE TABLE " + s + ".dup_orders AS SELECT * FROM " + s + ".orders",
        "INSERT INTO " + s + ".dup_orders SELECT order_id, customer_id, product_id, amount + 1 FROM " + s
            + ".orders LIMIT 1",
        "CREATE TABLE " + s + ".text_orders (order_id bigint, customer_id integer, product_id integer, amount text)",
        "CREATE TABLE " + s + ".later_products AS SELECT * FROM " + s + ".products");
  }

  @AfterAll
  void drop() {
    if (server != null) {
      server.close();
    }
  }

  /** The shop's YAML with every table on PostgreSQL, {@code renamed} (table to relation) overriding the names. */
  private String yaml(Map<String, String> renamed) {
    Map<String, String> sources = new HashMap<>();
    for (String table : ShopData.TABLES) {
      sources.put(table, server.sourceYaml(renamed.getOrDefault(table, table)));
    }
    return ShopData.yaml(sources, 3, 3, 0);
  }

  private Dataset dataset(Map<String, String> renamed) {
    return DatasetLoader.parse(yaml(renamed), tmp);
  }

  @Test
  void joinsAnswerAsOnDuckDbAndAreChargedOnce() throws Exception {
    Path pg = Files.createDirectories(tmp.resolve("pg")).resolve("shop.yaml");
    Files.writeString(pg, yaml(Map.of()));
    // G = 3: every customer fits in the three categories, so neither run's secret changes which groups are kept
    String sql = "SELECT p.category, COUNT(*) AS n, SUM(i.qty) AS q FROM items i JOIN orders o ON i.order_id = "
        + "o.order_id JOIN products p ON o.product_id = p.product_id GROUP BY p.category";
    Path duck = SHOP.write(tmp.resolve("duck"), ShopData.yaml(Map.of(), 3, 3, 0));
    try (Dpq onDuck = TestSeams.openWithoutNoise(duck); Dpq onPg = TestSeams.openWithoutNoise(pg)) {
      var before = onPg.budgetStatus();
      var fromPg = onPg.query(sql);
      var fromDuck = onDuck.query(sql);
      assertEquals(3, fromPg.rows().size(), "the three categories of the public domain");
      assertEquals(fromDuck.rows().toString(), fromPg.rows().toString());
      assertTrue(onPg.budgetStatus().remaining().epsilon().compareTo(before.remaining().epsilon()) < 0, "charged");
      var charges = onPg.history().stream().filter(e -> e.kind().equals("CHARGE")).toList();
      assertEquals(1, charges.size(), "one charge");
      // the ledger records the fingerprint of every table's declaration and relation, not of the unit table alone
      assertEquals(org.dpq.engine.catalog.Fingerprint.of(DatasetLoader.load(pg)), charges.get(0).fingerprint());
    }
  }

  @Test
  void aRepeatedPublicKeyIsRefusedWhenTheBackendOpens() {
    BackendException e = assertThrows(BackendException.class,
        () -> PostgresBackend.open(dataset(Map.of("products", "dup_products"))).close());
    assertTrue(e.getMessage().contains("public table 'products'") && e.getMessage().contains("'product_id'"),
        e.getMessage());
    assertNoValue(e);
  }

  @Test
  void aRepeatedParentKeyIsRefusedWhenTheBackendOpens() {
    BackendException e = assertThrows(BackendException.class,
        () -> PostgresBackend.open(dataset(Map.of("orders", "dup_orders"))).close());
    assertTrue(e.getMessage().contains("table 'orders'") && e.getMessage().contains("'order_id'")
        && e.getMessage().contains("table 'items'"), e.getMessage());
    assertNoValue(e);
  }

  @Test
  void aKeyThatRepeatsAfterOpeningFailsTheNextQueryWithoutAValue() throws Exception {
    try (PostgresBackend b = PostgresBackend.open(dataset(Map.of("products", "later_products")))) {
      assertEquals(12L, b.execute("SELECT COUNT(*) FROM \"products\"").get(0)[0]);
      server.execute("INSERT INTO " + server.schema() + ".later_products VALUES (7, 'food', " + ODD_ORDER + ")");
      BackendException e = assertThrows(BackendException.class, () -> b.execute("SELECT COUNT(*) FROM \"orders\""));
      assertTrue(e.getMessage().contains("public table 'products'"), e.getMessage());
      assertNoValue(e);
    } finally {
      server.execute("DELETE FROM " + server.schema() + ".later_products WHERE weight = " + ODD_ORDER);
    }
  }

  @Test
  void aColumnOfAnotherTableWithAnIncompatibleTypeIsNamedWithItsTable() {
    BackendException e = assertThrows(BackendException.class,
        () -> PostgresBackend.open(dataset(Map.of("orders", "text_orders"))).close());
    assertTrue(e.getMessage().contains("table 'orders' of dataset 'shop'") && e.getMessage().contains("amount"),
        e.getMessage());
    BackendException missing = assertThrows(BackendException.class,
        () -> PostgresBackend.open(dataset(Map.of("items", "no_such_items"))).close());
    assertTrue(missing.getMessage().contains("table 'items' of dataset 'shop'"), missing.getMessage());
  }

  @Test
  void everyTableIsExposedUnderItsOwnName() {
    try (PostgresBackend b = PostgresBackend.open(dataset(Map.of()))) {
      for (String table : List.of("customers", "orders", "items", "products")) {
        assertTrue(b.exposure().contains("\"" + table + "\" AS (SELECT "), b.exposure());
      }
      assertEquals((long) SHOP.items().size(), b.execute("SELECT COUNT(*) FROM \"items\"").get(0)[0]);
    }
  }

  private static void assertNoValue(BackendException e) {
    String m = e.getMessage();
    assertFalse(m.contains(String.valueOf(ODD_ORDER)), m);
    assertFalse(m.contains("password") || m.contains("dpq?user"), "no URL or credential: " + m);
    for (ShopData.Order o : SHOP.orders().subList(0, 3)) {
      assertFalse(m.matches("(?s).*\\b" + o.orderId() + "\\b.*"), "no key value: " + m);
    }
  }
}
