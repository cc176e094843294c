package org.dpq.e2e.audit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.dpq.e2e.MemoryTempDir;
import org.dpq.engine.Dpq;
import org.dpq.engine.QueryOptions;
import org.dpq.engine.QueryResult;
import org.dpq.engine.TestSeams;
import org.dpq.engine.release.SecureNoise;
import org.dpq.mechanisms.TestRandomBits;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Empirical DP audit of a grouped MEDIAN through the whole engine (analysis, the quantile tree's bounded query on
 * DuckDB, the noisy tree, the ledger), noise from the test seam's fixed-seed SecureRandom. The neighbours are chosen
 * so that one person decides the median: in each of north and south, 1,000 people have income 100 and 1,000 have
 * income 900 (enough that the tree's counts clear its stopping rule of 32 noise scales); the neighbour adds one person with 50 rows of income 900 in both cities (G = 2, R = 3, so 3 of them
 * count in each). {@link EpsilonAudit} turns the events "median at or above 500" into a Clopper-Pearson lower bound on
 * epsilon (overall confidence 95%), which must not exceed the claimed 1.0 (delta 0). The same harness must flag the
 * broken engine whose noise deviations are divided by 100 ({@link ShrunkNoise}): there the median follows the
 * added person almost surely.
 *
 * <p>Every run is a distinct query ({@code WHERE age <> -k}), so no stored answer is returned. Runs: {@value #RUNS}
 * per dataset for the correct engine, {@value #BROKEN_RUNS} for the broken one (25 of 25 against 0 of 25 already
 * gives a lower bound of 1.406, measured; the correct engine measured 0.0 with 200, 60 and 40 runs). Each run is two
 * DuckDB queries and two durable ledger writes, about 0.1 to 0.25 s on a shared 2-core machine, so the counts are
 * kept small for CI.
 */
class QuantileAuditTest {
  static final double EPSILON = 1.0;
  static final double ALPHA = 0.05;
  static final int RUNS = 40;
  static final int BROKEN_RUNS = 25;
  private static final String MEDIAN = "SELECT city, MEDIAN(income) AS m FROM audit WHERE age <> -%d GROUP BY city";

  /** In memory: the audit checks released values, not that its ledgers survive a power cut. */
  @TempDir(factory = MemoryTempDir.class) static Path dir;
  private static int copies;

  @BeforeAll
  static void warm() {
    write(dir.resolve("warm"), false);
  }

  @Test
  void groupedMedianStaysWithinItsClaimedEpsilon() {
    EpsilonAudit.Result r = audit(false, RUNS);
    System.out.printf("audit: grouped MEDIAN: claimed epsilon %.2f, 95%% lower bound %.3f (%s, %s)%n", EPSILON,
        r.epsilonLowerBound(), r.event(), r.counts());
    assertFalse(r.epsilonLowerBound() > EPSILON, "the median leaks more than epsilon " + EPSILON + ": " + r);
  }

  @Test
  void theHarnessFlagsAMedianWithTooLittleNoise() {
    EpsilonAudit.Result r = audit(true, BROKEN_RUNS);
    System.out.printf("audit: grouped MEDIAN, noise / 100: claimed epsilon %.2f, 95%% lower bound %.3f (%s, %s)%n",
        EPSILON, r.epsilonLowerBound(), r.event(), r.counts());
    assertTrue(r.epsilonLowerBound() > EPSILON, "the audit missed a median with too little noise: " + r);
  }

  private static synchronized Path copy() {
    return dir.resolve("copy" + (++copies));
  }

  private static EpsilonAudit.Result audit(boolean shrunk, int runs) {
    Path at = copy();
    List<double[]> onBase = releases(write(at.resolve("base"), false), 21, shrunk, runs);
    List<double[]> onNeighbour = releases(write(at.resolve("neighbour"), true), 22, shrunk, runs);
    return EpsilonAudit.lowerBound(onBase, onNeighbour, events(), 0, ALPHA);
  }

  /** Over [m_north, m_south], fixed before sampling. */
  private static List<EpsilonAudit.Event> events() {
    return List.of(
        new EpsilonAudit.Event("m_north >= 500", x -> x[0] >= 500),
        new EpsilonAudit.Event("m_north >= 500 and m_south >= 500", x -> x[0] >= 500 && x[1] >= 500),
        new EpsilonAudit.Event("m_north < 500 and m_south < 500", x -> x[0] < 500 && x[1] < 500));
  }

  private static List<double[]> releases(Path yaml, long seed, boolean shrunk, int runs) {
    QueryOptions options = QueryOptions.defaults().withEpsilon(String.valueOf(EPSILON)).withDelta("0")
        .withAnalyst("audit");
    List<double[]> out = new ArrayList<>(runs);
    try (Dpq dpq = shrunk ? TestSeams.openWithNoise(yaml, new ShrunkNoise(SecureNoise.from(TestRandomBits.seeded(seed)),
        100)) : TestSeams.openSeeded(yaml, seed)) {
      for (int k = 0; k < runs; k++) {
        QueryResult r = dpq.query(MEDIAN.formatted(k), options);
        assertFalse(r.reused(), "every audit run must be freshly noised");
        double north = Double.NaN;
        double south = Double.NaN;
        for (int i = 0; i < r.rows().size(); i++) {
          String city = String.valueOf(r.value(i, "city"));
          double m = ((Number) r.value(i, "m")).doubleValue();
          if (city.equals("north")) {
            north = m;
          } else if (city.equals("south")) {
            south = m;
          }
        }
        out.add(new double[] {north, south});
      }
    }
    return out;
  }

  /** The base dataset, or with {@code target} the neighbour (one more person, 50 rows at 900 in north and south). */
  private static Path write(Path at, boolean target) {
    List<String> lines = new ArrayList<>();
    lines.add("pid,city,age,income");
    int pid = 1;
    for (String city : List.of("north", "south", "east", "west")) {
      for (int i = 0; i < 2000; i++) {
        lines.add(pid++ + "," + city + "," + (18 + i % 60) + "," + (i < 1000 ? 100 : 900));
      }
    }
    if (target) {
      for (String city : List.of("north", "south")) {
        for (int i = 0; i < 50; i++) {
          lines.add("999999," + city + ",50,900");
        }
      }
    }
    String yaml = """
        name: audit
        table: audit
        source: { csv: audit.csv }
        privacy_unit: pid
        max_groups_contributed: 2
        max_rows_per_group: 3
        budget: { epsilon: 1e7, delta: 1.0e-3 }
        defaults: { epsilon: 1.0, delta: 0 }
        columns:
          pid:    { type: int }
          city:   { type: string, public_values: ["north", "south", "east", "west"] }
          age:    { type: int, lower: 0, upper: 100 }
          income: { type: double, lower: 0, upper: 1000 }
        """;
    try {
      Files.createDirectories(at);
      Files.write(at.resolve("audit.csv"), lines, StandardCharsets.UTF_8);
      return Files.writeString(at.resolve("audit.yaml"), yaml, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
