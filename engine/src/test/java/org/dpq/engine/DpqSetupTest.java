package org.dpq.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.dpq.errors.BackendException;
import org.dpq.errors.QueryRejectedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code explain} and rejections never load the source: analysis and dry runs use an empty table of the declared
 * types, and the source is loaded only after analysis succeeded, before the charge.
 */
class DpqSetupTest {
  private static final String QUERY = "SELECT grp, COUNT(*) AS n FROM t GROUP BY grp";

  @TempDir Path tmp;
  private final List<String> phases = Collections.synchronizedList(new ArrayList<>());

  /** A dataset whose CSV lacks the declared column {@code grp}: any load of it fails. */
  private Path unloadable() throws IOException {
    return dataset("pid,other\n1,a\n2,b\n");
  }

  /** The dataset {@code t} (pid, grp with public values a and b) over a CSV with {@code csv} in it. */
  private Path dataset(String csv) throws IOException {
    Files.writeString(tmp.resolve("t.csv"), csv);
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

  @Test
  void explainWorksOnASourceThatWouldFailToLoad() throws IOException {
    try (Dpq dpq = Dpq.open(unloadable(), (phase, nanos) -> phases.add(phase))) {
      Explanation e = dpq.explain(QUERY, QueryOptions.defaults());
      assertEquals(0, e.total().epsilon().compareTo(java.math.BigDecimal.ONE), e.toString());
      assertTrue(phases.contains("setup"), phases.toString());
      assertFalse(phases.contains("load"), phases.toString());
    }
  }

  @Test
  void aRejectedQueryLoadsNothingAndCostsNothing() throws IOException {
    try (Dpq dpq = Dpq.open(unloadable(), (phase, nanos) -> phases.add(phase))) {
      assertThrows(QueryRejectedException.class, () -> dpq.query("SELECT pid FROM t", QueryOptions.defaults()));
      assertFalse(phases.contains("load"), phases.toString());
      assertEquals(1, dpq.history().size()); // INIT only
    }
  }

  /**
   * {@link Dpq#startPlannerSetup()} (a CLI call's overlap of the empty table's setup with analysis) changes no
   * outcome: a rejected query still loads nothing and costs nothing, whichever of the two threads sets up.
   */
  @Test
  void aRejectedQueryCostsNothingWithTheSetupInTheBackground() throws IOException {
    try (Dpq dpq = Dpq.open(unloadable(), (phase, nanos) -> phases.add(phase))) {
      dpq.startPlannerSetup();
      assertThrows(QueryRejectedException.class, () -> dpq.query("SELECT pid FROM t", QueryOptions.defaults()));
      Explanation e = dpq.explain(QUERY, QueryOptions.defaults());
      assertEquals(0, e.total().epsilon().compareTo(java.math.BigDecimal.ONE), e.toString());
      assertFalse(phases.contains("load"), phases.toString());
      assertEquals(1, phases.stream().filter("setup"::equals).count(), "set up once: " + phases);
      assertEquals(0, dpq.budgetStatus().spent().epsilon().signum());
      assertEquals(1, dpq.history().size()); // INIT only
    }
  }

  /**
   * With the setup in the background, a ledger that cannot charge (its chain head table moved away by another
   * connection) still stops the query before the bounded query reads any data, and records nothing.
   */
  @Test
  void aLedgerThatCannotChargeStopsTheQueryBeforeTheBackendWithTheSetupInTheBackground() throws Exception {
    Path yaml = dataset("pid,grp\n1,a\n2,b\n");
    try (Dpq dpq = Dpq.open(yaml, (phase, nanos) -> phases.add(phase))) {
      dpq.startPlannerSetup();
      try (java.sql.Connection lock = java.sql.DriverManager.getConnection("jdbc:sqlite:" + tmp.resolve("t.ledger.db"));
          java.sql.Statement st = lock.createStatement()) {
        st.execute("ALTER TABLE dpq_ledger_head RENAME TO dpq_ledger_head_moved");
        assertThrows(org.dpq.errors.LedgerException.class, () -> dpq.query(QUERY, QueryOptions.defaults()));
        st.execute("ALTER TABLE dpq_ledger_head_moved RENAME TO dpq_ledger_head");
      }
      assertFalse(phases.contains("backend"), phases.toString());
      assertFalse(phases.contains("release"), phases.toString());
      assertEquals(0, dpq.budgetStatus().spent().epsilon().signum());
      assertEquals(1, dpq.history().size());
      // The same query once the ledger can charge again: answered, so the failure above was the ledger's.
      assertEquals(2, dpq.query(QUERY, QueryOptions.defaults()).rows().size());
    }
  }

  /** A planner set up in the background after close() is never created (no DuckDB left open). */
  @Test
  void aBackgroundSetupAfterCloseCreatesNothing() throws IOException {
    Dpq dpq = Dpq.open(unloadable(), (phase, nanos) -> phases.add(phase));
    dpq.close();
    dpq.startPlannerSetup();
    assertThrows(IllegalStateException.class, () -> dpq.explain(QUERY, QueryOptions.defaults()));
    assertFalse(phases.contains("setup"), phases.toString());
  }

  /** The load comes after analysis and before the charge: a source that does not load costs nothing. */
  @Test
  void aSourceThatFailsToLoadFailsBeforeTheCharge() throws IOException {
    try (Dpq dpq = Dpq.open(unloadable(), (phase, nanos) -> phases.add(phase))) {
      BackendException e = assertThrows(BackendException.class, () -> dpq.query(QUERY, QueryOptions.defaults()));
      assertTrue(e.getMessage().contains("grp"), e.getMessage());
      assertFalse(phases.contains("charge"), phases.toString());
      assertEquals(0, dpq.budgetStatus().spent().epsilon().signum());
      assertEquals(1, dpq.history().size());
    }
  }
}
