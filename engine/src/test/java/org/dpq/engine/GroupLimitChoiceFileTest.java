package org.dpq.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.dpq.budget.Ledger;
import org.dpq.engine.catalog.CacheLocation;
import org.dpq.mechanisms.PrivacyLoss;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a query's group-limit choice is kept: an embedded {@link Dpq} on a file source keeps it in the cache folder
 * for later processes (the next CLI call skips the probe), and the answers are the same with or without it; a served
 * dataset never writes it, so that one analyst's query cannot make a later server process faster for another
 * (invariant 8, timing).
 */
class GroupLimitChoiceFileTest {
  private static final String SQL = "SELECT sex, COUNT(*) AS n FROM pums GROUP BY sex";
  private static final QueryOptions HALF = QueryOptions.defaults().withEpsilon("0.5");

  @TempDir Path dir;

  private String saved;

  /** This test's own cache folder (the build points every test at one shared folder). */
  @BeforeEach
  void ownCache() {
    saved = System.getProperty(CacheLocation.PROPERTY);
    System.setProperty(CacheLocation.PROPERTY, dir.resolve("cache").toString());
  }

  @AfterEach
  void restore() {
    if (saved == null) {
      System.clearProperty(CacheLocation.PROPERTY);
    } else {
      System.setProperty(CacheLocation.PROPERTY, saved);
    }
  }

  @Test
  void anEmbeddedQueryKeepsItsChoiceForLaterProcesses() throws IOException {
    Path yaml = PumsFiles.pumsYaml(dir.resolve("embedded"), "PUMS_pid.csv", "pid", 1, 1, "10");
    try (Dpq dpq = Dpq.open(yaml)) {
      dpq.query(SQL, HALF);
    }
    List<Path> kept = orders(dir.resolve("cache"));
    assertEquals(1, kept.size(), "one choice file beside the typed copy: " + kept);
    String text = Files.readString(kept.get(0));
    assertTrue(text.matches("[0-9a-f]{64} (AGGREGATE_FIRST|RANK_FIRST)\n"), "a probe hash and an order only");
    // A later process reads it (GroupLimitChoiceTest shows the probe is not run again) and answers as before.
    try (Dpq dpq = Dpq.open(yaml)) {
      assertEquals(2, dpq.query(SQL, QueryOptions.defaults().withEpsilon("0.25")).rows().size());
    }
    assertEquals(text, Files.readString(kept.get(0)));
  }

  @Test
  void aServedDatasetKeepsNoChoiceFile() throws IOException {
    Path yaml = PumsFiles.pumsYaml(dir.resolve("served"), "PUMS_pid.csv", "pid", 1, 1, "10");
    try (Ledger ledger = Ledger.open(dir.resolve("served").resolve("served.ledger.db").toString());
        Dpq served = Dpq.openServed(yaml, ledger)) {
      served.allocate("ann", PrivacyLoss.of(2.0, 0), "officer", "test");
      served.query(SQL, HALF.withAnalyst("ann"));
    }
    assertTrue(Files.isDirectory(dir.resolve("cache")), "the typed copy's folder exists");
    assertEquals(List.of(), orders(dir.resolve("cache")));
  }

  private static List<Path> orders(Path folder) throws IOException {
    try (Stream<Path> s = Files.walk(folder)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".orders")).toList();
    }
  }
}
