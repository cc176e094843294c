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
import org.dpq.engine.TestSeams;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.DatasetLoader;
import org.dpq.engine.joins.ShopData;
import org.dpq.errors.BackendException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Datasets of several tables on Spark: one view per table, joins answered through the facade as on DuckDB, the keys
 * that must be unique refused when they repeat (naming table and column, never a value) when the backend opens and
 * when the files change after it opened, and a table that is not a Spark source refused before any Spark work.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SparkSeveralTablesTest {
  private static final ShopData SHOP = ShopData.generate(5, 40);

  private Path tmp;
  private SparkSession spark;
  private Path files;

  @BeforeAll
  void start(@TempDir Path dir) {
    tmp = dir;
    spark = LocalSpark.session();
    files = SHOP.write(tmp.resolve("files")).getParent();
  }

  /** The shop over CSV files read by Spark, each table from {@code dir} unless {@code elsewhere} names its file. */
  private static String yaml(Path dir, Map<String, Path> elsewhere, int groups) {
    Map<String, String> sources = new HashMap<>();
    for (String table : ShopData.TABLES) {
      Path csv = elsewhere.getOrDefault(table, dir.resolve(table + ".csv"));
      sources.put(table, "{ spark: { csv: '" + csv.toAbsolutePath().toString().replace("'", "''") + "' } }");
    }
    return ShopData.yaml(sources, groups, 3, 0);
  }

  private Dataset dataset(Map<String, Path> elsewhere) {
    return DatasetLoader.parse(yaml(files, elsewhere, 3), tmp);
  }

  /** A copy of {@code table}'s CSV file with its first data line repeated. */
  private Path repeatedFirstRow(String table, String name) throws Exception {
    List<String> lines = new ArrayList<>(Files.readAllLines(files.resolve(table + ".csv")));
    lines.add(lines.get(1));
    Path out = tmp.resolve(name + ".csv");
    Files.write(out, lines);
    return out;
  }

  @Test
  void joinsAnswerAsOnDuckDbThroughTheFacade() throws Exception {
    Path onSpark = Files.writeString(Files.createDirectories(tmp.resolve("spark")).resolve("shop.yaml"),
        yaml(files, Map.of(), 3));
    Path onDuck = SHOP.write(tmp.resolve("duck"), ShopData.yaml(Map.of(), 3, 3, 0));
    // G = 3: every customer fits in the three categories, so neither run's secret changes which groups are kept
    String sql = "SELECT p.category, COUNT(*) AS n, SUM(i.qty) AS q FROM items i JOIN orders o ON i.order_id = "
        + "o.order_id JOIN products p ON o.product_id = p.product_id GROUP BY p.category";
    try (Dpq duck = TestSeams.openWithoutNoise(onDuck); Dpq sparkDpq = TestSeams.openWithoutNoise(onSpark)) {
      var fromSpark = sparkDpq.query(sql);
      assertEquals(3, fromSpark.rows().size(), "the three categories of the public domain");
      assertEquals(duck.query(sql).rows().toString(), fromSpark.rows().toString());
    }
  }

  @Test
  void repeatedKeysAreRefusedWhenTheBackendOpensWithoutAValue() throws Exception {
    BackendException pub = assertThrows(BackendException.class,
        () -> SparkBackend.open(spark, dataset(Map.of("products", repeatedFirstRow("products", "dup_products"))))
            .close());
    assertTrue(pub.getMessage().contains("public table 'products'") && pub.getMessage().contains("'product_id'"),
        pub.getMessage());
    BackendException parent = assertThrows(BackendException.class,
        () -> SparkBackend.open(spark, dataset(Map.of("orders", repeatedFirstRow("orders", "dup_orders")))).close());
    assertTrue(parent.getMessage().contains("table 'orders'") && parent.getMessage().contains("'order_id'")
        && parent.getMessage().contains("table 'items'"), parent.getMessage());
    long firstOrder = SHOP.orders().get(0).orderId();
    assertFalse(parent.getMessage().matches("(?s).*\\b" + firstOrder + "\\b.*"), "no value: " + parent.getMessage());
  }

  @Test
  void aKeyThatRepeatsAfterOpeningFailsTheNextQuery() throws Exception {
    Path later = tmp.resolve("later_products.csv");
    Files.copy(files.resolve("products.csv"), later);
    try (SparkBackend b = SparkBackend.open(spark, dataset(Map.of("products", later)))) {
      assertEquals(12L, b.execute("SELECT COUNT(*) FROM `products`").get(0)[0]);
      Files.copy(repeatedFirstRow("products", "again"), later, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      BackendException e = assertThrows(BackendException.class, () -> b.execute("SELECT COUNT(*) FROM `orders`"));
      assertTrue(e.getMessage().contains("public table 'products'"), e.getMessage());
    }
  }

  @Test
  void aTableThatIsNotASparkSourceIsRefusedNamingIt() {
    String mixed = yaml(files, Map.of(), 3).replaceFirst("source: \\{ spark: \\{ csv: '[^']*orders\\.csv' } }",
        "source: { csv: orders.csv }");
    assertTrue(mixed.contains("source: { csv: orders.csv }"), mixed);
    BackendException e = assertThrows(BackendException.class,
        () -> SparkBackend.open(spark, DatasetLoader.parse(mixed, files)).close());
    assertTrue(e.getMessage().contains("table 'orders'") && e.getMessage().contains("not a Spark source"),
        e.getMessage());
  }
}
