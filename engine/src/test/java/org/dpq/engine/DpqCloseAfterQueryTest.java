package org.dpq.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.dpq.budget.LedgerEntry;
import org.dpq.engine.execution.DuckDbBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Dpq#closeBackendAfterNextQuery()} (a CLI call closes DuckDB in the background while the answer is released
 * and recorded) changes no outcome: the answer is recorded before the query returns, {@link Dpq#close()} returns
 * only when the backend is closed and its spill folder deleted, and a later query loads the backend again.
 */
class DpqCloseAfterQueryTest {
  private static final String QUERY = "SELECT grp, COUNT(*) AS n FROM t GROUP BY grp";

  @TempDir Path tmp;
  private final List<String> phases = Collections.synchronizedList(new ArrayList<>());
  private String spillParent;
  private Path spills;

  @BeforeEach
  void spillUnderTmp() throws IOException {
    spillParent = System.getProperty(DuckDbBackend.SPILL_PARENT_PROPERTY);
    spills = Files.createDirectories(tmp.resolve("spills"));
    System.setProperty(DuckDbBackend.SPILL_PARENT_PROPERTY, spills.toString());
  }

  @AfterEach
  void restoreSpill() {
    if (spillParent == null) {
      System.clearProperty(DuckDbBackend.SPILL_PARENT_PROPERTY);
    } else {
      System.setProperty(DuckDbBackend.SPILL_PARENT_PROPERTY, spillParent);
    }
  }

  private Path dataset() throws IOException {
    Files.writeString(tmp.resolve("t.csv"), "pid,grp\n1,a\n2,b\n3,a\n");
    return Files.writeString(tmp.resolve("t.yaml"), """
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

  private long spillFolders() throws IOException {
    try (Stream<Path> s = Files.list(spills)) {
      return s.count();
    }
  }

  private static boolean closerAlive() {
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.getName().equals("dpq-backend-close") && t.isAlive());
  }

  @Test
  void closeWaitsForTheBackgroundCloseAndTheAnswerIsRecordedFirst() throws IOException {
    Dpq dpq = Dpq.open(dataset(), (phase, nanos) -> phases.add(phase));
    QueryResult r;
    try {
      dpq.closeBackendAfterNextQuery();
      r = dpq.query(QUERY, QueryOptions.defaults());
      assertEquals(2, r.rows().size());
      List<LedgerEntry> history = dpq.history();
      // INIT, the charge and its release: recorded before query returned, whatever the background thread does
      assertEquals(3, history.size(), history.toString());
      assertEquals(1, phases.stream().filter("load"::equals).count(), phases.toString());
    } finally {
      dpq.close();
    }
    assertFalse(closerAlive(), "close() returned while the backend was still being closed");
    assertEquals(0, spillFolders(), "close() returned before DuckDB's spill folders were deleted");
    try (Dpq again = Dpq.open(tmp.resolve("t.yaml"))) {
      assertEquals(3, again.history().size(), "the ledger was closed with everything committed");
    }
  }

  /**
   * close() waits for the background close: with that close held back (a test-only gate), close() is seen waiting
   * in Thread.join with the spill folder still there, and returns only after the gate opens and the folder is gone.
   */
  @Test
  void closeReturnsOnlyAfterTheHeldBackCloseHasRun() throws Exception {
    Dpq dpq = Dpq.open(dataset(), (phase, nanos) -> phases.add(phase));
    java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
    dpq.gateBackgroundClose(gate);
    dpq.closeBackendAfterNextQuery();
    assertEquals(2, dpq.query(QUERY, QueryOptions.defaults()).rows().size());
    assertEquals(1, spillFolders(), "the backend is not closed while the gate is shut");
    Thread closing = new Thread(dpq::close, "test-close");
    closing.start();
    while (!(closing.getState() == Thread.State.WAITING && java.util.Arrays.stream(closing.getStackTrace())
        .anyMatch(f -> f.getClassName().equals(Thread.class.getName()) && f.getMethodName().equals("join")))) {
      assertTrue(closing.isAlive(), "close() returned without waiting for the background close");
      Thread.onSpinWait();
    }
    assertEquals(1, spillFolders(), "close() is waiting and the background close has not run");
    gate.countDown();
    closing.join();
    assertEquals(0, spillFolders(), "close() returned before DuckDB's spill folder was deleted");
  }

  @Test
  void aLaterQueryLoadsTheBackendAgainOnlyWhenItWasClosedAfterTheFirst() throws IOException {
    try (Dpq dpq = Dpq.open(dataset(), (phase, nanos) -> phases.add(phase))) {
      dpq.query(QUERY, QueryOptions.defaults().withEpsilon("0.5"));
      dpq.query(QUERY, QueryOptions.defaults().withEpsilon("0.25"));
      assertEquals(1, phases.stream().filter("load"::equals).count(), "kept open: " + phases);
      phases.clear();
      dpq.closeBackendAfterNextQuery();
      dpq.query(QUERY, QueryOptions.defaults().withEpsilon("0.125"));
      assertEquals(0, phases.stream().filter("load"::equals).count(), phases.toString());
      // closed in the background after that query: this one opens (loads) it again and keeps it open
      assertEquals(2, dpq.query(QUERY, QueryOptions.defaults().withEpsilon("0.0625")).rows().size());
      assertEquals(1, phases.stream().filter("load"::equals).count(), phases.toString());
      assertEquals(0, dpq.budgetStatus().spent().epsilon().compareTo(new java.math.BigDecimal("0.9375")));
    }
    assertEquals(0, spillFolders());
  }
}
