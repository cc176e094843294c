package org.dpq.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.dpq.budget.Ledger;
import org.dpq.mechanisms.PrivacyLoss;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a served dataset the group-limit order a query's shape probe chose is remembered per analyst: bob's query of
 * the same shape as ann's runs its own probe rather than finishing faster on ann's memory, which would tell him that
 * someone asked a query of that shape (invariant 8, timing). Each analyst's repeat of a shape is still remembered.
 */
class ServedGroupLimitOrdersTest {
  @TempDir Path dir;

  @Test
  void eachAnalystHasTheirOwnMemoryOfOrders() {
    Path yaml = PumsFiles.pumsYaml(dir, "PUMS_pid.csv", "pid", 1, 1, "10");
    try (Ledger ledger = Ledger.open(dir.resolve("served.ledger.db").toString());
        Dpq served = Dpq.openServed(yaml, ledger)) {
      served.allocate("ann", PrivacyLoss.of(3.0, 0), "officer", "test");
      served.allocate("bob", PrivacyLoss.of(3.0, 0), "officer", "test");
      QueryOptions options = QueryOptions.defaults().withEpsilon("0.5");
      served.query("SELECT sex, COUNT(*) AS n FROM pums GROUP BY sex", options.withAnalyst("ann"));
      assertEquals(1, served.groupLimitOrdersRememberedForTest(), "ann's query probed the data's shape once");
      served.query("SELECT sex, COUNT(*) AS n FROM pums GROUP BY sex", options.withAnalyst("bob"));
      assertEquals(2, served.groupLimitOrdersRememberedForTest(), "bob's query of the same shape has its own probe");
      served.query("SELECT sex, SUM(age) AS s FROM pums GROUP BY sex", options.withAnalyst("ann"));
      served.query("SELECT sex, SUM(age) AS s FROM pums GROUP BY sex", options.withAnalyst("bob"));
      assertEquals(2, served.groupLimitOrdersRememberedForTest(), "each one's repeat of the shape is remembered");
    }
  }
}
