package org.dpq.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.dpq.budget.Ledger;
import org.dpq.budget.LedgerEntry;
import org.dpq.errors.BudgetExhaustedException;
import org.dpq.mechanisms.PrivacyLoss;
import org.dpq.errors.DatasetValidationException;
import org.dpq.errors.QueryRejectedException;
import org.dpq.mechanisms.ApproxBounds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bounds: auto} through the whole engine, on PUMS_dup (1,000 people with 1 to 4 identical rows): the first
 * query that needs the bounds pays their share in its own ledger charge and then its own epsilon; later queries,
 * in this or a fresh instance, pay only their own; a changed source estimates again; explain charges nothing; a
 * query that needs no bounds spends nothing on them. Through the zero-noise seam the recorded bounds equal the
 * estimate computed independently here from the CSV with {@link ApproxBounds#binOf}, and the released sum is
 * clamped to them.
 */
class AutoBoundsTest {
  private static final QueryOptions ONE = QueryOptions.defaults().withEpsilon("1.0");

  @TempDir
  Path dir;

  /** PUMS with G = 1, R = 2, budget 10, and auto bounds on age (share 0.25) and income (0.5), over {@code csv}. */
  private Path yaml(Path csv) throws IOException {
    Path yaml = PumsFiles.pumsYaml(dir, "PUMS_dup.csv", "pid", 1, 2, "10");
    return Files.writeString(yaml, Files.readString(yaml)
        .replace(PumsFiles.pums("PUMS_dup.csv").toString().replace("\\", "/"), csv.toString().replace("\\", "/"))
        .replace("age:     { type: int, lower: 0, upper: 100 }",
            "age:     { type: int, bounds: { auto: { epsilon: 0.25 } } }")
        .replace("income:  { type: double, lower: 0, upper: 500000 }",
            "income:  { type: double, bounds: { auto: { epsilon: 0.5 } } }"));
  }

  private static List<LedgerEntry> boundsCharges(Dpq dpq, String column) {
    return dpq.history().stream()
        .filter(e -> e.kind().equals("CHARGE") && e.sql().equals("bounds of pums." + column)).toList();
  }

  @Test
  void firstQueryPaysTheShareOnceAndEveryLaterQueryReusesTheBounds() throws IOException {
    Path yaml = yaml(PumsFiles.pums("PUMS_dup.csv"));
    String sum = "SELECT SUM(income) AS total FROM pums";
    try (Dpq dpq = TestSeams.openWithoutNoise(yaml)) {
      Explanation before = dpq.explain(sum, ONE);
      assertEquals(1, dpq.history().size(), "explain charges nothing (only the INIT entry)");
      assertEquals(new BigDecimal("1.0"), before.total().epsilon(), "the query's own cost");
      assertTrue(before.bounds().stream().anyMatch(l -> l.startsWith("income: bounds: auto, not estimated yet; "
          + "this query would first spend epsilon 0.5")), before.bounds().toString());
      assertTrue(before.bounds().contains("age: bounds: auto, not estimated yet; this query does not need them"));

      QueryResult first = dpq.query(sum, ONE);
      List<LedgerEntry> h = dpq.history();
      assertEquals(List.of("INIT", "CHARGE", "RELEASE", "CHARGE", "RELEASE"), h.stream().map(LedgerEntry::kind)
          .toList());
      assertEquals("bounds of pums.income", h.get(1).sql());
      assertEquals(0, new BigDecimal("0.5").compareTo(h.get(1).cost().epsilon()));
      assertEquals(0, BigDecimal.ZERO.compareTo(h.get(1).cost().delta()));
      assertEquals("LAPLACE", h.get(1).measurements().get(0).mechanism());
      assertEquals(sum, h.get(3).sql());
      assertEquals(0, new BigDecimal("1.5").compareTo(dpq.budgetStatus().spent().epsilon()));

      double[] expected = expectedIncomeBounds(0.5, 2);
      assertEquals("{\"column\":\"income\",\"found\":true,\"lower\":" + expected[0] + ",\"upper\":" + expected[1]
          + "}", h.get(2).resultJson());
      assertEquals(clampedIncomeSum(expected[0], expected[1], 2), ((Number) first.value(0, "total")).doubleValue(),
          1e-6, "the released sum is clamped to the estimated bounds");

      dpq.query("SELECT AVG(income) AS mean FROM pums", ONE);
      assertEquals(0, new BigDecimal("2.5").compareTo(dpq.budgetStatus().spent().epsilon()), "only its own epsilon");
      assertEquals(1, boundsCharges(dpq, "income").size());
      Explanation after = dpq.explain(sum, ONE);
      assertEquals("income: bounds [" + (long) expected[0] + ", " + (long) expected[1] + "] estimated with DP "
          + "(ledger entry 2, epsilon 0.5); reused at no cost", after.bounds().get(1));

      dpq.query("SELECT COUNT(*) AS n FROM pums WHERE age > 30", ONE);
      assertEquals(0, boundsCharges(dpq, "age").size(), "filtering on age needs no bounds");
      assertEquals(0, new BigDecimal("3.5").compareTo(dpq.budgetStatus().spent().epsilon()));
    }
    try (Dpq fresh = TestSeams.openWithoutNoise(yaml)) {
      assertTrue(fresh.explain(sum, ONE).bounds().get(1).contains("(ledger entry 2, epsilon 0.5); reused at no cost"),
          "a fresh instance reads the recorded bounds");
      fresh.query("SELECT SUM(income) AS s, COUNT(*) AS n FROM pums", ONE);
      assertEquals(1, boundsCharges(fresh, "income").size());
      assertEquals(0, new BigDecimal("4.5").compareTo(fresh.budgetStatus().spent().epsilon()));
      assertTrue(fresh.verify().ok());
    }
  }

  @Test
  void aChangedSourceEstimatesAgain() throws IOException {
    Path csv = Files.copy(PumsFiles.pums("PUMS_dup.csv"), dir.resolve("pums.csv"));
    Path yaml = yaml(csv);
    try (Dpq dpq = TestSeams.openWithoutNoise(yaml)) {
      dpq.query("SELECT SUM(income) AS s FROM pums", ONE);
      assertEquals(1, boundsCharges(dpq, "income").size());
    }
    Files.writeString(csv, "40,1,9,1,1000,1,100001\n", java.nio.file.StandardOpenOption.APPEND);
    try (Dpq dpq = TestSeams.openWithoutNoise(yaml)) {
      dpq.query("SELECT SUM(income) AS s FROM pums", ONE);
      List<LedgerEntry> charges = boundsCharges(dpq, "income");
      assertEquals(2, charges.size(), "another fingerprint: the bounds are estimated (and paid for) again");
      assertTrue(!charges.get(0).fingerprint().equals(charges.get(1).fingerprint()));
      assertEquals(0, new BigDecimal("3.0").compareTo(dpq.budgetStatus().spent().epsilon()));
    }
  }

  @Test
  void refusalsBeforeTheEstimateCostNothing() throws IOException {
    Path yaml = yaml(PumsFiles.pums("PUMS_dup.csv"));
    try (Dpq dpq = TestSeams.openWithoutNoise(yaml)) {
      assertThrows(QueryRejectedException.class, () -> dpq.query("SELECT SUM(income) FROM pums GROUP BY pid", ONE));
      assertThrows(QueryRejectedException.class, () -> dpq.query("SELECT SUM(sex) FROM pums", ONE));
      assertThrows(BudgetExhaustedException.class,
          () -> dpq.query("SELECT SUM(income) FROM pums", QueryOptions.defaults().withEpsilon("9.8")),
          "0.5 for the bounds and 9.8 for the query exceed 10: nothing is charged");
      assertEquals(1, dpq.history().size(), "no entry besides INIT");
    }
    Path bad = Files.writeString(dir.resolve("bad.yaml"), Files.readString(yaml)
        .replace("income:  { type: double, bounds:", "income:  { type: double, lower: 0, upper: 5, bounds:"));
    assertThrows(DatasetValidationException.class, () -> Dpq.open(bad));
  }

  /**
   * On a server the analyst whose query first needs the bounds pays their share from their own allocation; an
   * analyst without one pays nothing and is refused before any charge; later analysts reuse the bounds for free.
   */
  @Test
  void onAServerTheFirstAnalystPaysFromTheirAllocationAndOthersReuse() throws IOException {
    Path yaml = yaml(PumsFiles.pums("PUMS_dup.csv"));
    try (Ledger ledger = Ledger.open(dir.resolve("server.ledger.db").toString());
        Dpq served = Dpq.openServed(yaml, ledger)) {
      String sum = "SELECT SUM(income) AS s FROM pums";
      assertThrows(BudgetExhaustedException.class, () -> served.query(sum, ONE.withAnalyst("eve")));
      assertEquals(1, served.history().size(), "no allocation: nothing charged, not even the bounds");
      served.allocate("ann", PrivacyLoss.of(2.0, 0), "officer", "test");
      served.allocate("bob", PrivacyLoss.of(1.0, 0), "officer", "test");
      assertThrows(BudgetExhaustedException.class, () -> served.query(sum, ONE.withAnalyst("bob")),
          "bob's allocation holds his query but not the share as well: nothing is charged");
      assertEquals(0, boundsCharges(served, "income").size());
      served.query(sum, ONE.withAnalyst("ann"));
      served.query("SELECT AVG(income) AS m FROM pums", ONE.withAnalyst("bob"));
      Map<String, BigDecimal> spent = new HashMap<>();
      served.allocations().forEach(a -> spent.put(a.analyst(), a.spent().epsilon()));
      assertEquals(0, new BigDecimal("1.5").compareTo(spent.get("ann")), "ann paid the share and her query");
      assertEquals(0, new BigDecimal("1.0").compareTo(spent.get("bob")), "bob reused the bounds");
      assertEquals("ann", boundsCharges(served, "income").get(0).analyst());
    }
  }

  /**
   * With noise (seeded through the test-only seam), five fresh estimates of income's bounds on PUMS_dup (K = 2, so
   * noise scale 4 and a threshold of about 58 units). Per person: 118 have income 0 and 96 are in [2^16, 2^17),
   * while only 18 and 17 are in the two bins above and none below 0. Margin: each estimate is [0, 131072] unless
   * some bin's noise exceeds 38 in magnitude (probability below 1e-4 per bin), so every seed must give exactly that.
   */
  @Test
  void withSeededNoiseTheBoundsBracketTheCentralMass() throws IOException {
    for (long seed = 1; seed <= 5; seed++) {
      Path d = Files.createDirectories(dir.resolve("seed" + seed));
      Path yaml = PumsFiles.pumsYaml(d, "PUMS_dup.csv", "pid", 1, 2, "10");
      Files.writeString(yaml, Files.readString(yaml).replace("income:  { type: double, lower: 0, upper: 500000 }",
          "income:  { type: double, bounds: { auto: { epsilon: 0.5 } } }"));
      try (Dpq dpq = TestSeams.openSeeded(yaml, seed)) {
        dpq.query("SELECT SUM(income) AS s FROM pums", ONE);
        String line = dpq.explain("SELECT SUM(income) FROM pums", ONE).bounds().get(0);
        assertTrue(line.startsWith("income: bounds [0, 131072] estimated with DP "), "seed " + seed + ": " + line);
      }
    }
  }

  /**
   * Under zCDP accounting the estimate is charged as the rho of a pure epsilon-DP release, epsilon^2/2 (0.125 for the
   * share 0.5), beside the query's own rho; explain says so before; the chain verifies.
   */
  @Test
  void underZcdpTheEstimateIsChargedItsRho() throws IOException {
    Path yaml = yaml(PumsFiles.pums("PUMS_dup.csv"));
    Files.writeString(yaml, Files.readString(yaml).replace("budget: { epsilon: 10, delta: 1.0e-5 }",
        "budget: { epsilon: 10, delta: 1.0e-5, accounting: zcdp }"));
    try (Dpq dpq = TestSeams.openWithoutNoise(yaml)) {
      String sum = "SELECT SUM(income) AS s FROM pums";
      assertTrue(dpq.explain(sum, ONE).bounds().get(1).startsWith("income: bounds: auto, not estimated yet; this "
          + "query would first spend epsilon 0.5 (rho 0.125 in the ledger) on them"));
      dpq.query(sum, ONE);
      List<LedgerEntry> h = dpq.history();
      assertEquals("bounds of pums.income", h.get(1).sql());
      assertEquals(0, new BigDecimal("0.125").compareTo(h.get(1).cost().epsilon()), "rho = 0.5^2 / 2");
      assertEquals(0, new BigDecimal("0.625").compareTo(dpq.budgetStatus().spent().epsilon()),
          "0.125 for the bounds and 0.5 (= 1^2 / 2, Laplace) for the query");
      assertTrue(dpq.verify().ok());
    }
  }

  /**
   * Two instances on one ledger asking at once: the ledger keeps the estimate to one charge (the other waits for it
   * in flight, or finds it released) and both queries use the same bounds.
   */
  @Test
  void twoInstancesAtOnceShareOneEstimate() throws Exception {
    Path yaml = yaml(PumsFiles.pums("PUMS_dup.csv"));
    try (Dpq a = TestSeams.openWithoutNoise(yaml); Dpq b = TestSeams.openWithoutNoise(yaml)) {
      java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
      try {
        List<java.util.concurrent.Future<QueryResult>> results = new ArrayList<>();
        for (Dpq dpq : List.of(a, b)) {
          results.add(pool.submit(() -> {
            start.await();
            return dpq.query("SELECT SUM(income) AS s FROM pums", ONE);
          }));
        }
        start.countDown();
        assertEquals(results.get(0).get().value(0, "s"), results.get(1).get().value(0, "s"));
      } finally {
        pool.shutdownNow();
      }
      assertEquals(1, boundsCharges(a, "income").size());
      assertEquals(0, new BigDecimal("1.5").compareTo(a.budgetStatus().spent().epsilon()),
          "one share and one query: the identical second query got the stored answer");
    }
  }

  /**
   * Invariant 7 for the estimate: whatever fails after its charge (here the backend, then a histogram row outside the
   * bins), the charge stands, one ABANDON entry with the one note is written, and the exception is the one every
   * failure after a charge gives; nothing is recorded as bounds, so the next query pays for a new estimate.
   */
  @Test
  void everyFailureAfterTheEstimateChargeEndsAlike() throws IOException {
    Path yaml = yaml(PumsFiles.pums("PUMS_dup.csv"));
    try (Ledger ledger = Ledger.open(dir.resolve("fail.ledger.db").toString());
        Dpq dpq = Dpq.openServed(yaml, ledger)) {
      dpq.allocate("ann", PrivacyLoss.of(5.0, 0), "officer", "test");
      AutoBoundsResolver resolver = new AutoBoundsResolver(dpq.dataset(), dpq.history().get(0).fingerprint(),
          ledger, new org.dpq.engine.analysis.Analyzer(), true);
      org.dpq.engine.catalog.Column income = dpq.dataset().column("income").orElseThrow();
      List<String> messages = new ArrayList<>();
      for (Object[] rows : List.of(new Object[] {null}, new Object[] {new Object[] {9999, 5L}})) {
        org.dpq.engine.execution.Backend failing = new org.dpq.engine.execution.Backend() {
          @Override
          public org.apache.calcite.sql.SqlDialect dialect() {
            return org.dpq.engine.execution.DuckDbDialect.INSTANCE;
          }

          @Override
          public List<Object[]> execute(String sql) {
            if (rows[0] == null) {
              throw new org.dpq.errors.BackendException("out of memory while reading a value");
            }
            return List.<Object[]>of((Object[]) rows[0]);
          }

          @Override
          public void close() {}
        };
        org.dpq.errors.BackendException e = assertThrows(org.dpq.errors.BackendException.class,
            () -> resolver.estimate(List.of(income), "ann", failing, TestSeams.ZERO_NOISE));
        messages.add(e.getMessage().replaceAll("ledger entry \\d+", "ledger entry N"));
      }
      assertEquals(messages.get(0), messages.get(1), "the same message whatever failed");
      List<LedgerEntry> h = dpq.history();
      List<LedgerEntry> abandoned = h.stream().filter(x -> x.kind().equals("ABANDON")).toList();
      assertEquals(2, abandoned.size());
      abandoned.forEach(a -> assertEquals(FailedAfterCharge.LEDGER_NOTE, a.note()));
      assertEquals(0, h.stream().filter(x -> x.kind().equals("RELEASE")).count(), "no bounds recorded");
      assertEquals(0, new BigDecimal("1.0").compareTo(dpq.budgetStatus().spent().epsilon()), "both charges stand");
      assertTrue(dpq.verify().ok());
    }
  }

  /** The estimate without noise, computed here from the CSV: each person's distinct bins, the lowest K of them. */
  private static double[] expectedIncomeBounds(double epsilon, int k) throws IOException {
    ApproxBounds b = ApproxBounds.of(epsilon, k);
    Map<String, TreeSet<Integer>> bins = new HashMap<>();
    for (String[] row : rows()) {
      bins.computeIfAbsent(row[6], p -> new TreeSet<>()).add(b.binOf(Double.parseDouble(row[4])));
    }
    long[] counts = new long[b.bins()];
    for (TreeSet<Integer> s : bins.values()) {
      s.stream().limit(k).forEach(i -> counts[i]++);
    }
    ApproxBounds.Estimate e = b.estimate(counts);
    assertTrue(e.found());
    return new double[] {e.lower(), e.upper()};
  }

  /** The bounded sum: each person's rows (at most R) with income clamped to the bounds. */
  private static double clampedIncomeSum(double lower, double upper, int r) throws IOException {
    Map<String, List<Double>> byPerson = new HashMap<>();
    for (String[] row : rows()) {
      byPerson.computeIfAbsent(row[6], p -> new ArrayList<>()).add(Double.parseDouble(row[4]));
    }
    double total = 0;
    for (List<Double> v : byPerson.values()) {
      double mean = v.stream().mapToDouble(x -> Math.max(lower, Math.min(upper, x))).average().orElseThrow();
      total += Math.min(v.size(), r) * mean;
    }
    return total;
  }

  private static List<String[]> rows() throws IOException {
    List<String> lines = Files.readAllLines(PumsFiles.pums("PUMS_dup.csv"));
    return lines.subList(1, lines.size()).stream().map(l -> l.split(",", -1)).toList();
  }
}
