package org.dpq.engine.joins;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A seeded shop of four tables for several-table tests: customers (the unit table), orders (unit via
 * customer_id), items (unit via order_id -> orders -> customers: a chain) and products (public, key product_id).
 * Immutable; {@link #withUnit} and {@link #without} give the neighbouring shops of the differential tests.
 * {@code java.util.Random} only shapes test data, never noise.
 */
public record ShopData(List<Customer> customers, List<Order> orders, List<Item> items, List<Product> products) {
  public static final List<String> REGIONS = List.of("north", "south", "east", "west");
  public static final List<String> CATEGORIES = List.of("food", "toys", "tools");

  public record Customer(int customerId, String region) {}

  public record Order(long orderId, int customerId, int productId, double amount) {}

  public record Item(long itemId, long orderId, int qty, double price) {}

  public record Product(int productId, String category, double weight) {}

  /** {@code n} customers with 0-6 orders each, 0-4 items per order, and 12 products. */
  public static ShopData generate(long seed, int n) {
    Random r = new Random(seed);
    List<Product> products = new ArrayList<>();
    for (int p = 1; p <= 12; p++) {
      products.add(new Product(p, CATEGORIES.get(p % CATEGORIES.size()), 1 + r.nextInt(40)));
    }
    List<Customer> customers = new ArrayList<>();
    List<Order> orders = new ArrayList<>();
    List<Item> items = new ArrayList<>();
    long orderId = 1000;
    long itemId = 1;
    for (int c = 1; c <= n; c++) {
      customers.add(new Customer(c, REGIONS.get(r.nextInt(REGIONS.size()))));
      int k = r.nextInt(7);
      for (int o = 0; o < k; o++) {
        orderId++;
        orders.add(new Order(orderId, c, 1 + r.nextInt(12), Math.round(r.nextDouble() * 50000) / 100.0));
        int m = r.nextInt(5);
        for (int i = 0; i < m; i++) {
          items.add(new Item(itemId++, orderId, 1 + r.nextInt(5), Math.round(r.nextDouble() * 8000) / 100.0));
        }
      }
    }
    return new ShopData(List.copyOf(customers), List.copyOf(orders), List.copyOf(items), List.copyOf(products));
  }

  /**
   * This shop plus one new customer {@code id} (in {@code region}) with {@code orders} orders of product
   * {@code productId}, each of amount {@code amount} (extreme values welcome: beyond the bounds), and
   * {@code itemsPerOrder} items of {@code qty} and {@code price} per order. New ids never collide with old ones.
   */
  public ShopData withUnit(int id, String region, int orders, int productId, double amount, int itemsPerOrder,
      int qty, double price) {
    List<Customer> c = new ArrayList<>(customers);
    List<Order> o = new ArrayList<>(this.orders);
    List<Item> it = new ArrayList<>(items);
    c.add(new Customer(id, region));
    long orderId = 10_000_000L + id * 1000L;
    long itemId = 10_000_000L + id * 100_000L;
    for (int k = 0; k < orders; k++) {
      orderId++;
      o.add(new Order(orderId, id, productId, amount));
      for (int i = 0; i < itemsPerOrder; i++) {
        it.add(new Item(itemId++, orderId, qty, price));
      }
    }
    return new ShopData(List.copyOf(c), List.copyOf(o), List.copyOf(it), products);
  }

  /** This shop without customer {@code id}: its row, its orders and their items. */
  public ShopData without(int id) {
    List<Long> gone = orders.stream().filter(o -> o.customerId() == id).map(Order::orderId).toList();
    return new ShopData(customers.stream().filter(c -> c.customerId() != id).toList(),
        orders.stream().filter(o -> o.customerId() != id).toList(),
        items.stream().filter(i -> !gone.contains(i.orderId())).toList(), products);
  }

  /** The same shop with {@code products} replaced (e.g. a duplicate key). */
  public ShopData withProducts(List<Product> replaced) {
    return new ShopData(customers, orders, items, List.copyOf(replaced));
  }

  /** The dataset YAML (budget large enough for many queries) over this shop's CSV files, written to {@code dir}. */
  public static final String YAML = """
      name: shop
      budget: { epsilon: 1000.0, delta: 1.0e-3 }
      defaults: { epsilon: 1.0, delta: 1.0e-6 }
      privacy_unit: { table: customers, column: customer_id }
      max_groups_contributed: 2
      max_rows_per_group: 3
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
            product_id: { type: int }
            amount: { type: double, lower: 0, upper: 500 }
        items:
          source: { csv: items.csv }
          unit_via: { order_id: orders.order_id }
          columns:
            item_id: { type: long }
            order_id: { type: long }
            qty: { type: int, lower: 0, upper: 5 }
            price: { type: double, lower: 0, upper: 80 }
        products:
          source: { csv: products.csv }
          public: true
          key: product_id
          columns:
            product_id: { type: int }
            category: { type: string, public_values: [food, toys, tools] }
            weight: { type: double, lower: 0, upper: 50 }
      """;

  /** The four tables, in the order of {@link #YAML}. */
  public static final List<String> TABLES = List.of("customers", "orders", "items", "products");

  public static final List<String> CARRIERS = List.of("post", "courier", "freight");
  public static final List<String> SPEEDS = List.of("standard", "express", "overnight");

  /**
   * The public services: the valid (carrier, speed) pairs, the joint key domain of shipments. Five of them occur in
   * the data, (drone, express) never does (a noise-only cell); (post, overnight), (courier, standard), (freight,
   * express) and (freight, overnight) occur in the data but are not services (never released). The last row's NULL
   * speed makes no tuple.
   */
  public static final List<List<String>> SERVICES = List.of(List.of("1", "post", "standard"),
      List.of("2", "post", "express"), List.of("3", "courier", "express"), List.of("4", "courier", "overnight"),
      List.of("5", "freight", "standard"), List.of("6", "drone", "express"), List.of("7", "drone", ""));

  /**
   * {@link #YAML} plus shipments (private, unit via order_id -> orders -> customers; derived from the orders, so the
   * shop's other tables are unchanged) whose (carrier, speed) has the joint key domain of the public services.
   */
  public static final String JOINT_YAML = YAML + """
        shipments:
          source: { csv: shipments.csv }
          unit_via: { order_id: orders.order_id }
          key_domains: [ { table: services, columns: { carrier: carrier, speed: speed } } ]
          columns:
            shipment_id: { type: long }
            order_id: { type: long }
            carrier: { type: string, public_values: [post, courier, freight, drone] }
            speed: { type: string, public_values: [standard, express, overnight] }
            fee: { type: double, lower: 0, upper: 50 }
        services:
          source: { csv: services.csv }
          public: true
          key: service_id
          columns:
            service_id: { type: int }
            carrier: { type: string }
            speed: { type: string }
      """;

  /** The six tables of {@link #JOINT_YAML}. */
  public static final List<String> JOINT_TABLES = List.of("customers", "orders", "items", "products", "shipments",
      "services");

  /** One shipment of an order. */
  public record Shipment(long shipmentId, long orderId, String carrier, String speed, double fee) {}

  /**
   * The shipments, derived from the orders without the generator's random source (so adding them changed no other
   * table): 0 to 2 per order, carrier and speed from a mix of the order id, fee a tenth of the order's amount (an
   * extreme amount gives an extreme fee).
   */
  public List<Shipment> shipments() {
    List<Shipment> out = new ArrayList<>();
    for (Order o : orders) {
      int n = (int) Math.floorMod(o.orderId() * 31 + 7, 3L);
      for (int i = 0; i < n; i++) {
        int h = Long.hashCode((o.orderId() * 10 + i) * 0x9E3779B97F4A7C15L) >>> 1;
        out.add(new Shipment(o.orderId() * 10 + i, o.orderId(), CARRIERS.get(h % 3), SPEEDS.get((h / 3) % 3),
            o.amount() / 10));
      }
    }
    return out;
  }

  /** Column definitions of each table for {@code CREATE TABLE} (e.g. on PostgreSQL), in its CSV file's order. */
  public static final java.util.Map<String, List<String>> SQL_COLUMNS = java.util.Map.of(
      "customers", List.of("customer_id integer", "region text"),
      "orders", List.of("order_id bigint", "customer_id integer", "product_id integer", "amount double precision"),
      "items", List.of("item_id bigint", "order_id bigint", "qty integer", "price double precision"),
      "products", List.of("product_id integer", "category text", "weight double precision"),
      "shipments", List.of("shipment_id bigint", "order_id bigint", "carrier text", "speed text",
          "fee double precision"),
      "services", List.of("service_id integer", "carrier text", "speed text"));

  /**
   * {@link #YAML} with each table's source replaced by {@code sources} (table name to a YAML flow mapping such as
   * {@code { jdbc: { url: ..., table: ... } }}; a table not named keeps its CSV file), G, R and a total cap C
   * ({@code max_rows_per_unit}; 0: none).
   */
  public static String yaml(java.util.Map<String, String> sources, int groups, int rows, int cap) {
    return yaml(YAML, sources, groups, rows, cap);
  }

  /** {@link #JOINT_YAML} with sources (for its six tables), G, R and C, as {@link #yaml(java.util.Map, int, int, int)}. */
  public static String jointYaml(java.util.Map<String, String> sources, int groups, int rows, int cap) {
    return yaml(JOINT_YAML, sources, groups, rows, cap);
  }

  private static String yaml(String base, java.util.Map<String, String> sources, int groups, int rows, int cap) {
    String yaml = base.replace("max_groups_contributed: 2", "max_groups_contributed: " + groups)
        .replace("max_rows_per_group: 3", "max_rows_per_group: " + rows + (cap > 0 ? "\nmax_rows_per_unit: " + cap
            : ""));
    for (String table : JOINT_TABLES) {
      String source = sources.get(table);
      if (source != null) {
        String csv = "source: { csv: " + table + ".csv }";
        if (!yaml.contains(csv)) {
          throw new IllegalStateException("no CSV source of " + table + " in the YAML");
        }
        yaml = yaml.replace(csv, "source: " + source);
      }
    }
    return yaml;
  }

  /** The customer of {@code region} with the most rows over orders and items (the lowest id among equals). */
  public int busiestCustomer(String region) {
    java.util.Map<Long, Integer> orderOwner = new java.util.HashMap<>();
    java.util.Map<Integer, Integer> rows = new java.util.TreeMap<>();
    java.util.Set<Integer> inRegion = new java.util.HashSet<>();
    customers.stream().filter(c -> c.region().equals(region)).forEach(c -> inRegion.add(c.customerId()));
    for (Order o : orders) {
      orderOwner.put(o.orderId(), o.customerId());
      rows.merge(o.customerId(), 1, Integer::sum);
    }
    for (Item i : items) {
      rows.merge(orderOwner.get(i.orderId()), 1, Integer::sum);
    }
    return rows.entrySet().stream().filter(e -> inRegion.contains(e.getKey())).max(java.util.Map.Entry.<Integer, Integer>comparingByValue()
        .thenComparing(java.util.Map.Entry.comparingByKey(java.util.Comparator.reverseOrder()))).orElseThrow()
        .getKey();
  }

  /** Writes the six CSV files ({@link #JOINT_TABLES}) and {@code shop.yaml} (with {@code yaml}) into {@code dir}; returns the YAML path. */
  public Path write(Path dir, String yaml) {
    try {
      Files.createDirectories(dir);
      StringBuilder b = new StringBuilder("customer_id,region\n");
      customers.forEach(c -> b.append(c.customerId()).append(',').append(c.region()).append('\n'));
      Files.writeString(dir.resolve("customers.csv"), b);
      b.setLength(0);
      b.append("order_id,customer_id,product_id,amount\n");
      orders.forEach(o -> b.append(o.orderId()).append(',').append(o.customerId()).append(',').append(o.productId())
          .append(',').append(o.amount()).append('\n'));
      Files.writeString(dir.resolve("orders.csv"), b);
      b.setLength(0);
      b.append("item_id,order_id,qty,price\n");
      items.forEach(i -> b.append(i.itemId()).append(',').append(i.orderId()).append(',').append(i.qty())
          .append(',').append(i.price()).append('\n'));
      Files.writeString(dir.resolve("items.csv"), b);
      b.setLength(0);
      b.append("product_id,category,weight\n");
      products.forEach(p -> b.append(p.productId()).append(',').append(p.category()).append(',').append(p.weight())
          .append('\n'));
      Files.writeString(dir.resolve("products.csv"), b);
      b.setLength(0);
      b.append("shipment_id,order_id,carrier,speed,fee\n");
      shipments().forEach(x -> b.append(x.shipmentId()).append(',').append(x.orderId()).append(',')
          .append(x.carrier()).append(',').append(x.speed()).append(',').append(x.fee()).append('\n'));
      Files.writeString(dir.resolve("shipments.csv"), b);
      b.setLength(0);
      b.append("service_id,carrier,speed\n");
      SERVICES.forEach(x -> b.append(String.join(",", x)).append('\n'));
      Files.writeString(dir.resolve("services.csv"), b);
      return Files.writeString(dir.resolve("shop.yaml"), yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@link #write(Path, String)} with {@link #YAML}. */
  public Path write(Path dir) {
    return write(dir, YAML);
  }
}
