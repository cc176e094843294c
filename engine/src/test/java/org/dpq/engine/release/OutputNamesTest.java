package org.dpq.engine.release;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.dpq.engine.analysis.Analyzer;
import org.junit.jupiter.api.Test;

class OutputNamesTest {
  private static List<String> names(String sql) {
    return OutputNames.of(new Analyzer().analyze(ReleaseNoiseTest.DATASET, sql));
  }

  @Test
  void unaliasedAggregatesAreNamedAfterTheirFunctionAndColumn() {
    assertEquals(List.of("g", "count", "sum_v", "avg_v", "var_v", "stddev_v"),
        names("SELECT g, COUNT(*), SUM(v), AVG(v), VAR_POP(v), STDDEV(v) FROM t GROUP BY g"));
  }

  @Test
  void aliasesAreKeptAndGeneratedNamesNeverCollideWithThem() {
    assertEquals(List.of("count", "count_2", "expr_3"),
        names("SELECT COUNT(*) AS \"count\", COUNT(*), COUNT(*) * 2 FROM t"));
  }
}
