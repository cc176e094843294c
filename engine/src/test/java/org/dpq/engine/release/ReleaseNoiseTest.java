package org.dpq.engine.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.dpq.engine.Cell;
import org.dpq.engine.analysis.Analyzer;
import org.dpq.engine.analysis.DpPlan;
import org.dpq.engine.catalog.Column;
import org.dpq.engine.catalog.ColumnType;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.PrivacyUnit;
import org.dpq.engine.catalog.Source;
import org.dpq.mechanisms.MechanismChoice;
import org.dpq.mechanisms.NoiseMechanism;
import org.dpq.mechanisms.PartitionThreshold;
import org.dpq.mechanisms.PrivacyLoss;
import org.dpq.mechanisms.TestRandomBits;
import org.junit.jupiter.api.Test;

/**
 * Released values spread as the declared mechanism says, and their 95% intervals cover the bounded value at
 * their nominal rate. Seeded through the test seam; each check also rejects a deliberately broken noise source
 * (20% too little noise).
 *
 * <p>Margins: with n = 4000 releases, the coverage estimate has a standard error of sqrt(.95 * .05 / 4000) =
 * 0.0034, so [0.935, 0.965] is about 4.4 standard errors wide each way; the variance ratio of Laplace noise has a
 * standard error of about sqrt(5 / n) = 0.035, of Gaussian noise sqrt(2 / n) = 0.022, and [0.88, 1.12] is at
 * least 3.4 standard errors each way. Too little noise by 20% gives a variance ratio of 0.64 and a coverage of
 * about 0.86 (Laplace) or 0.89 (Gaussian): far outside.
 */
class ReleaseNoiseTest {
  static final int N = 4000;
  static final Dataset DATASET = new Dataset("t", "t", new Source.Csv(java.nio.file.Path.of("unused.csv")),
      new PrivacyUnit.ByColumn("uid"), 2, 3, PrivacyLoss.budget(new java.math.BigDecimal("1000"),
          new java.math.BigDecimal("1e-5")),
      PrivacyLoss.parse("1", "1e-7"), "unused.db",
      List.of(new Column("uid", ColumnType.LONG, OptionalDouble.empty(), OptionalDouble.empty(), Optional.empty()),
          new Column("v", ColumnType.DOUBLE, OptionalDouble.of(0), OptionalDouble.of(10), Optional.empty()),
          new Column("w", ColumnType.DOUBLE, OptionalDouble.of(-5), OptionalDouble.of(5), Optional.empty()),
          new Column("g", ColumnType.STRING, OptionalDouble.empty(), OptionalDouble.empty(),
              Optional.of(List.of("a"))),
          new Column("h", ColumnType.STRING, OptionalDouble.empty(), OptionalDouble.empty(), Optional.empty())),
      Optional.empty());

  /** Noise with its deviation shrunk to 80%: the broken variant every check must reject. */
  record Shrunk(Noise inner) implements Noise {
    @Override
    public long add(NoiseMechanism m, long value) {
      return value + Math.round(0.8 * (inner.add(m, value) - value));
    }

    @Override
    public double add(NoiseMechanism m, double value) {
      return value + 0.8 * (inner.add(m, value) - value);
    }

    @Override
    public long noisyUnits(PartitionThreshold t, long units) {
      return inner.noisyUnits(t, units);
    }
  }

  record Stats(double varianceRatio, double coverage) {}

  static Stats run(String sql, MechanismChoice choice, String delta, double trueValue, Object[] boundedRow,
      Noise noise) {
    DpPlan plan = new Analyzer().analyze(DATASET, sql);
    NoisePlan noisePlan = new BudgetAllocator().allocate(plan, PrivacyLoss.parse("0.5", delta), choice);
    double declaredVariance = noisePlan.measurements().get(0).mechanism().variance();
    Releaser releaser = new Releaser();
    double sumSq = 0;
    int covered = 0;
    for (int i = 0; i < N; i++) {
      List<Object[]> rows = List.<Object[]>of(boundedRow);
      Cell cell = releaser.release(plan, noisePlan, rows, noise).rows().get(0).get(1);
      double v = ((Number) cell.value()).doubleValue();
      sumSq += (v - trueValue) * (v - trueValue);
      if (cell.ci95().low() <= trueValue && trueValue <= cell.ci95().high()) {
        covered++;
      }
    }
    return new Stats(sumSq / N / declaredVariance, covered / (double) N);
  }

  static void assertCalibrated(Stats s) {
    assertTrue(s.varianceRatio() > 0.88 && s.varianceRatio() < 1.12, "variance ratio " + s.varianceRatio());
    assertTrue(s.coverage() > 0.935 && s.coverage() < 0.965, "coverage " + s.coverage());
  }

  static boolean calibrated(Stats s) {
    return s.varianceRatio() > 0.88 && s.varianceRatio() < 1.12 && s.coverage() > 0.935 && s.coverage() < 0.965;
  }

  @Test
  void laplaceSumSpreadsAsDeclaredAndItsIntervalCovers() {
    // One group "a" with a true (bounded) sum of 12345.0; noise scale = G * R * 10 / 0.5 = 120.
    Object[] row = {"a", 12345.0};
    String sql = "SELECT g, SUM(v) AS s FROM t GROUP BY g";
    assertCalibrated(run(sql, MechanismChoice.LAPLACE, "0", 12345.0, row, noise(11)));
    assertFalse(calibrated(run(sql, MechanismChoice.LAPLACE, "0", 12345.0, row, new Shrunk(noise(12)))));
  }

  @Test
  void gaussianCountSpreadsAsDeclaredAndItsIntervalCovers() {
    Object[] row = {"a", 5000L};
    String sql = "SELECT g, COUNT(*) AS n FROM t GROUP BY g";
    assertCalibrated(run(sql, MechanismChoice.GAUSSIAN, "1e-6", 5000, row, noise(21)));
    assertFalse(calibrated(run(sql, MechanismChoice.GAUSSIAN, "1e-6", 5000, row, new Shrunk(noise(22)))));
  }

  @Test
  void laplaceCountIsAnIntegerAndCovers() {
    Object[] row = {"a", 700L};
    String sql = "SELECT g, COUNT(*) AS n FROM t GROUP BY g";
    Stats s = run(sql, MechanismChoice.LAPLACE, "0", 700, row, noise(31));
    assertCalibrated(s);
    Cell c = new Releaser().release(new Analyzer().analyze(DATASET, sql),
        new BudgetAllocator().allocate(new Analyzer().analyze(DATASET, sql), PrivacyLoss.parse("0.5", "0"),
            MechanismChoice.LAPLACE), List.<Object[]>of(row), noise(32)).rows().get(0).get(1);
    assertEquals(Long.class, c.value().getClass(), "counts are released as integers");
  }

  static Noise noise(long seed) {
    return SecureNoise.from(TestRandomBits.seeded(seed));
  }

  @Test
  void aCountNearZeroKeepsAnIntervalOfPositiveWidthThatCoversTheTruth() {
    // True count 0: about half the releases are clamped from a negative noisy value. Every interval must still
    // have positive width and contain 0 at the nominal rate or better.
    Object[] row = {"a", 0L};
    String sql = "SELECT g, COUNT(*) AS n FROM t GROUP BY g";
    DpPlan plan = new Analyzer().analyze(DATASET, sql);
    NoisePlan noisePlan = new BudgetAllocator().allocate(plan, PrivacyLoss.parse("0.5", "0"), MechanismChoice.LAPLACE);
    Noise noise = noise(41);
    int covered = 0;
    for (int i = 0; i < N; i++) {
      Cell c = new Releaser().release(plan, noisePlan, List.<Object[]>of(row), noise).rows().get(0).get(1);
      assertTrue(c.ci95().low() < c.ci95().high(), "a degenerate interval " + c.ci95());
      assertTrue(c.ci95().low() >= 0);
      if (c.ci95().low() <= 0 && 0 <= c.ci95().high()) {
        covered++;
      }
    }
    assertTrue(covered >= 0.95 * N, "coverage " + covered / (double) N);
  }

  @Test
  void aSumOfAColumnBoundedBelowByZeroIsNeverNegativeAndItsIntervalStillCovers() {
    // True sum 0 of v in [0, 10]: about half the noisy sums are negative. Released clamped at 0 (post-processing),
    // each interval has positive width, starts at 0 or above, and covers 0 at the nominal rate or better.
    Object[] row = {"a", 0.0};
    String sql = "SELECT g, SUM(v) AS s FROM t GROUP BY g";
    DpPlan plan = new Analyzer().analyze(DATASET, sql);
    NoisePlan noisePlan = new BudgetAllocator().allocate(plan, PrivacyLoss.parse("0.5", "0"), MechanismChoice.LAPLACE);
    Noise noise = noise(51);
    int covered = 0;
    int zeros = 0;
    for (int i = 0; i < N; i++) {
      Cell c = new Releaser().release(plan, noisePlan, List.<Object[]>of(row), noise).rows().get(0).get(1);
      double v = ((Number) c.value()).doubleValue();
      assertTrue(v >= 0, "a negative sum of non-negative values: " + v);
      zeros += v == 0 ? 1 : 0;
      assertTrue(c.ci95().low() >= 0 && c.ci95().low() < c.ci95().high(), "interval " + c.ci95());
      if (c.ci95().low() <= 0 && 0 <= c.ci95().high()) {
        covered++;
      }
    }
    assertTrue(zeros > 0.4 * N && zeros < 0.6 * N, "about half are clamped: " + zeros);
    assertTrue(covered >= 0.95 * N, "coverage " + covered / (double) N);
  }

  @Test
  void aSumOfAColumnThatCanBeNegativeIsNotClamped() {
    Object[] row = {"a", 0.0};
    String sql = "SELECT g, SUM(w) AS s FROM t GROUP BY g";
    DpPlan plan = new Analyzer().analyze(DATASET, sql);
    NoisePlan noisePlan = new BudgetAllocator().allocate(plan, PrivacyLoss.parse("0.5", "0"), MechanismChoice.LAPLACE);
    Noise noise = noise(61);
    int negative = 0;
    for (int i = 0; i < 200; i++) {
      Cell c = new Releaser().release(plan, noisePlan, List.<Object[]>of(row), noise).rows().get(0).get(1);
      negative += ((Number) c.value()).doubleValue() < 0 ? 1 : 0;
    }
    assertTrue(negative > 50, "negative sums must stay negative: " + negative);
  }

  @Test
  void anAverageWhoseIntervalSpansItsWholeRangeIsFlagged() {
    String sql = "SELECT g, AVG(v) AS m FROM t GROUP BY g";
    DpPlan plan = new Analyzer().analyze(DATASET, sql);
    NoisePlan noisePlan = new BudgetAllocator().allocate(plan, PrivacyLoss.parse("0.5", "0"), MechanismChoice.LAPLACE);
    // Centred sum 0 over 2 values: the noise dwarfs the count, the interval is all of [0, 10].
    Cell tiny = new Releaser().release(plan, noisePlan, List.<Object[]>of(new Object[] {"a", 0.0, 2L}), noise(71))
        .rows().get(0).get(1);
    assertTrue(tiny.coversRange(), tiny.toString());
    assertEquals(0.0, tiny.ci95().low());
    assertEquals(10.0, tiny.ci95().high());
    // A million values: the interval is narrow.
    Cell large = new Releaser().release(plan, noisePlan, List.<Object[]>of(new Object[] {"a", 0.0, 1_000_000L}),
        noise(72)).rows().get(0).get(1);
    assertFalse(large.coversRange(), large.toString());
    // Carried through monotone arithmetic on the released value.
    DpPlan scaled = new Analyzer().analyze(DATASET, "SELECT g, AVG(v) * 2 AS m2 FROM t GROUP BY g");
    NoisePlan scaledNoise = new BudgetAllocator().allocate(scaled, PrivacyLoss.parse("0.5", "0"),
        MechanismChoice.LAPLACE);
    assertTrue(new Releaser().release(scaled, scaledNoise, List.<Object[]>of(new Object[] {"a", 0.0, 2L}), noise(73))
        .rows().get(0).get(1).coversRange());
  }
}
