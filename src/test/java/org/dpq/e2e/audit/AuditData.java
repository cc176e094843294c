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
 * Two neighbouring datasets for the whole-query audit: {@code base} (one row per person, spread over four public
 * cities) and {@code neighbour} = base plus one target person with {@link #TARGET_ROWS} rows in each of
 * {@link #TARGET_CITIES}, every row at the income upper bound and with one of {@link #TARGET_AGES} ages no base
 * person has (91 to 100). The target is in exactly G groups, so bounding keeps R of their rows in each: the
 * released counts move by R, the sums by R times the upper bound, and the distinct ages by R (R of its own ages).
 * The datasets declare {@code limits: { threads: 1 }}: DuckDB's thread count changes neither the bounded rows nor
 * the noise, and on a few hundred rows a second thread only adds scheduling (measured on 2 cores, per run of the
 * grouped COUNT: 32 ms of process CPU with 2 threads, 24 ms with 1).
 *
 * @param base the YAML of the dataset without the target
 * @param neighbour the YAML of the dataset with the target
 * @param baseCounts each city's exact row count in base (every base person is within the bounds)
 * @param baseSums each city's exact income sum in base
 * @param baseDistinctAges each city's number of distinct ages in base
 */
public record AuditData(Path base, Path neighbour, Map<String, Long> baseCounts, Map<String, Double> baseSums,
    Map<String, Integer> baseDistinctAges) {
  public static final List<String> CITIES = List.of("north", "south", "east", "west");
  public static final List<String> TARGET_CITIES = List.of("north", "south");
  public static final int G = 2;
  public static final int R = 3;
  public static final double UPPER = 1000;
  public static final int TARGET_ROWS = 50;
  /** The target's distinct ages (more than R), none of them a base person's (base ages are 18 to 90). */
  public static final int TARGET_AGES = 10;

  /** Writes both datasets (CSV and YAML, each with its own ledger) under {@code dir}. */
  public static AuditData write(Path dir, int people, long seed, String budgetEpsilon) {
    return write(dir, people, seed, budgetEpsilon, null);
  }

  /**
   * As {@link #write(Path, int, long, String)}, with the datasets' {@code budget.accounting} ({@code zcdp} or
   * {@code basic}; null leaves it out, which is basic).
   */
  public static AuditData write(Path dir, int people, long seed, String budgetEpsilon, String accounting) {
    DataGenPrng prng = new DataGenPrng(seed);
    List<String> rows = new ArrayList<>();
    Map<String, Long> counts = new LinkedHashMap<>();
    Map<String, Double> sums = new LinkedHashMap<>();
    Map<String, java.util.Set<Integer>> ages = new LinkedHashMap<>();
    CITIES.forEach(c -> {
      counts.put(c, 0L);
      sums.put(c, 0.0);
      ages.put(c, new java.util.HashSet<>());
    });
    for (int pid = 1; pid <= people; pid++) {
      String city = CITIES.get(prng.nextInt(CITIES.size()));
      int income = prng.nextInt(0, 1000);
      int age = prng.nextInt(18, 90);
      if (age < 18 || age > 90) {
        throw new IllegalStateException("base ages must lie in [18, 90]");
      }
      rows.add(pid + "," + city + "," + age + "," + income);
      ages.get(city).add(age);
      counts.merge(city, 1L, Long::sum);
      sums.merge(city, (double) income, Double::sum);
    }
    Path base = dataset(dir.resolve("base"), rows, budgetEpsilon, accounting);
    List<String> withTarget = new ArrayList<>(rows);
    for (String city : TARGET_CITIES) {
      for (int i = 0; i < TARGET_ROWS; i++) {
        withTarget.add("999999," + city + "," + (91 + i % TARGET_AGES) + "," + (int) UPPER);
      }
    }
    Path neighbour = dataset(dir.resolve("neighbour"), withTarget, budgetEpsilon, accounting);
    Map<String, Integer> distinctAges = new LinkedHashMap<>();
    ages.forEach((city, set) -> distinctAges.put(city, set.size()));
    return new AuditData(base, neighbour, Map.copyOf(counts), Map.copyOf(sums), Map.copyOf(distinctAges));
  }

  /** The CSV beside a dataset YAML. */
  public static Path csv(Path yaml) {
    return yaml.resolveSibling("audit.csv");
  }

  private static Path dataset(Path dir, List<String> rows, String budgetEpsilon, String accounting) {
    try {
      Files.createDirectories(dir);
      List<String> lines = new ArrayList<>();
      lines.add("pid,city,age,income");
      lines.addAll(rows);
      Files.write(dir.resolve("audit.csv"), lines, StandardCharsets.UTF_8);
      String yaml = """
          name: audit
          table: audit
          source: { csv: audit.csv }
          privacy_unit: pid
          max_groups_contributed: %d
          max_rows_per_group: %d
          budget: { epsilon: %s, delta: 1.0e-3%s }
          limits: { threads: 1 }
          defaults: { epsilon: 1.0, delta: 0 }
          columns:
            pid:    { type: int }
            city:   { type: string, public_values: ["north", "south", "east", "west"] }
            age:    { type: int, lower: 0, upper: 100 }
            income: { type: double, lower: 0, upper: %s }
          """.formatted(G, R, budgetEpsilon, accounting == null ? "" : ", accounting: " + accounting, UPPER);
      return Files.writeString(dir.resolve("audit.yaml"), yaml, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
