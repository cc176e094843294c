package org.dpq.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.dpq.budget.LedgerEntry;
import org.dpq.e2e.hostile.HostileData;
import org.dpq.e2e.hostile.LedgerView;
import org.dpq.engine.Dpq;
import org.dpq.engine.QueryOptions;
import org.dpq.engine.QueryResult;
import org.dpq.engine.execution.PostgresTestServer;
import org.dpq.errors.BackendException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shell's Ctrl-C through the real path: a charged query whose bounded query would run for ten minutes on
 * PostgreSQL (its source view sleeps) is stopped by {@link Dpq#cancelRunning()}; it ends as any failure after the
 * charge does (the same exception, an ABANDON entry), and the charge stands. The loop re-asks until the query has
 * reached the backend; the timeout only guards against a hang (a cancel that did not work), it asserts no speed.
 */
class CancelRunningTest {
  @TempDir static Path dir;
  private static PostgresTestServer server;
  private static Path yaml;

  @BeforeAll
  static void load() throws Exception {
    server = PostgresTestServer.schemaIfAvailable("cancel");
    assumeTrue(server != null, "PostgreSQL not available");
    Path csv = HostileData.people(dir.resolve("data"), 40, 3);
    server.loadCsv("people_rows", HostileData.PEOPLE_PG_COLUMNS, csv);
    server.execute("CREATE VIEW " + server.schema() + ".people AS SELECT * FROM " + server.schema() + ".people_rows");
    yaml = HostileData.yamlWithSource(dir.resolve("y"), "cancel", "people", server.sourceYaml("people"), "1000",
        "1e-3");
  }

  @AfterAll
  static void drop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  @Timeout(300)
  void aCancelledQueryFailsAfterItsChargeAndTheChargeStands() throws Exception {
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try (Dpq dpq = Dpq.open(yaml)) {
      dpq.query("SELECT COUNT(*) AS n FROM people", QueryOptions.defaults()); // opens the backend on the plain view
      String s = server.schema();
      server.execute("CREATE OR REPLACE VIEW " + s + ".people AS SELECT * FROM " + s + ".people_rows WHERE "
          + "(SELECT pg_sleep(600)) IS NOT NULL");
      LedgerView before = LedgerView.of(dpq);
      Future<QueryResult> running = pool.submit(() -> dpq.query("SELECT COUNT(*) AS n FROM people",
          QueryOptions.defaults().withEpsilon("0.25")));
      while (!running.isDone()) {
        dpq.cancelRunning();
        Thread.sleep(25);
      }
      ExecutionException failure = assertThrows(ExecutionException.class, running::get);
      assertInstanceOf(BackendException.class, failure.getCause(), String.valueOf(failure.getCause()));
      LedgerView after = LedgerView.of(dpq);
      assertEquals(0, after.epsilonSince(before).compareTo(new BigDecimal("0.25")), "the charge stands");
      List<LedgerEntry> history = dpq.history();
      assertEquals("ABANDON", history.get(history.size() - 1).kind());
      assertEquals(0, dpq.cancelRunning(), "nothing is left running");
    } finally {
      pool.shutdownNow();
    }
  }
}
