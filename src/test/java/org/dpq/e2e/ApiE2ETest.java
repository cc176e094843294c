package org.dpq.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dpq.budget.Ledger;
import org.dpq.budget.LedgerEntry;
import org.dpq.budget.LedgerStatus;
import org.dpq.budget.VerifyReport;
import org.dpq.engine.Cell;
import org.dpq.engine.Dpq;
import org.dpq.engine.Explanation;
import org.dpq.engine.QueryOptions;
import org.dpq.engine.QueryResult;
import org.dpq.engine.TestSeams;
import org.dpq.errors.BudgetExhaustedException;
import org.dpq.errors.InvalidPrivacyParameterException;
import org.dpq.errors.QueryRejectedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The same flows as the CLI tests through the Java API (engine facade + ledger), on copies of the samples. */
class ApiE2ETest {
  private static final String BY_RATING = "SELECT rating, COUNT(*) AS users FROM ratings GROUP BY rating";

  @TempDir Path dir;

  private static LedgerStatus status(Dpq dpq) {
    return dpq.budgetStatus();
  }

  /** Distinct users per rating: the bounded count when G = 2 and R = 1 and users give at most two ratings. */
  private static Map<Long, Integer> usersPerRating() {
    Map<Long, Set<String>> users = new HashMap<>();
    for (String[] r : Samples.rows("ratings")) {
      users.computeIfAbsent(Long.parseLong(r[2]), k -> new HashSet<>()).add(r[0]);
    }
    Map<Long, Integer> counts = new HashMap<>();
    users.forEach((k, v) -> counts.put(k, v.size()));
    return counts;
  }

  @Test
  void aGroupedCountIsNoisyNearTheTruthChargedAndReusable() {
    try (Dpq dpq = Dpq.open(Samples.copy("ratings", dir))) {
      QueryOptions options = QueryOptions.defaults().withEpsilon("1").withAnalyst("alice");
      QueryResult r = dpq.query(BY_RATING, options);
      assertEquals(List.of("rating", "users"), r.columns());
      assertEquals(5, r.rows().size(), "the public domain 1..5, every key released");
      Map<Long, Integer> truth = usersPerRating();
      for (List<Cell> row : r.rows()) {
        long rating = ((Number) row.get(0).value()).longValue();
        Cell users = row.get(1);
        double half = (users.ci95().high() - users.ci95().low()) / 2;
        double noisy = ((Number) users.value()).doubleValue();
        int exact = truth.getOrDefault(rating, 0);
        // Far beyond the 95% interval: fails only if the engine answers the wrong question (p < 1e-6 by noise).
        assertTrue(Math.abs(noisy - exact) <= 5 * half + 1, "rating " + rating + ": " + noisy + " vs " + exact);
      }
      assertEquals(0, r.cost().epsilon().compareTo(BigDecimal.ONE));
      assertEquals(0, r.remaining().epsilon().compareTo(new BigDecimal("9")));
      assertFalse(r.reused());

      QueryResult again = dpq.query(BY_RATING, options);
      assertTrue(again.reused());
      assertEquals(r.rows(), again.rows());
      assertEquals(0, again.cost().epsilon().signum());
      assertEquals(0, status(dpq).spent().epsilon().compareTo(BigDecimal.ONE));
    }
  }

  @Test
  void anAverageEstimatesTheMeanOfEachUsersRatings() {
    // With R = 1 every user weighs 1 in AVG: the target is the mean over users of each user's mean rating.
    Map<String, double[]> perUser = new HashMap<>();
    for (String[] r : Samples.rows("ratings")) {
      double[] sumCount = perUser.computeIfAbsent(r[0], k -> new double[2]);
      sumCount[0] += Double.parseDouble(r[2]);
      sumCount[1]++;
    }
    double target = perUser.values().stream().mapToDouble(sc -> sc[0] / sc[1]).average().orElseThrow();
    try (Dpq dpq = Dpq.open(Samples.copy("ratings", dir))) {
      QueryResult r = dpq.query("SELECT AVG(rating) AS r FROM ratings", QueryOptions.defaults().withEpsilon("1"));
      Cell avg = r.rows().get(0).get(0);
      double value = ((Number) avg.value()).doubleValue();
      double half = (avg.ci95().high() - avg.ci95().low()) / 2;
      assertTrue(value >= 1 && value <= 5, "clamped to the bounds");
      // Far beyond the 95% interval: fails when contribution bounding biases the mean (as when a unit's
      // clamped sum and capped count disagree), not by noise.
      assertTrue(Math.abs(value - target) <= 5 * half, value + " vs " + target + " (half-width " + half + ")");
    }
  }

  @Test
  void explainChargesNothingAndSplitsNoMoreThanTheTotal() {
    try (Dpq dpq = Dpq.open(Samples.copy("transactions", dir))) {
      Explanation e = dpq.explain("SELECT merchant, SUM(amount) AS total FROM transactions GROUP BY merchant",
          QueryOptions.defaults().withEpsilon("1").withDelta("1e-7"));
      assertEquals("THRESHOLD", e.partitionMode());
      assertTrue(e.threshold().isPresent());
      BigDecimal eps = e.measurements().stream().map(m -> m.loss().epsilon()).reduce(BigDecimal.ZERO, BigDecimal::add);
      assertTrue(eps.compareTo(e.total().epsilon()) <= 0);
      assertEquals(0, status(dpq).spent().epsilon().signum());
    }
  }

  @Test
  void anExhaustedBudgetRefusesAndChargesNothing() {
    try (Dpq dpq = Dpq.open(Samples.copyWithBudget("ratings", dir, "1.0", "1.0e-5"))) {
      dpq.query("SELECT COUNT(*) AS n FROM ratings", QueryOptions.defaults().withEpsilon("0.75"));
      BudgetExhaustedException e = assertThrows(BudgetExhaustedException.class,
          () -> dpq.query(BY_RATING, QueryOptions.defaults().withEpsilon("0.5")));
      assertEquals(0, e.remaining().epsilon().compareTo(new BigDecimal("0.25")));
      assertEquals(0, status(dpq).spent().epsilon().compareTo(new BigDecimal("0.75")));
    }
  }

  @Test
  void rejectedQueriesCostNothing() {
    try (Dpq dpq = Dpq.open(Samples.copy("clinic", dir))) {
      for (String sql : List.of("SELECT patient_id, cost FROM visits", "SELECT SUM(patient_id) FROM visits",
          "SELECT clinic, COUNT(*) FROM visits v JOIN visits w ON v.patient_id = w.patient_id GROUP BY clinic")) {
        assertThrows(QueryRejectedException.class, () -> dpq.query(sql), sql);
      }
      for (String epsilon : List.of("0", "-1", "1e-30")) {
        assertThrows(InvalidPrivacyParameterException.class,
            () -> dpq.query("SELECT COUNT(*) AS n FROM visits", QueryOptions.defaults().withEpsilon(epsilon)), epsilon);
      }
      assertThrows(InvalidPrivacyParameterException.class, () -> dpq.query("SELECT COUNT(*) AS n FROM visits",
          QueryOptions.defaults().withEpsilon("1").withDelta("1")));
      assertEquals(0, status(dpq).spent().epsilon().signum());
    }
  }

  @Test
  void theLedgerRecordsEveryChargeAndDetectsTampering() throws Exception {
    Path yaml = Samples.copy("ratings", dir);
    String ledgerLocation;
    long aliceCharge;
    try (Dpq dpq = Dpq.open(yaml)) {
      dpq.query(BY_RATING, QueryOptions.defaults().withEpsilon("0.5").withAnalyst("alice"));
      dpq.query("SELECT AVG(rating) AS r FROM ratings", QueryOptions.defaults().withAnalyst("bob"));
      ledgerLocation = dpq.dataset().ledger();
      List<LedgerEntry> history = dpq.history();
      assertEquals("INIT", history.get(0).kind());
      List<LedgerEntry> charges = history.stream().filter(e -> e.kind().equals("CHARGE")).toList();
      assertEquals(2, charges.size());
      assertEquals("alice", charges.get(0).analyst());
      assertEquals(BY_RATING, charges.get(0).sql());
      assertEquals(0, charges.get(0).cost().epsilon().compareTo(new BigDecimal("0.5")));
      assertEquals("bob", charges.get(1).analyst());
      assertTrue(history.stream().anyMatch(e -> e.kind().equals("RELEASE")
          && e.refersTo() == charges.get(0).sequence() && e.resultJson() != null));
      aliceCharge = charges.get(0).sequence();
      VerifyReport intact = dpq.verify();
      assertTrue(intact.ok(), intact.problem());
      assertEquals(history.size(), intact.entriesChecked());
    }
    assertEquals(1, Tamper.alter(Path.of(ledgerLocation.replaceFirst("^jdbc:sqlite:", "")), aliceCharge,
        "cost_epsilon", "0.0001"));
    // A fresh process (here: a fresh facade) sees the change.
    try (Ledger ledger = Ledger.open(ledgerLocation)) {
      VerifyReport report = ledger.verify("ratings");
      assertFalse(report.ok());
      assertEquals(aliceCharge, report.firstBadSequence().orElseThrow());
    }
  }

  @Test
  void everyShippedExampleQueryRuns() {
    Map<String, Dpq> open = new HashMap<>();
    try {
      for (Map.Entry<String, String> q : Samples.queries().entrySet()) {
        String sample = q.getKey().substring(0, q.getKey().indexOf('_'));
        Dpq dpq = open.computeIfAbsent(sample, s -> TestSeams.openSeeded(Samples.copy(s, dir), 20261204L));
        QueryResult r = dpq.query(q.getValue());
        assertFalse(r.columns().isEmpty(), q.getKey());
        assertTrue(r.cost().epsilon().signum() > 0, q.getKey());
        // Meaningful at the sample's default epsilon: something is released, nothing is negative (every sample
        // measure is bounded below by 0), no value is pure noise, and an ORDER BY orders values whose interval
        // stays clear of zero.
        assertFalse(r.rows().isEmpty(), q.getKey() + " released no rows");
        for (List<Cell> row : r.rows()) {
          for (Cell c : row) {
            if (c.value() instanceof Number n) {
              assertTrue(n.doubleValue() >= 0, q.getKey() + " released a negative value " + n);
            }
            assertFalse(c.coversRange(), q.getKey() + ": an interval covers the whole range");
          }
        }
        if (q.getValue().contains("ORDER BY")) {
          Cell top = r.rows().get(0).get(r.columns().size() - 1);
          assertTrue(top.ci95() != null && top.ci95().low() > 0, q.getKey() + " orders by noise: " + top);
        }
      }
    } finally {
      open.values().forEach(Dpq::close);
    }
  }
}
