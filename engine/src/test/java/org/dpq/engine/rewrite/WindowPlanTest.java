package org.dpq.engine.rewrite;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import java.util.stream.Collectors;
import org.dpq.engine.analysis.TestDatasets;
import org.dpq.engine.execution.DuckDbBackend;
import org.junit.jupiter.api.Test;

/**
 * The G-groups limit runs on the embedded backend as a window over per-unit rows: DuckDB's rewrite of
 * {@code ROW_NUMBER() ... <= G} into a top-G {@code arg_min} aggregate, which took twice the CPU time on per-unit
 * rows, is off.
 */
class WindowPlanTest {
  @Test
  void theGroupLimitIsAWindowNotATopNAggregate() {
    try (DuckDbBackend backend = DuckDbBackend.open(TestDatasets.pums(2, 1))) {
      String sql = new Rewriter().rewrite(BoundedRunner.ANALYZER.analyze(TestDatasets.pums(2, 1),
          "SELECT educ, COUNT(*) FROM pums GROUP BY educ"), backend.dialect(), 1).sql();
      assertTrue(sql.contains("ROW_NUMBER()") && sql.contains("<= 2"), sql);
      String plan = backend.execute("EXPLAIN " + sql).stream().map(row -> String.valueOf(row[1]))
          .collect(Collectors.joining("\n")).toLowerCase(Locale.ROOT);
      assertTrue(plan.contains("window"), plan);
      assertFalse(plan.contains("arg_min") || plan.contains("min_by"), plan);
    }
  }
}
