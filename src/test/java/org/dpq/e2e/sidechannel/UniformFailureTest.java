package org.dpq.e2e.sidechannel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.dpq.budget.LedgerEntry;
import org.dpq.e2e.hostile.HostileData;
import org.dpq.e2e.hostile.LedgerView;
import org.dpq.engine.Dpq;
import org.dpq.engine.QueryOptions;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.execution.Backend;
import org.dpq.engine.execution.Backends;
import org.dpq.engine.execution.PostgresTestServer;
import org.dpq.errors.BackendException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failures after the charge look alike: whatever made a paid query fail (the table vanished, a row the source view
 * cannot compute, the statement timeout), the analyst gets one exception with one message, the ledger one ABANDON
 * entry with one note, and the charge stands. Otherwise the exit code and message would answer "which row did the
 * query meet" (the out-of-memory oracle of issue 12 is the same channel). Causes are produced deterministically on a
 * real PostgreSQL server; the broken variant is the backend's own error, which main passed through, and the same
 * check finds the causes apart.
 */
class UniformFailureTest {
  @TempDir static Path dir;
  private static PostgresTestServer server;
  private static Path yaml;
  private static Path csv;

  @BeforeAll
  static void load() throws Exception {
    server = PostgresTestServer.schemaIfAvailable("uniform");
    assumeTrue(server != null, "PostgreSQL not available");
    csv = HostileData.people(dir.resolve("data"), 40, 3);
    server.loadCsv("people_rows", HostileData.PEOPLE_PG_COLUMNS, csv);
    server.execute("CREATE VIEW " + server.schema() + ".people AS SELECT * FROM " + server.schema() + ".people_rows");
    Path plain = HostileData.yamlWithSource(dir.resolve("y"), "uniform", "people", server.sourceYaml("people"),
        "1000", "1e-3");
    String text = java.nio.file.Files.readString(plain) + "limits: { timeout_seconds: 1 }\n";
    java.nio.file.Files.writeString(plain, text);
    yaml = plain;
  }

  @AfterAll
  static void drop() {
    if (server != null) {
      server.close();
    }
  }

  /** The causes, each set up by replacing the source view. */
  private static List<String> causes() {
    String s = server.schema();
    return List.of(
        "CREATE OR REPLACE VIEW " + s + ".people AS SELECT pid, name, grp, city, age, income / (pid - pid) AS income, big,"
            + " wide, score, code, tag FROM " + s + ".people_rows",
        "CREATE OR REPLACE VIEW " + s + ".people AS SELECT * FROM " + s + ".people_rows WHERE "
            + "(SELECT pg_sleep(3)) IS NOT NULL",
        "DROP VIEW " + s + ".people");
  }

  private static void restore() throws Exception {
    server.execute("DROP VIEW IF EXISTS " + server.schema() + ".people",
        "CREATE VIEW " + server.schema() + ".people AS SELECT * FROM " + server.schema() + ".people_rows");
  }

  /** A description of how the outcomes differ, or empty when they are alike. */
  static Optional<String> nonUniform(List<String> outcomes) {
    Set<String> distinct = new HashSet<>(outcomes);
    return distinct.size() <= 1 ? Optional.empty() : Optional.of(distinct.size() + " different outcomes");
  }

  @Test
  void everyFailureAfterTheChargeLooksTheSameAndTheChargeStands() throws Exception {
    List<String> messages = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    int i = 0;
    try (Dpq dpq = Dpq.open(yaml)) {
      dpq.query("SELECT COUNT(*) AS n FROM people", QueryOptions.defaults()); // opens the backend; sanity
      for (String cause : causes()) {
        server.execute(cause);
        LedgerView before = LedgerView.of(dpq);
        String epsilon = "0." + (++i);
        try {
          dpq.query("SELECT COUNT(*) AS n, SUM(income) AS s FROM people", QueryOptions.defaults().withEpsilon(epsilon));
          throw new AssertionError("answered despite " + cause);
        } catch (BackendException e) {
          messages.add(e.getMessage().replaceAll("ledger entry \\d+", "ledger entry N"));
        } finally {
          restore();
        }
        LedgerView after = LedgerView.of(dpq);
        assertEquals(0, after.epsilonSince(before).compareTo(new java.math.BigDecimal(epsilon)), "the charge stands");
        List<LedgerEntry> history = dpq.history();
        LedgerEntry last = history.get(history.size() - 1);
        assertEquals("ABANDON", last.kind());
        notes.add(last.note());
      }
    }
    assertEquals(Optional.empty(), nonUniform(messages), String.join("\n", messages));
    assertEquals(Optional.empty(), nonUniform(notes), String.join("\n", notes));
    assertTrue(messages.get(0).contains("same message"), messages.get(0));
  }

  @Test
  void theBackendsOwnErrorsWouldTellTheCausesApart() throws Exception {
    Dataset dataset = org.dpq.engine.catalog.DatasetLoader.load(yaml);
    String bounded;
    try (Dpq dpq = Dpq.open(yaml)) {
      bounded = dpq.explain("SELECT COUNT(*) AS n, SUM(income) AS s FROM people", QueryOptions.defaults())
          .boundedSql();
    }
    List<String> raw = new ArrayList<>();
    try (Backend backend = Backends.open(dataset)) {
      for (String cause : causes()) {
        server.execute(cause);
        try {
          backend.execute(bounded);
          raw.add("answered");
        } catch (BackendException e) {
          raw.add(e.getMessage());
        } finally {
          restore();
        }
      }
    }
    assertFalse(nonUniform(raw).isEmpty(), "the broken variant (the backend's own message) must be caught: " + raw);
  }
}
