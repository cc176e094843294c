package org.dpq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.dpq.cli.MainTest.Run;
import org.dpq.engine.catalog.CacheLocation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cache folder through the CLI: a typed copy (and its group-limit orders) after the first query, nothing when
 * off; explain reads no data.
 */
class CacheCommandsTest {
  private static final String QUERY = "SELECT grp, COUNT(*) AS n FROM t GROUP BY grp";
  @TempDir Path dir;
  private String saved;

  @BeforeEach
  void saveProperty() {
    saved = System.getProperty(CacheLocation.PROPERTY);
  }

  @AfterEach
  void restoreProperty() {
    if (saved == null) {
      System.clearProperty(CacheLocation.PROPERTY);
    } else {
      System.setProperty(CacheLocation.PROPERTY, saved);
    }
  }

  private Path dataset(String header) throws IOException {
    StringBuilder csv = new StringBuilder(header + "\n");
    for (int i = 0; i < 40; i++) {
      csv.append(i).append(',').append(i % 2 == 0 ? "a" : "b").append('\n');
    }
    Files.writeString(dir.resolve("t.csv"), csv);
    return Files.writeString(dir.resolve("t.yaml"), """
        name: t
        table: t
        source: { csv: t.csv }
        privacy_unit: pid
        max_groups_contributed: 1
        max_rows_per_group: 1
        budget: { epsilon: 5, delta: 0 }
        defaults: { epsilon: 1, delta: 0 }
        columns:
          pid: { type: int }
          grp: { type: string, public_values: ["a", "b"] }
        """);
  }

  private List<String> files(Path folder) throws IOException {
    if (!Files.exists(folder)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(folder)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void theFirstQueryWritesATypedCopyThatLaterQueriesUse() throws IOException {
    Path yaml = dataset("pid,grp");
    Path cache = dir.resolve("cache");
    System.setProperty(CacheLocation.PROPERTY, cache.toString());
    Run first = MainTest.run("query", "--dataset", yaml.toString(), "--epsilon", "0.5", QUERY);
    assertEquals(0, first.code(), first.err());
    List<String> copies = files(cache).stream().filter(f -> f.endsWith(".duckdb")).toList();
    assertEquals(1, copies.size(), files(cache).toString());
    Run second = MainTest.run("query", "--dataset", yaml.toString(), "--epsilon", "0.6", "--verbose", QUERY);
    assertEquals(0, second.code(), second.err());
    assertTrue(second.err().contains("load "), second.err());
    assertEquals(copies, files(cache).stream().filter(f -> f.endsWith(".duckdb")).toList());
    // Beside the copy, under the same fingerprint, the group-limit order the first query's probe chose (that a later
    // process reads it instead of probing is GroupLimitChoiceTest's); one file for both queries of one shape.
    String orders = copies.get(0).replaceAll("\\.duckdb$", ".orders");
    assertEquals(List.of(orders), files(cache).stream().filter(f -> f.endsWith(".orders")).toList(),
        files(cache).toString());
    Run validate = MainTest.run("datasets", "validate", "--dataset", yaml.toString());
    assertEquals(0, validate.code(), validate.err());
  }

  @Test
  void offWritesNoCacheAnywhere() throws IOException {
    Path yaml = dataset("pid,grp");
    System.setProperty(CacheLocation.PROPERTY, "off");
    Run run = MainTest.run("query", "--dataset", yaml.toString(), QUERY);
    assertEquals(0, run.code(), run.err());
    assertEquals(List.of("t.csv", "t.ledger.db", "t.yaml"),
        files(dir).stream().filter(f -> !f.startsWith("t.ledger.db-")).toList());
  }

  /** A CSV without the declared column grp: explain answers, query fails before the charge (exit 5, no cost). */
  @Test
  void explainNeedsNoLoadableSourceAndABadSourceCostsNothing() throws IOException {
    Path yaml = dataset("pid,other");
    System.setProperty(CacheLocation.PROPERTY, dir.resolve("cache").toString());
    Run explain = MainTest.run("explain", "--dataset", yaml.toString(), "--verbose", QUERY);
    assertEquals(0, explain.code(), explain.err());
    assertTrue(explain.err().contains("setup "), explain.err());
    assertFalse(explain.err().contains("load "), explain.err());
    Run query = MainTest.run("query", "--dataset", yaml.toString(), QUERY);
    assertEquals(ExitCodes.BACKEND, query.code(), query.err());
    assertFalse(files(dir.resolve("cache")).stream().anyMatch(f -> f.endsWith(".duckdb")));
    Run budget = MainTest.run("budget", "status", "--dataset", yaml.toString(), "--format", "csv");
    assertEquals(0, budget.code(), budget.err());
    // dataset, total (5, 0), spent (0, 0), remaining (5, 0), one entry (INIT)
    assertEquals("t,5,0,0,0,5,0,1", budget.out().lines().skip(1).findFirst().orElseThrow(), budget.out());
  }
}
