package org.dpq.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.dpq.budget.Ledger;
import org.dpq.mechanisms.PrivacyLoss;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a served dataset (one {@link Dpq} and one ledger for every analyst), a stored answer belongs to the analyst who
 * was charged for it: another principal asking the same query gets a release of their own, charged to their own
 * allocation, and never learns from a free, "reused" answer that someone asked it first (invariant 8). Each analyst's
 * own repeat is still their stored answer, at no cost.
 */
class ServedStoredAnswersTest {
  private static final String SQL = "SELECT sex, COUNT(*) AS n FROM pums GROUP BY sex";
  private static final QueryOptions HALF = QueryOptions.defaults().withEpsilon("0.5");

  @TempDir Path dir;

  @Test
  void aStoredAnswerIsOnlyEverItsOwnAnalysts() {
    Path yaml = PumsFiles.pumsYaml(dir, "PUMS_pid.csv", "pid", 1, 1, "10");
    try (Ledger ledger = Ledger.open(dir.resolve("served.ledger.db").toString());
        Dpq served = Dpq.openServed(yaml, ledger)) {
      served.allocate("ann", PrivacyLoss.of(2.0, 0), "officer", "test");
      served.allocate("bob", PrivacyLoss.of(2.0, 0), "officer", "test");
      assertFalse(served.query(SQL, HALF.withAnalyst("ann")).reused(), "ann's first query is charged");
      QueryResult bobs = served.query(SQL, HALF.withAnalyst("bob"));
      assertFalse(bobs.reused(), "bob's identical query is a release of his own, not ann's stored answer");
      assertTrue(served.query(SQL, HALF.withAnalyst("ann")).reused(), "ann's repeat: her stored answer");
      QueryResult again = served.query(SQL, HALF.withAnalyst("bob"));
      assertTrue(again.reused(), "bob's repeat: his stored answer");
      assertEquals(bobs.rows(), again.rows());
      Map<String, BigDecimal> spent = new HashMap<>();
      served.allocations().forEach(a -> spent.put(a.analyst(), a.spent().epsilon()));
      assertEquals(0, new BigDecimal("0.5").compareTo(spent.get("ann")), "ann paid once: " + spent);
      assertEquals(0, new BigDecimal("0.5").compareTo(spent.get("bob")), "bob paid once, for his own: " + spent);
    }
  }
}
