package org.dpq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The opening warm-up gets the YAML reader and SQLite's library ready and touches nothing else: no file is read or
 * written by it, and a query right after it answers as one without it.
 */
class OpeningWarmupTest {
  @TempDir Path dir;

  @Test
  void itInitialisesTheReaderAndSqliteAndWritesNothing() throws Exception {
    try (Stream<Path> before = Files.list(dir)) {
      assertEquals(List.of(), before.toList());
    }
    Thread t = OpeningWarmup.start();
    t.join(60_000);
    assertFalse(t.isAlive());
    assertTrue(t.isDaemon(), "never delays the exit of the process");
    assertTrue(OpeningWarmup.run(), "the YAML reader initialised and SQLite's library loaded");
    try (Stream<Path> after = Files.list(dir)) {
      assertEquals(List.of(), after.toList());
    }
  }

  @Test
  void aQueryAfterTheWarmupIsAnsweredAsUsual() throws Exception {
    OpeningWarmup.start().join(60_000);
    TestDataset d = new TestDataset(dir);
    TestDataset.Run run = d.run("query", "--dataset", d.yaml.toString(), "--format", "json",
        "SELECT grp, COUNT(*) AS n FROM t GROUP BY grp");
    assertEquals(0, run.code(), run.toString());
    assertTrue(run.out().contains("\"ledgerSequence\""), run.toString());
  }
}
