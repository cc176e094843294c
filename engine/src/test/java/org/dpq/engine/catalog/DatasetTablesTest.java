package org.dpq.engine.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.dpq.engine.execution.Backend;
import org.dpq.engine.execution.Backends;
import org.dpq.engine.execution.DuckDbBackend;
import org.dpq.engine.joins.ShopData;
import org.dpq.errors.BackendException;
import org.dpq.errors.DatasetValidationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Datasets of several tables: the YAML contract, each validation rule, the fingerprint, the builder, loading. */
class DatasetTablesTest {
  @TempDir Path tmp;

  private static final ShopData SHOP = ShopData.generate(7, 40);

  @Test
  void parsesTheShopWithItsUnitTablePrivateChainAndPublicTable() {
    Dataset d = DatasetLoader.parse(ShopData.YAML, Path.of("/data"));

    assertTrue(d.hasSeveralTables());
    assertEquals(List.of("customers", "orders", "items", "products"),
        d.allTables().stream().map(TableSpec::name).toList());
    assertEquals("customers", d.table());
    assertEquals(new PrivacyUnit.ByColumn("customer_id"), d.unit());
    assertEquals(new Source.Csv(Path.of("/data/customers.csv")), d.source());
    assertEquals(new TableSpec.Link.Unit(), d.tableSpec("customers").orElseThrow().link());
    assertEquals(new TableSpec.Link.Private("customer_id", new ColumnRef("customers", "customer_id")),
        d.tableSpec("ORDERS").orElseThrow().link());
    assertEquals(new TableSpec.Link.Private("order_id", new ColumnRef("orders", "order_id")),
        d.tableSpec("items").orElseThrow().link());
    assertEquals(new TableSpec.Link.Public("product_id"), d.tableSpec("products").orElseThrow().link());
    assertEquals(new Source.Csv(Path.of("/data/items.csv")), d.tableSpec("items").orElseThrow().source());
    assertEquals(4, d.tableSpec("orders").orElseThrow().columns().size());
    assertTrue(d.tableSpec("nope").isEmpty());
    assertEquals(2, d.maxGroupsContributed());
    assertEquals(3, d.maxRowsPerGroup());
  }

  @Test
  void aSingleTableDatasetIsOneUnitTable() {
    Dataset d = DatasetLoader.parse(DatasetLoaderTest.DESIGN_EXAMPLE, Path.of("/data"));

    assertFalse(d.hasSeveralTables());
    assertEquals(List.of(new TableSpec("pums", d.source(), d.columns(), new TableSpec.Link.Unit())), d.allTables());
  }

  static Stream<Arguments> invalid() {
    String y = ShopData.YAML;
    return Stream.of(
        Arguments.of("unit table not declared", y.replace("{ table: customers, column", "{ table: clients, column"),
            "privacy_unit.table: names no table under tables:"),
        Arguments.of("unit as a column name", y.replace("privacy_unit: { table: customers, column: customer_id }",
            "privacy_unit: customer_id"), "privacy_unit: with tables:, name the unit's table and column"),
        Arguments.of("unit column not declared", y.replace("column: customer_id }", "column: client_id }"),
            "privacy_unit.column: column 'client_id' is not declared under tables.customers.columns"),
        Arguments.of("unit column with bounds", y.replace("      customer_id: { type: int }\n      region",
            "      customer_id: { type: int, lower: 0, upper: 9 }\n      region"),
            "tables.customers.columns.customer_id: the privacy unit column identifies people"),
        Arguments.of("private table without a link", y.replace("    unit_via: { order_id: orders.order_id }\n", ""),
            "tables.items: declare how its rows reach the privacy unit"),
        Arguments.of("unit_via to an unknown table", y.replace("order_id: orders.order_id", "order_id: sales.order_id"),
            "tables.items.unit_via.order_id: names table 'sales', which is not declared"),
        Arguments.of("unit_via to an undeclared column", y.replace("order_id: orders.order_id", "order_id: orders.oid"),
            "tables.items.unit_via.order_id: names column 'oid', which is not declared under tables.orders.columns"),
        Arguments.of("unit_via from an undeclared column", y.replace("{ order_id: orders.order_id }",
            "{ oid: orders.order_id }"), "tables.items.unit_via.oid: column 'oid' is not declared under tables.items"),
        Arguments.of("unit_via not table.column", y.replace("order_id: orders.order_id", "order_id: order_id"),
            "tables.items.unit_via.order_id: must name the target as table.column"),
        Arguments.of("unit_via to a public table", y.replace("order_id: orders.order_id", "order_id: products.product_id"),
            "tables.items.unit_via.order_id: points to the public table 'products'"),
        Arguments.of("two keys in unit_via", y.replace("{ order_id: orders.order_id }",
            "{ order_id: orders.order_id, item_id: orders.order_id }"), "tables.items.unit_via: give exactly one key"),
        Arguments.of("a cycle", y.replace("unit_via: { customer_id: customers.customer_id }",
            "unit_via: { order_id: items.order_id }"), "tables.orders.unit_via: the key chain orders -> items -> orders "
            + "is a cycle"),
        Arguments.of("a self link", y.replace("unit_via: { customer_id: customers.customer_id }",
            "unit_via: { order_id: orders.order_id }"), "tables.orders.unit_via: the key chain orders -> orders is a "
            + "cycle"),
        Arguments.of("public without key", y.replace("    key: product_id\n", ""),
            "tables.products.key: missing; a public table needs its unique key column"),
        Arguments.of("public key not declared", y.replace("key: product_id", "key: sku"),
            "tables.products.key: column 'sku' is not declared under tables.products.columns"),
        Arguments.of("public and unit_via", y.replace("    public: true\n",
            "    public: true\n    unit_via: { product_id: orders.product_id }\n"),
            "tables.products.unit_via: a public table holds no unit's data"),
        Arguments.of("key on a private table", y.replace("    unit_via: { order_id: orders.order_id }\n",
            "    unit_via: { order_id: orders.order_id }\n    key: item_id\n"),
            "tables.items.key: applies to public tables only"),
        Arguments.of("unit table with unit_via", y.replace("    source: { csv: customers.csv }\n",
            "    source: { csv: customers.csv }\n    unit_via: { customer_id: orders.customer_id }\n"),
            "tables.customers.unit_via: the unit table holds the privacy unit itself"),
        Arguments.of("key types differ", y.replace("order_id: { type: long }\n      customer_id: { type: int }",
            "order_id: { type: long }\n      customer_id: { type: string }"),
            "tables.orders.unit_via.customer_id: joins a string column to a int column"),
        Arguments.of("top-level columns with tables", y.replace("tables:\n", "columns: { x: { type: int } }\ntables:\n"),
            "columns: with tables:, each table has its own name, source and columns"),
        Arguments.of("a table's column problem keeps its path", y.replace("price: { type: double, lower: 0, upper: 80 }",
            "price: { type: double, lower: 90, upper: 80 }"), "tables.items.columns.price.upper: must be > lower"),
        Arguments.of("a table's source problem keeps its path", y.replace("source: { csv: items.csv }", "source: { }"),
            "tables.items.source: give exactly one of csv, parquet, jdbc, spark"),
        Arguments.of("unknown table key", y.replace("    key: product_id\n", "    key: product_id\n    pk: x\n"),
            "tables.products.pk: unknown key; expected one of source, unit_via, public, key, columns"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void rejectsWithAMessageUnderTheKeyPath(String family, String yaml, String expected) {
    DatasetValidationException e = assertThrows(DatasetValidationException.class,
        () -> DatasetLoader.parse(yaml, Path.of("/data")));
    assertTrue(e.problems().stream().anyMatch(p -> p.startsWith(expected)),
        family + ": expected a problem starting with [" + expected + "], got " + e.problems());
  }

  @Test
  void aMappingUnitNeedsTables() {
    String single = DatasetLoaderTest.DESIGN_EXAMPLE.replace("privacy_unit: pid ", "privacy_unit: { table: pums, "
        + "column: pid } ");
    DatasetValidationException e = assertThrows(DatasetValidationException.class,
        () -> DatasetLoader.parse(single, Path.of("/data")));
    assertTrue(e.problems().get(0).startsWith("privacy_unit: a mapping { table, column } names the unit of a dataset "
        + "of several tables"), e.problems().toString());
  }

  @Test
  void theFingerprintCoversEveryTablesFileAndTheLinks() throws IOException {
    Path dir = tmp.resolve("shop");
    Path yaml = SHOP.write(dir);
    String base = Fingerprint.of(DatasetLoader.load(yaml));
    assertEquals(base, Fingerprint.of(DatasetLoader.load(yaml)), "the same files give the same fingerprint");
    List<String> seen = new ArrayList<>(List.of(base));
    for (String file : List.of("customers.csv", "orders.csv", "items.csv", "products.csv")) {
      Path f = dir.resolve(file);
      String before = Files.readString(f);
      Files.writeString(f, before.replaceFirst("\n([0-9]+)", "\n9$1"));
      String changed = Fingerprint.of(DatasetLoader.load(yaml));
      assertFalse(seen.contains(changed), file + " changed, so must the fingerprint");
      seen.add(changed);
      Files.writeString(f, before);
    }
    assertEquals(base, Fingerprint.of(DatasetLoader.load(yaml)));
    Files.writeString(yaml, ShopData.YAML.replace("key: product_id", "key: weight"));
    assertNotEquals(base, Fingerprint.of(DatasetLoader.load(yaml)), "a changed link changes the fingerprint");
  }

  @Test
  void theBuilderMakesTheSameDatasetAsTheYaml() {
    Path dir = tmp.resolve("b");
    Dataset fromYaml = DatasetLoader.load(SHOP.write(dir));
    Dataset built = Dataset.builder("shop").privacyUnit("customers", "customer_id").maxGroupsContributed(2)
        .maxRowsPerGroup(3).budget("1000.0", "1.0e-3").defaults("1.0", "1.0e-6").baseDir(dir)
        .table("customers", t -> t.csv(dir.resolve("customers.csv")).column("customer_id", ColumnType.INT)
            .column("region", ColumnType.STRING, ShopData.REGIONS))
        .table("orders", t -> t.csv(dir.resolve("orders.csv")).unitVia("customer_id", "customers.customer_id")
            .column("order_id", ColumnType.LONG).column("customer_id", ColumnType.INT)
            .column("product_id", ColumnType.INT).column("amount", ColumnType.DOUBLE, 0, 500))
        .table("items", t -> t.csv(dir.resolve("items.csv")).unitVia("order_id", "orders.order_id")
            .column("item_id", ColumnType.LONG).column("order_id", ColumnType.LONG)
            .column("qty", ColumnType.INT, 0, 5).column("price", ColumnType.DOUBLE, 0, 80))
        .table("products", t -> t.csv(dir.resolve("products.csv")).publicKey("product_id")
            .column("product_id", ColumnType.INT).column("category", ColumnType.STRING, ShopData.CATEGORIES)
            .column("weight", ColumnType.DOUBLE, 0, 50))
        .build();

    assertEquals(fromYaml.allTables(), built.allTables());
    assertEquals(fromYaml.unit(), built.unit());
    assertEquals(Fingerprint.of(fromYaml), Fingerprint.of(built));
  }

  @Test
  void duckDbLoadsEveryTable() {
    Dataset d = DatasetLoader.load(SHOP.write(tmp.resolve("load")));
    try (Backend b = Backends.open(d)) {
      assertEquals(List.of((long) SHOP.customers().size(), (long) SHOP.orders().size(), (long) SHOP.items().size(),
          (long) SHOP.products().size()), List.of(b.execute("SELECT COUNT(*) FROM customers").get(0)[0],
          b.execute("SELECT COUNT(*) FROM orders").get(0)[0], b.execute("SELECT COUNT(*) FROM items").get(0)[0],
          b.execute("SELECT COUNT(*) FROM products").get(0)[0]));
      b.dryRun("SELECT COUNT(*) FROM items JOIN orders ON items.order_id = orders.order_id");
    }
    try (DuckDbBackend declared = DuckDbBackend.declared(d)) {
      assertEquals(0L, declared.execute("SELECT COUNT(*) FROM items JOIN products ON true").get(0)[0]);
    }
  }

  @Test
  void aDuplicatePublicKeyRefusesToOpenNamingTableAndColumnOnly() {
    List<ShopData.Product> products = new ArrayList<>(SHOP.products());
    products.add(new ShopData.Product(5, "secretcategory", 12345.5));
    Dataset d = DatasetLoader.load(SHOP.withProducts(products).write(tmp.resolve("dup")));

    BackendException e = assertThrows(BackendException.class, () -> Backends.open(d).close());
    assertTrue(e.getMessage().contains("public table 'products'") && e.getMessage().contains("key column "
        + "'product_id'"), e.getMessage());
    assertFalse(e.getMessage().contains("secretcategory") || e.getMessage().contains("12345")
        || e.getMessage().matches("(?s).*\\b5\\b.*"), "no value in the message: " + e.getMessage());
  }

  @Test
  void aRepeatedParentKeyRefusesToOpenSoNoChildRowBelongsToTwoUnits() {
    // items reach their unit through orders.order_id: an order_id shared by two customers would let one customer's
    // rows re-attribute another's items, so the per-unit bound would not hold between neighbouring datasets
    ShopData.Order first = SHOP.orders().get(0);
    int other = SHOP.customers().stream().mapToInt(ShopData.Customer::customerId)
        .filter(c -> c != first.customerId()).findFirst().orElseThrow();
    List<ShopData.Order> orders = new ArrayList<>(SHOP.orders());
    orders.add(new ShopData.Order(first.orderId(), other, first.productId(), 424242.25));
    ShopData shared = new ShopData(SHOP.customers(), orders, SHOP.items(), SHOP.products());
    Dataset d = DatasetLoader.load(shared.write(tmp.resolve("sharedkey")));

    BackendException e = assertThrows(BackendException.class, () -> Backends.open(d).close());
    assertTrue(e.getMessage().contains("table 'orders'") && e.getMessage().contains("column 'order_id'")
        && e.getMessage().contains("table 'items'"), e.getMessage());
    assertFalse(e.getMessage().contains("424242") || e.getMessage().matches("(?s).*\\b" + first.orderId() + "\\b.*"),
        "no value in the message: " + e.getMessage());

    // the unit column itself may repeat (several rows of one customer): orders link to it and still open
    List<ShopData.Customer> customers = new ArrayList<>(SHOP.customers());
    customers.add(new ShopData.Customer(first.customerId(), SHOP.customers().get(0).region()));
    Dataset twice = DatasetLoader.load(new ShopData(customers, SHOP.orders(), SHOP.items(), SHOP.products())
        .write(tmp.resolve("unittwice")));
    Backends.open(twice).close();
  }

  @Test
  void postgresRefusesATableOutsideItsDatabaseBeforeConnecting() {
    // the unit table on a server that does not exist, the others in files: refused before any connection is tried
    String jdbc = ShopData.YAML.replace("source: { csv: customers.csv }",
        "source: { jdbc: { url: \"jdbc:postgresql://127.0.0.1:1/none?password=hush\", table: customers } }");
    Dataset d = DatasetLoader.parse(jdbc, tmp);
    BackendException e = assertThrows(BackendException.class, () -> Backends.open(d).close());
    assertTrue(e.getMessage().contains("table 'orders'") && e.getMessage().contains("not in the PostgreSQL "
        + "database of the unit table"), e.getMessage());
    assertFalse(e.getMessage().contains("hush"), "no credential in the message: " + e.getMessage());
  }

}
