package org.dpq.engine.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.dpq.engine.Dpq;
import org.dpq.engine.Explanation;
import org.dpq.engine.QueryOptions;
import org.dpq.engine.QueryResult;
import org.dpq.engine.TestSeams;
import org.dpq.engine.analysis.Analyzer;
import org.dpq.engine.analysis.DpPlan;
import org.dpq.engine.analysis.GroupKey;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.DatasetLoader;
import org.dpq.errors.DatasetValidationException;
import org.dpq.engine.joins.ShopData;
import org.dpq.engine.rewrite.Rewriter;
import org.dpq.errors.QueryRejectedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17's joint key domain on DuckDB: the shop's shipments grouped by (carrier, speed), whose valid pairs are the
 * rows of the public table services ({@link ShopData#JOINT_YAML}). Exactly the public pairs are released (the
 * zero-noise values equal plain SQL over the rows of those pairs, the pair without data is released as noise only,
 * no other pair is released and no row of another pair leaves the backend); one customer added or removed moves
 * every cell by at most its declared bound and the counts by at most L1 = min(G, 6 pairs) * R; the deliberately
 * broken variants (the same YAML without key_domains: the 4 x 3 cross product is released; the rewrite without
 * the joint filter; a plan whose keys lost their joint domain but keep its sensitivities) fail the same checks.
 * Bad declarations are refused when the dataset loads, before any ledger exists.
 */
class JointKeyDomainTest {
  @TempDir Path tmp;

  private static final ShopData SHOP = ShopData.generate(11, 60);
  private static final String SQL = "SELECT carrier, speed, COUNT(*) AS n, SUM(fee) AS f FROM shipments "
      + "GROUP BY carrier, speed";
  /** The public (carrier, speed) pairs: every service with both values. */
  private static final Set<List<String>> PAIRS = ShopData.SERVICES.stream()
      .filter(s -> !s.get(2).isEmpty()).map(s -> List.of(s.get(1), s.get(2))).collect(Collectors.toSet());
  private static final long SECRET = 0x5eed_1234L;

  /** The shop's YAML with G and R (and key_domains when {@code joint}). */
  private static String yaml(int groups, int rows, boolean joint) {
    String y = ShopData.JOINT_YAML.replace("max_groups_contributed: 2", "max_groups_contributed: " + groups)
        .replace("max_rows_per_group: 3", "max_rows_per_group: " + rows);
    return joint ? y : y.replace("    key_domains: [ { table: services, columns: { carrier: carrier, speed: speed } } ]\n",
        "");
  }

  /** Plain SQL's count and fee sum per (carrier, speed) over {@code shop}'s shipments (no bound applied). */
  private static Map<List<String>, double[]> plain(ShopData shop) {
    Map<List<String>, double[]> out = new HashMap<>();
    for (ShopData.Shipment s : shop.shipments()) {
      double[] v = out.computeIfAbsent(List.of(s.carrier(), s.speed()), k -> new double[2]);
      v[0]++;
      v[1] += s.fee();
    }
    return out;
  }

  /**
   * What is wrong with released (or bounded) rows {@code got} (key pair to count and fee sum) against the public
   * pairs and plain SQL: a pair released that is not public, a public pair missing, or a value that differs.
   */
  private static List<String> problems(Map<List<String>, double[]> got, Map<List<String>, double[]> plain,
      boolean everyPair) {
    List<String> out = new ArrayList<>();
    for (List<String> k : got.keySet()) {
      if (!PAIRS.contains(k)) {
        out.add("released " + k + ", which is not a public pair");
      }
    }
    for (List<String> k : PAIRS) {
      double[] want = plain.getOrDefault(k, new double[2]);
      double[] have = got.get(k);
      if (have == null) {
        if (everyPair || want[0] > 0) {
          out.add("public pair " + k + " missing");
        }
        continue;
      }
      if (have[0] != want[0]) {
        out.add(k + ": count " + have[0] + " != " + want[0]);
      }
      // fee sums are exact grid steps of the clamped fees (all inside [0, 50] here): equal up to the grid
      if (Math.abs(have[1] - want[1]) > 1e-6 * Math.max(1, want[1])) {
        out.add(k + ": fee sum " + have[1] + " != " + want[1]);
      }
    }
    return out;
  }

  private static Map<List<String>, double[]> released(QueryResult r) {
    Map<List<String>, double[]> out = new TreeMap<>(java.util.Comparator.comparing(Object::toString));
    for (var row : r.rows()) {
      List<String> k = List.of(String.valueOf(row.get(0).value()), String.valueOf(row.get(1).value()));
      double[] v = {((Number) row.get(2).value()).doubleValue(), ((Number) row.get(3).value()).doubleValue()};
      assertTrue(out.put(k, v) == null, "pair " + k + " released twice");
    }
    return out;
  }

  private static Map<List<String>, double[]> bounded(BoundedRows rows) {
    Map<List<String>, double[]> out = new HashMap<>();
    rows.rows().forEach((k, v) -> out.put(List.of(String.valueOf(k.get(0)), String.valueOf(k.get(1))),
        new double[] {((Number) v.get(0)).doubleValue(), ((Number) v.get(1)).doubleValue()}));
    return out;
  }

  private QueryResult query(String yaml, String dir) {
    try (Dpq dpq = TestSeams.openWithoutNoise(SHOP.write(tmp.resolve(dir), yaml))) {
      return dpq.query(SQL);
    }
  }

  /** G = 9 and R = 20 never bind (a customer has at most 12 shipments), so zero noise gives plain SQL's values. */
  @Test
  void releasesExactlyThePublicPairsWithTheirPlainValues() {
    Map<List<String>, double[]> got = released(query(yaml(9, 20, true), "exact"));
    assertEquals(List.of(), problems(got, plain(SHOP), true));
    assertEquals(PAIRS, got.keySet(), "every public pair, none else");
    assertEquals(0.0, got.get(List.of("drone", "express"))[0], "a public pair without rows: noise only");
    assertTrue(plain(SHOP).keySet().stream().filter(k -> !PAIRS.contains(k)).mapToDouble(k -> plain(SHOP).get(k)[0])
        .sum() > 0, "the data hold rows of pairs that are not public, which the release leaves out");
  }

  /** The broken variant: without key_domains the product of the own domains (4 x 3) is released. */
  @Test
  void theSameCheckRejectsTheCrossProduct() {
    Map<List<String>, double[]> got = released(query(yaml(9, 20, false), "product"));
    assertEquals(12, got.size(), "4 carriers x 3 speeds");
    List<String> caught = problems(got, plain(SHOP), true);
    assertEquals(6, caught.stream().filter(p -> p.endsWith("which is not a public pair")).count(), caught.toString());
  }

  @Test
  void explainShowsThePairsAndTheJointCountBoundsG() {
    try (Dpq dpq = TestSeams.openWithoutNoise(SHOP.write(tmp.resolve("explain"), yaml(9, 3, true)))) {
      Explanation e = dpq.explain(SQL, QueryOptions.defaults());
      assertEquals("PUBLIC_DOMAIN", e.partitionMode());
      assertTrue(e.keys().stream().allMatch(k -> k.contains("(carrier, speed): 6 public pairs from services")),
          e.keys().toString());
      // a customer reaches 6 released cells, not G = 9 nor the 12 of the product: COUNT L1 = 6 * R = 18
      assertEquals(18.0, e.measurements().get(0).l1(), e.measurements().toString());
    }
    try (Dpq dpq = TestSeams.openWithoutNoise(SHOP.write(tmp.resolve("explainproduct"), yaml(9, 3, false)))) {
      assertEquals(27.0, dpq.explain(SQL, QueryOptions.defaults()).measurements().get(0).l1(),
          "without the joint domain: min(G = 9, 12) * R");
    }
  }

  /**
   * The bounded rows (what leaves the backend) hold the public pairs only, with plain SQL's values where G = 5 does not
   * bind (only 5 public pairs occur); the rewrite without the joint filter lets the added customer's rows of 9 pairs
   * compete for its 5 groups and ships rows of pairs that are not public: caught by the same check.
   */
  @Test
  void boundedRowsHoldThePublicPairsOnlyAndTheRewriteWithoutTheFilterIsCaught() {
    ShopData plus = SHOP.withUnit(9999, "north", 40, 3, 1e9, 6, 1000, 1e9);
    Dataset d = DatasetLoader.load(plus.write(tmp.resolve("bounded"), yaml(5, 400, true)));
    Map<List<String>, double[]> want = plain(plus);
    // the added customer's fees (1e8) are clamped to 50 each
    for (ShopData.Shipment s : plus.shipments()) {
      if (s.fee() > 50) {
        want.get(List.of(s.carrier(), s.speed()))[1] += 50 - s.fee();
      }
    }
    try (DuckDbBackend b = DuckDbBackend.open(d)) {
      assertEquals(List.of(), problems(bounded(BoundedRows.run(b, d, SQL, SECRET)), want, false));
      List<String> caught = problems(bounded(BoundedRows.run(b, d, SQL, SECRET,
          Rewriter.withoutJointDomainFilterForTest())), want, false);
      assertTrue(caught.stream().anyMatch(p -> p.endsWith("which is not a public pair")), caught.toString());
    }
  }

  /** The plan with the joint domain, and the same plan whose keys lost it (their own domains, the product). */
  private static DpPlan plan(Backend b, Dataset d, boolean broken) {
    DpPlan p = new Analyzer(BackendPublicTuples.over(b)).analyze(d, SQL);
    assertTrue(p.keys().stream().allMatch(k -> k.joint().isPresent()), "both keys have the joint domain");
    if (!broken) {
      return p;
    }
    List<GroupKey> keys = p.keys().stream()
        .map(k -> new GroupKey(k.name(), k.expression(), k.column(), k.domainOrigin(), k.inputClamps())).toList();
    return new DpPlan(p.dataset(), p.sql(), p.scan(), p.unitField(), p.where(), keys, p.measurements(),
        p.selectionMeasurement(), p.aggregates(), p.post(), p.partitionMode(), p.perUnit());
  }

  /**
   * One customer added (40 orders, fees far beyond the bounds, shipments of all 9 pairs) or the busiest customer of
   * north removed moves every cell by at most its per-unit bound and the counts by at most L1 = min(G, 6) * R = 18
   * (G = 9, R = 3); each neighbour moves every measurement. The plan that releases the product with the joint
   * sensitivities lets the added customer move 9 cells by R: caught.
   */
  @Test
  void oneCustomerMovesEachCellByAtMostItsSensitivityAndTheProductIsCaught() {
    String y = yaml(9, 3, true);
    ShopData plus = SHOP.withUnit(9999, "north", 40, 3, 1e9, 6, 1000, 1e9);
    ShopData minus = SHOP.without(SHOP.busiestCustomer("north"));
    Dataset[] data = {DatasetLoader.load(SHOP.write(tmp.resolve("n0"), y)),
        DatasetLoader.load(plus.write(tmp.resolve("n1"), y)), DatasetLoader.load(minus.write(tmp.resolve("n2"), y))};
    for (boolean broken : new boolean[] {false, true}) {
      BoundedRows[] rows = new BoundedRows[3];
      for (int i = 0; i < 3; i++) {
        try (DuckDbBackend b = DuckDbBackend.open(data[i])) {
          rows[i] = BoundedRows.run(b, plan(b, data[i], broken), SECRET, new Rewriter());
        }
      }
      assertEquals(18.0, rows[0].plan().measurements().get(0).l1(), "COUNT L1 = min(G, 6 pairs) * R");
      if (!broken) {
        for (BoundedRows[] pair : List.of(new BoundedRows[] {rows[0], rows[1]}, new BoundedRows[] {rows[2], rows[0]})) {
          assertEquals(List.of(), Neighbours.violations(pair[0], pair[1]));
          assertEquals(2, Neighbours.moved(pair[0], pair[1]).size(), "both measurements move");
        }
      } else {
        List<String> caught = Neighbours.violations(rows[0], rows[1]);
        assertTrue(caught.stream().anyMatch(v -> v.startsWith("COUNT_ROWS") && v.contains("> L1")), caught.toString());
      }
    }
  }

  private static void refused(String yaml, String expected) {
    DatasetValidationException e = assertThrows(DatasetValidationException.class,
        () -> DatasetLoader.parse(yaml, Path.of("/data")));
    assertTrue(e.problems().stream().anyMatch(p -> p.startsWith(expected)),
        "expected a problem starting with [" + expected + "], got " + e.problems());
  }

  @Test
  void badDeclarationsAreRefusedWithTheProblemAndTheFix() {
    String y = ShopData.JOINT_YAML;
    String decl = "key_domains: [ { table: services, columns: { carrier: carrier, speed: speed } } ]";
    refused(y.replace(decl, decl.replace("table: services", "table: nowhere")),
        "tables.shipments.key_domains[0].table: names table 'nowhere', which is not declared");
    refused(y.replace(decl, decl.replace("table: services", "table: orders")),
        "tables.shipments.key_domains[0].table: names the private table 'orders'; a key domain must come from a "
            + "public table");
    refused(y.replace(decl, decl.replace("speed: speed", "speed: pace")),
        "tables.shipments.key_domains[0].columns.speed: names column 'pace', which is not declared under "
            + "tables.services.columns");
    refused(y.replace(decl, decl.replace("speed: speed", "pace: speed")),
        "tables.shipments.key_domains[0].columns.pace: column 'pace' is not declared under tables.shipments.columns");
    refused(y.replace(decl, decl.replace("speed: speed", "fee: speed")),
        "tables.shipments.key_domains[0].columns.fee: maps a double column to a string column");
    refused(y.replace(decl, decl.replace(", speed: speed", "")),
        "tables.shipments.key_domains[0].columns: map at least two columns");
    refused(y.replace(decl, decl.replace("speed: speed", "order_id: service_id")),
        "tables.shipments.key_domains[0].columns.order_id: is the key that links rows to the privacy unit");
    refused(y.replace(decl, decl.replace(" ]", ", { table: services, columns: { carrier: carrier, fee: service_id "
        + "} } ]")), "tables.shipments.key_domains[1].columns.carrier: is in an earlier key domain too");
    refused(y.replace("    key: service_id\n", "    key: service_id\n    key_domains: [ { table: services, columns: "
        + "{ carrier: carrier, speed: speed } } ]\n"), "tables.services.key_domains: a public table's columns are "
        + "public already");
    refused(y.replace(decl, "key_domains: [ { table: services, colums: { carrier: carrier } } ]"),
        "tables.shipments.key_domains[0].colums: unknown key");
  }

  /** A refused declaration costs nothing: the dataset does not open, and no ledger is created. */
  @Test
  void aRefusedDeclarationOpensNoLedger() throws Exception {
    Path yaml = SHOP.write(tmp.resolve("refused"), ShopData.JOINT_YAML.replace("table: services, columns",
        "table: nowhere, columns"));
    assertThrows(DatasetValidationException.class, () -> TestSeams.openWithoutNoise(yaml).close());
    try (var files = Files.list(yaml.getParent())) {
      assertTrue(files.noneMatch(f -> f.getFileName().toString().contains("ledger")), "no ledger was created");
    }
  }

  /** Without a way to read public tables (a bare Analyzer), a query needing the joint domain is refused, free. */
  @Test
  void anAnalyzerThatReadsNoTableRefusesTheJointDomain() {
    Dataset d = DatasetLoader.parse(ShopData.JOINT_YAML, Path.of("/data"));
    QueryRejectedException e = assertThrows(QueryRejectedException.class, () -> new Analyzer().analyze(d, SQL));
    assertTrue(e.getMessage().contains("joint key domain from the public table services"), e.getMessage());
    // a query that does not group by both columns needs no public table
    new Analyzer().analyze(d, "SELECT carrier, COUNT(*) FROM shipments GROUP BY carrier");
  }

  @Test
  void theBuilderDeclaresTheSameJointDomainAsTheYaml() {
    Path dir = tmp.resolve("builder");
    Dataset fromYaml = DatasetLoader.load(SHOP.write(dir, ShopData.JOINT_YAML));
    Map<String, String> columns = new java.util.LinkedHashMap<>();
    columns.put("carrier", "carrier");
    columns.put("speed", "speed");
    Dataset built = Dataset.builder("shop").privacyUnit("customers", "customer_id").maxGroupsContributed(2)
        .maxRowsPerGroup(3).budget("1000.0", "1.0e-3").defaults("1.0", "1.0e-6").baseDir(dir)
        .table("customers", t -> t.csv(dir.resolve("customers.csv")).column("customer_id",
            org.dpq.engine.catalog.ColumnType.INT))
        .table("orders", t -> t.csv(dir.resolve("orders.csv")).unitVia("customer_id", "customers.customer_id")
            .column("order_id", org.dpq.engine.catalog.ColumnType.LONG)
            .column("customer_id", org.dpq.engine.catalog.ColumnType.INT))
        .table("shipments", t -> t.csv(dir.resolve("shipments.csv")).unitVia("order_id", "orders.order_id")
            .keyDomain("services", columns).column("shipment_id", org.dpq.engine.catalog.ColumnType.LONG)
            .column("order_id", org.dpq.engine.catalog.ColumnType.LONG)
            .column("carrier", org.dpq.engine.catalog.ColumnType.STRING)
            .column("speed", org.dpq.engine.catalog.ColumnType.STRING))
        .table("services", t -> t.csv(dir.resolve("services.csv")).publicKey("service_id")
            .column("service_id", org.dpq.engine.catalog.ColumnType.INT)
            .column("carrier", org.dpq.engine.catalog.ColumnType.STRING)
            .column("speed", org.dpq.engine.catalog.ColumnType.STRING))
        .build();
    List<org.dpq.engine.catalog.KeyDomain> want = List.of(new org.dpq.engine.catalog.KeyDomain("services",
        List.of("carrier", "speed"), List.of("carrier", "speed")));
    assertEquals(want, fromYaml.tableSpec("shipments").orElseThrow().keyDomains());
    assertEquals(want, built.tableSpec("shipments").orElseThrow().keyDomains());
    assertEquals(List.of(), built.tableSpec("orders").orElseThrow().keyDomains());
  }

  @Test
  void theFingerprintCoversTheJointDomain() {
    String with = org.dpq.engine.catalog.Fingerprint.of(DatasetLoader.load(SHOP.write(tmp.resolve("f1"),
        yaml(2, 3, true))));
    String without = org.dpq.engine.catalog.Fingerprint.of(DatasetLoader.load(SHOP.write(tmp.resolve("f2"),
        yaml(2, 3, false))));
    String swapped = org.dpq.engine.catalog.Fingerprint.of(DatasetLoader.load(SHOP.write(tmp.resolve("f3"),
        yaml(2, 3, true).replace("{ carrier: carrier, speed: speed }", "{ speed: speed, carrier: carrier }"))));
    assertTrue(!with.equals(without) && !with.equals(swapped) && !without.equals(swapped),
        "declaring, dropping or reordering a joint key domain changes the fingerprint");
    assertEquals(with, org.dpq.engine.catalog.Fingerprint.of(DatasetLoader.load(SHOP.write(tmp.resolve("f4"),
        yaml(2, 3, true)))), "the same declaration and files give the same fingerprint");
  }
}
