package org.dpq.e2e.hostile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.dpq.cli.samples.DataGenPrng;

/**
 * Datasets of several tables for the hostile suite (issue 17): a shop of customers (the unit table, with a planted
 * name), orders (unit via customer_id) and products (public, key product_id), and YAML or data variants that must
 * be refused before any charge. The variants are the {@code dataset} values of the corpus:
 * <ul>
 *   <li>{@code shop}: valid;</li>
 *   <li>{@code shop-cycle}: a cycle of unit_via keys (orders via returns, returns via orders) that never reaches the
 *       unit table;</li>
 *   <li>{@code shop-public-without-key}: a public table declared without its unique key;</li>
 *   <li>{@code shop-repeating-key}: the valid YAML over a products file whose declared key repeats.</li>
 * </ul>
 */
public final class HostileShop {
  /** The dataset values this class serves. */
  public static final List<String> VARIANTS = List.of("shop", "shop-cycle", "shop-public-without-key",
      "shop-repeating-key");

  private HostileShop() {}

  /** Writes the shop's CSV files for {@code variant} under {@code dir}; returns their directory. */
  public static Path write(Path dir, String variant, long seed) {
    DataGenPrng prng = new DataGenPrng(seed);
    List<String> customers = new ArrayList<>();
    List<String> orders = new ArrayList<>();
    List<String> returns = new ArrayList<>();
    long orderId = 5000;
    for (int c = 1; c <= 200; c++) {
      customers.add(c + ",n" + (c % 30) + "," + HostileData.CITIES.get(prng.nextInt(HostileData.CITIES.size())));
      int k = prng.nextInt(0, 3);
      for (int o = 0; o < k; o++) {
        orders.add(++orderId + "," + c + "," + prng.nextInt(1, 6) + "," + prng.nextInt(0, 500));
        if (prng.nextInt(0, 4) == 0) {
          returns.add(orderId + "," + orderId);
        }
      }
    }
    // the planted customer: a distinctive name and an amount far above the bound
    customers.add("9001," + HostileData.PLANTED_NAMES.get(0) + ",north");
    orders.add("9999001,9001,1," + HostileData.PLANTED_INCOME);
    List<String> products = new ArrayList<>();
    for (int p = 1; p <= 6; p++) {
      products.add(p + ",c" + (p % 3) + "," + (p % 2));
    }
    if (variant.equals("shop-repeating-key")) {
      products.add("3,c9,1");
    }
    Path at = dir.resolve(variant);
    try {
      Files.createDirectories(at);
      write(at.resolve("customers.csv"), "customer_id,name,city", customers);
      write(at.resolve("orders.csv"), "order_id,customer_id,product_id,amount", orders);
      write(at.resolve("returns.csv"), "return_id,order_id", returns);
      write(at.resolve("products.csv"), "product_id,category,shelf", products);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return at;
  }

  /** The dataset YAML of {@code variant} over the files in {@code csvDir}, with its own ledger in {@code dir}. */
  public static Path yaml(Path dir, String name, String variant, Path csvDir, String budgetEpsilon) {
    String at = csvDir.toAbsolutePath().toString().replace("\\", "/") + "/";
    String ordersLink = variant.equals("shop-cycle") ? "unit_via: { order_id: returns.order_id }"
        : "unit_via: { customer_id: customers.customer_id }";
    String productsKey = variant.equals("shop-public-without-key") ? "" : "\n    key: product_id";
    String text = """
        name: %s
        budget: { epsilon: %s, delta: 1.0e-3 }
        defaults: { epsilon: 0.5, delta: 1.0e-7 }
        privacy_unit: { table: customers, column: customer_id }
        max_groups_contributed: %d
        max_rows_per_group: %d
        tables:
          customers:
            source: { csv: "%scustomers.csv" }
            columns:
              customer_id: { type: int }
              name: { type: string }
              city: { type: string, public_values: ["north", "south", "east", "west"] }
          orders:
            source: { csv: "%sorders.csv" }
            %s
            columns:
              order_id: { type: long }
              customer_id: { type: int }
              product_id: { type: int }
              amount: { type: double, lower: 0, upper: 500 }
          returns:
            source: { csv: "%sreturns.csv" }
            unit_via: { order_id: orders.order_id }
            columns:
              return_id: { type: long }
              order_id: { type: long }
          products:
            source: { csv: "%sproducts.csv" }
            public: true%s
            columns:
              product_id: { type: int }
              category: { type: string, public_values: ["c0", "c1", "c2"] }
              shelf: { type: int, lower: 0, upper: 1 }
        """.formatted(name, budgetEpsilon, HostileData.G, HostileData.R, at, at, ordersLink, at, at, productsKey);
    try {
      Files.createDirectories(dir);
      return Files.writeString(dir.resolve(name + ".yaml"), text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void write(Path file, String header, List<String> rows) throws IOException {
    List<String> lines = new ArrayList<>(rows.size() + 1);
    lines.add(header);
    lines.addAll(rows);
    Files.write(file, lines, StandardCharsets.UTF_8);
  }
}
