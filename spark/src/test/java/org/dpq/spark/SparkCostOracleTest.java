package org.dpq.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import org.dpq.budget.EntryKind;
import org.dpq.engine.Dpq;
import org.dpq.engine.QueryOptions;
import org.dpq.engine.TestSeams;
import org.dpq.engine.analysis.CostOracles;
import org.dpq.engine.analysis.PolicySamples;
import org.dpq.errors.QueryRejectedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cost-oracle family of the hostile corpus on Spark: the same expression policy holds, so each case is refused
 * before the charge with the same message as on DuckDB and PostgreSQL, and a bounded condition is still answered.
 */
class SparkCostOracleTest {
  @Test
  void costOraclesAreRefusedBeforeTheChargeAsOnTheOtherBackends(@TempDir Path dir) throws Exception {
    LocalSpark.session();
    StringBuilder csv = new StringBuilder("pid,name,age,income\n");
    for (int pid = 1; pid <= 30; pid++) {
      csv.append(pid).append(",n").append(pid).append(',').append(20 + pid).append(',').append(1000 * pid)
          .append('\n');
    }
    Path file = Files.writeString(dir.resolve("people.csv"), csv);
    Path yaml = Files.writeString(dir.resolve("people.yaml"), """
        name: sparkcost
        table: people
        source: { spark: { csv: '%s' } }
        privacy_unit: pid
        max_groups_contributed: 1
        max_rows_per_group: 1
        budget: { epsilon: 1000, delta: 1.0e-3 }
        defaults: { epsilon: 0.5, delta: 1.0e-7 }
        columns:
          pid: { type: int }
          name: { type: string }
          age: { type: int, lower: 0, upper: 100 }
          income: { type: double, lower: 0, upper: 100000 }
        """.formatted(file.toAbsolutePath().toString().replace("'", "''")));
    try (Dpq dpq = TestSeams.openWithoutNoise(yaml)) {
      for (CostOracles.CostOracle c : CostOracles.all()) {
        long charges = charges(dpq);
        try {
          dpq.query(c.sql(), QueryOptions.defaults());
          fail(c.id() + ": answered on Spark");
        } catch (QueryRejectedException e) {
          assertTrue(e.getMessage().contains(c.fragment()), c.id() + ": " + e.getMessage());
        }
        assertEquals(charges, charges(dpq), c.id() + ": charged");
      }
      PolicySamples.checkOn("Spark", sql -> dpq.query(sql, QueryOptions.defaults()).value(0, "n"));
      var answered = dpq.query("SELECT COUNT(*) AS n FROM people WHERE CASE WHEN pid = 7 THEN "
          + "CHAR_LENGTH(UPPER(name) || name) > 0 ELSE TRUE END", QueryOptions.defaults());
      assertEquals(30L, answered.value(0, "n"));
    }
  }

  private static long charges(Dpq dpq) {
    return dpq.history().stream().filter(e -> EntryKind.CHARGE.name().equals(e.kind())).count();
  }
}
