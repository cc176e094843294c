package org.dpq.e2e.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dpq.cli.samples.DataGenPrng;

/**
 * Two neighbouring shops of three private tables for the join audit: customers (the unit
 * table), orders (unit via customer_id, a public {@code channel}), items (unit via order_id, a chain of two keys).
 * {@code neighbour} = {@code base} plus one target customer with rows in EVERY private table: its customer row,
 * {@link #TARGET_ORDERS} orders in each of {@link #TARGET_CHANNELS} (amount at the upper bound), each order with
 * {@link #ITEMS_PER_ORDER} items of quantity {@link #QTY_UPPER}. A join of the three tables thus holds
 * {@code TARGET_ORDERS * ITEMS_PER_ORDER} rows of the target per channel, which bounding after the join must cut to
 * R. Every base customer is within every bound (orders in one channel only, at most R of them, one item each, so
 * at most R joined rows), so the base's bounded answers are its exact answers and the audit's events can be fixed
 * from them.
 *
 * @param base the YAML of the shop without the target
 * @param neighbour the YAML of the shop with the target
 * @param joinedRows each channel's exact number of joined item rows in base
 * @param orderAmounts each channel's exact sum of order amounts in base
 */
public record ShopAuditData(Path base, Path neighbour, Map<String, Long> joinedRows,
    Map<String, Double> orderAmounts) {
  public static final List<String> REGIONS = List.of("north", "south", "east", "west");
  public static final List<String> CHANNELS = List.of("web", "store", "phone");
  public static final List<String> TARGET_CHANNELS = List.of("web", "store");
  public static final int G = 2;
  public static final int R = 3;
  public static final double AMOUNT_UPPER = 500;
  public static final int QTY_UPPER = 5;
  public static final int TARGET_ORDERS = 20;
  public static final int ITEMS_PER_ORDER = 5;
  /** The target's customer id; base ids are 1 to n. */
  public static final int TARGET = 999_999;

  /** Writes both shops (CSV files and YAML, each with its own ledger) under {@code dir}. */
  public static ShopAuditData write(Path dir, int customers, long seed) {
    DataGenPrng prng = new DataGenPrng(seed);
    List<String> cs = new ArrayList<>();
    List<String> os = new ArrayList<>();
    List<String> is = new ArrayList<>();
    Map<String, Long> joined = new LinkedHashMap<>();
    Map<String, Double> amounts = new LinkedHashMap<>();
    CHANNELS.forEach(c -> {
      joined.put(c, 0L);
      amounts.put(c, 0.0);
    });
    long orderId = 0;
    long itemId = 0;
    for (int c = 1; c <= customers; c++) {
      cs.add(c + "," + REGIONS.get(prng.nextInt(REGIONS.size())));
      String channel = CHANNELS.get(prng.nextInt(CHANNELS.size()));
      int k = prng.nextInt(1, R); // 1 to R orders, all in one channel: within G and R
      for (int o = 0; o < k; o++) {
        int amount = prng.nextInt(0, (int) AMOUNT_UPPER);
        os.add(++orderId + "," + c + "," + channel + "," + amount);
        is.add(++itemId + "," + orderId + "," + prng.nextInt(0, QTY_UPPER));
        joined.merge(channel, 1L, Long::sum);
        amounts.merge(channel, (double) amount, Double::sum);
      }
    }
    Path base = shop(dir.resolve("base"), cs, os, is);
    List<String> cs2 = new ArrayList<>(cs);
    List<String> os2 = new ArrayList<>(os);
    List<String> is2 = new ArrayList<>(is);
    cs2.add(TARGET + ",north");
    long targetOrder = 10_000_000L;
    long targetItem = 10_000_000L;
    for (String channel : TARGET_CHANNELS) {
      for (int o = 0; o < TARGET_ORDERS; o++) {
        os2.add(++targetOrder + "," + TARGET + "," + channel + "," + (int) AMOUNT_UPPER);
        for (int i = 0; i < ITEMS_PER_ORDER; i++) {
          is2.add(++targetItem + "," + targetOrder + "," + QTY_UPPER);
        }
      }
    }
    Path neighbour = shop(dir.resolve("neighbour"), cs2, os2, is2);
    return new ShopAuditData(base, neighbour, Map.copyOf(joined), Map.copyOf(amounts));
  }

  private static Path shop(Path dir, List<String> customers, List<String> orders, List<String> items) {
    try {
      Files.createDirectories(dir);
      Files.write(dir.resolve("customers.csv"), lines("customer_id,region", customers), StandardCharsets.UTF_8);
      Files.write(dir.resolve("orders.csv"), lines("order_id,customer_id,channel,amount", orders),
          StandardCharsets.UTF_8);
      Files.write(dir.resolve("items.csv"), lines("item_id,order_id,qty", items), StandardCharsets.UTF_8);
      String yaml = """
          name: shop_audit
          budget: { epsilon: 1e7, delta: 1.0e-3 }
          defaults: { epsilon: 1.0, delta: 0 }
          limits: { threads: 1 }
          privacy_unit: { table: customers, column: customer_id }
          max_groups_contributed: %d
          max_rows_per_group: %d
          tables:
            customers:
              source: { csv: customers.csv }
              columns:
                customer_id: { type: int }
                region: { type: string, public_values: [north, south, east, west] }
            orders:
              source: { csv: orders.csv }
              unit_via: { customer_id: customers.customer_id }
              columns:
                order_id: { type: long }
                customer_id: { type: int }
                channel: { type: string, public_values: [web, store, phone] }
                amount: { type: double, lower: 0, upper: %s }
            items:
              source: { csv: items.csv }
              unit_via: { order_id: orders.order_id }
              columns:
                item_id: { type: long }
                order_id: { type: long }
                qty: { type: int, lower: 0, upper: %d }
          """.formatted(G, R, AMOUNT_UPPER, QTY_UPPER);
      return Files.writeString(dir.resolve("shop.yaml"), yaml, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> lines(String header, List<String> rows) {
    List<String> out = new ArrayList<>(rows.size() + 1);
    out.add(header);
    out.addAll(rows);
    return out;
  }
}
