package org.dpq.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dpq.budget.Accounting;
import org.dpq.budget.LedgerEntry;
import org.dpq.budget.MeasurementCost;
import org.dpq.budget.Zcdp;
import org.dpq.engine.catalog.DatasetLoader;
import org.dpq.errors.BudgetExhaustedException;
import org.dpq.errors.DatasetValidationException;
import org.dpq.errors.LedgerException;
import org.dpq.errors.QueryRejectedException;
import org.dpq.mechanisms.Calibration;
import org.dpq.mechanisms.MechanismChoice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A dataset accounted in zCDP end to end: YAML, charges in rho, refusals that cost nothing, a fixed accounting. */
class ZcdpAccountingTest {
  private static final String COUNT = "SELECT grp, COUNT(*) AS n FROM t GROUP BY grp";

  @TempDir Path tmp;

  private Path dataset(String accounting, String groupColumn) throws IOException {
    StringBuilder csv = new StringBuilder("pid,grp,v\n");
    for (int i = 0; i < 40; i++) {
      csv.append(i).append(',').append(i % 2 == 0 ? "a" : "b").append(',').append(i % 10).append('\n');
    }
    Files.writeString(tmp.resolve("t.csv"), csv);
    return Files.writeString(tmp.resolve("t.yaml"), """
        name: t
        table: t
        source: { csv: t.csv }
        privacy_unit: pid
        max_groups_contributed: 1
        max_rows_per_group: 1
        budget: { epsilon: 1, delta: 1.0e-6%s }
        defaults: { epsilon: 0.1, delta: 1.0e-7 }
        columns:
          pid: { type: int }
          grp: { type: string%s }
          v: { type: int, lower: 0, upper: 10 }
        """.formatted(accounting == null ? "" : ", accounting: " + accounting, groupColumn));
  }

  private static QueryOptions gaussian(String key) {
    // a distinct epsilon per query keeps each one from being answered again from the ledger at no cost
    return QueryOptions.defaults().withMechanism(MechanismChoice.GAUSSIAN).withEpsilon("0.1" + key);
  }

  @Test
  void aGaussianQueryChargesTheRhoOfItsNoiseAndTheLedgerRecordsZcdp() throws IOException {
    try (Dpq dpq = TestSeams.openWithoutNoise(dataset("zcdp", ", public_values: [\"a\", \"b\"]"))) {
      assertEquals(Accounting.ZCDP, dpq.dataset().accounting());
      BigDecimal budget = Zcdp.rhoBudget(BigDecimal.ONE, new BigDecimal("1.0e-6"));
      assertEquals(0, dpq.budgetStatus().total().epsilon().compareTo(budget));
      QueryResult r = dpq.query(COUNT, QueryOptions.defaults().withMechanism(MechanismChoice.GAUSSIAN));
      // the result shows the release's own (epsilon, delta) and the remaining rho as epsilon at the budget's delta
      assertEquals(0, r.cost().epsilon().compareTo(new BigDecimal("0.1")), r.cost().toString());
      assertEquals(0, r.cost().delta().compareTo(new BigDecimal("1.0e-7")), r.cost().toString());
      BigDecimal remainingRho = dpq.budgetStatus().remaining().epsilon();
      assertEquals(0, r.remaining().epsilon().compareTo(Zcdp.epsilon(remainingRho, new BigDecimal("1.0e-6"))));
      List<LedgerEntry> h = dpq.history();
      assertEquals("accounting: zcdp", h.get(0).note());
      LedgerEntry charge = h.get(1);
      assertEquals("CHARGE", charge.kind());
      assertEquals("accounting: zcdp", charge.note());
      assertEquals(0, charge.cost().delta().signum());
      // one COUNT of L2 sensitivity 1 (G = R = 1) with the sigma calibrated for (0.1, 1e-7)
      assertEquals(1, charge.measurements().size());
      MeasurementCost m = charge.measurements().get(0);
      assertEquals("GAUSSIAN", m.mechanism());
      BigDecimal expected = Zcdp.gaussianRho(1, Calibration.gaussian(1, 0.1, 1e-7).sigma());
      assertEquals(0, m.loss().epsilon().compareTo(expected), m.loss() + " vs " + expected);
      assertEquals(0, charge.cost().epsilon().compareTo(expected));
      assertTrue(dpq.verify().ok(), dpq.verify().problem());
    }
  }

  /**
   * Several Gaussian measurements split the query's rho (issue 16): the ledger charges at most the rho whose
   * certificate conversion gives the request, and within rounding of it; the result shows the request.
   */
  @Test
  void aQueryOfSeveralGaussianMeasurementsIsChargedItsWholeRhoAndNoMore() throws IOException {
    try (Dpq dpq = TestSeams.openWithoutNoise(dataset("zcdp", ", public_values: [\"a\", \"b\"]"))) {
      String sql = "SELECT grp, COUNT(*) AS n, SUM(v) AS s FROM t GROUP BY grp";
      QueryOptions options = QueryOptions.defaults().withMechanism(MechanismChoice.GAUSSIAN);
      List<MeasurementExplanation> explained = dpq.explain(sql, options).measurements();
      assertEquals(2, explained.size());
      explained.forEach(m -> assertTrue(m.name().contains("(split in rho)"), m.name()));
      QueryResult r = dpq.query(sql, options);
      assertEquals(0, r.cost().epsilon().compareTo(new BigDecimal("0.1")), r.cost().toString());
      assertEquals(0, r.cost().delta().compareTo(new BigDecimal("1.0e-7")), r.cost().toString());
      double ratio = Calibration.zcdpRatio(0.1, 1e-7);
      BigDecimal rhoQ = BigDecimal.ONE.divide(new BigDecimal(2 * ratio * ratio), Zcdp.SCALE,
          java.math.RoundingMode.FLOOR);
      LedgerEntry charge = dpq.history().get(1);
      BigDecimal charged = charge.cost().epsilon();
      assertTrue(charged.compareTo(rhoQ) <= 0 && charged.compareTo(rhoQ.subtract(new BigDecimal("3e-12"))) >= 0,
          charged + " vs " + rhoQ);
      // the charge is the rho of the noise released: sum of L2^2 / (2 sigma^2) from explain, rounded up
      BigDecimal noise = BigDecimal.ZERO;
      for (MeasurementExplanation m : explained) {
        noise = noise.add(Zcdp.gaussianRho(m.l2(), m.scale()));
      }
      assertEquals(0, noise.compareTo(charged), noise + " vs " + charged);
      assertTrue(dpq.verify().ok(), dpq.verify().problem());
    }
  }

  /** 10 such queries fit (1, 1e-6) under basic composition; under zCDP many more do, until refused exactly. */
  @Test
  void moreGaussianQueriesFitUnderZcdpThanUnderBasicComposition() throws IOException {
    int answered = 0;
    try (Dpq dpq = TestSeams.openWithoutNoise(dataset("zcdp", ", public_values: [\"a\", \"b\"]"))) {
      while (true) {
        try {
          dpq.query(COUNT, gaussian(String.valueOf(answered)));
          answered++;
        } catch (BudgetExhaustedException e) {
          break;
        }
      }
      assertTrue(dpq.verify().ok());
      // the spend never exceeds the rho budget
      assertTrue(dpq.budgetStatus().spent().epsilon().compareTo(dpq.budgetStatus().total().epsilon()) <= 0);
    }
    assertTrue(answered > 10, "only " + answered + " Gaussian queries at epsilon ~0.1 fit under zCDP");
  }

  @Test
  void partitionSelectionIsRefusedUnderZcdpAndCostsNothing() throws IOException {
    try (Dpq dpq = TestSeams.openWithoutNoise(dataset("zcdp", ""))) {
      QueryRejectedException e = assertThrows(QueryRejectedException.class,
          () -> dpq.query(COUNT, QueryOptions.defaults().withMechanism(MechanismChoice.GAUSSIAN)));
      assertTrue(e.getMessage().contains("zCDP"), e.getMessage());
      assertEquals(1, dpq.history().size());
    }
  }

  @Test
  void theAccountingCannotChangeOnceTheLedgerHasEntries() throws IOException {
    try (Dpq dpq = TestSeams.openWithoutNoise(dataset(null, ", public_values: [\"a\", \"b\"]"))) {
      assertEquals(Accounting.BASIC, dpq.dataset().accounting());
    }
    Path zcdp = dataset("zcdp", ", public_values: [\"a\", \"b\"]");
    LedgerException e = assertThrows(LedgerException.class, () -> TestSeams.openWithoutNoise(zcdp).close());
    assertTrue(e.getMessage().contains("cannot change"), e.getMessage());
  }

  @Test
  void theYamlAccountingIsValidated() {
    String base = """
        name: t
        table: t
        source: { csv: t.csv }
        privacy_unit: pid
        max_groups_contributed: 1
        max_rows_per_group: 1
        budget: %s
        defaults: %s
        columns:
          pid: { type: int }
        """;
    DatasetValidationException unknown = assertThrows(DatasetValidationException.class, () -> DatasetLoader.parse(
        base.formatted("{ epsilon: 1, delta: 1.0e-6, accounting: renyi }", "{ epsilon: 0.1, delta: 0 }"), tmp));
    assertTrue(unknown.problems().toString().contains("budget.accounting"), unknown.problems().toString());
    DatasetValidationException pure = assertThrows(DatasetValidationException.class, () -> DatasetLoader.parse(
        base.formatted("{ epsilon: 1, delta: 0, accounting: zcdp }", "{ epsilon: 0.1, delta: 0 }"), tmp));
    assertTrue(pure.problems().toString().contains("delta"), pure.problems().toString());
    DatasetValidationException misplaced = assertThrows(DatasetValidationException.class, () -> DatasetLoader.parse(
        base.formatted("{ epsilon: 1, delta: 1.0e-6 }", "{ epsilon: 0.1, delta: 0, accounting: zcdp }"), tmp));
    assertTrue(misplaced.problems().toString().contains("defaults.accounting: unknown key"),
        misplaced.problems().toString());
    assertEquals(Accounting.ZCDP, org.dpq.engine.catalog.Dataset.builder("t").table("t").csv(tmp.resolve("t.csv"))
        .privacyUnit("pid").maxGroupsContributed(1).maxRowsPerGroup(1).budget("1", "1e-6", "zcdp")
        .defaults("0.1", "0").column("pid", org.dpq.engine.catalog.ColumnType.INT).build().accounting());
    assertEquals(Accounting.ZCDP, DatasetLoader.parse(
        base.formatted("{ epsilon: 1, delta: 1.0e-6, accounting: zcdp }", "{ epsilon: 0.1, delta: 0 }"), tmp)
        .accounting());
  }
}
