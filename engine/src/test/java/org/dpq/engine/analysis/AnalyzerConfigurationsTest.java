package org.dpq.engine.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.dpq.engine.catalog.Column;
import org.dpq.engine.catalog.ColumnType;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.PrivacyUnit;
import org.dpq.errors.QueryRejectedException;
import org.junit.jupiter.api.Test;

/**
 * One analyzer, several datasets: each query is analysed against its own dataset's columns, whichever dataset was
 * analysed before it (the analyzer keeps the last dataset's Calcite configuration by identity, the others by value).
 */
class AnalyzerConfigurationsTest {
  private static Dataset withExtra(String column) {
    List<Column> columns = new ArrayList<>(TestDatasets.pumsColumns());
    columns.add(TestDatasets.bounded(column, ColumnType.INT, 0, 10));
    return TestDatasets.dataset("pums", new PrivacyUnit.ByColumn("pid"), 1, 1, columns);
  }

  @Test
  void eachQueryIsAnalysedAgainstItsOwnDataset() {
    Analyzer analyzer = new Analyzer();
    Dataset a = withExtra("alpha");
    Dataset b = withExtra("beta");
    String onA = "SELECT SUM(alpha) FROM pums";
    String onB = "SELECT SUM(beta) FROM pums";
    for (int round = 0; round < 2; round++) {
      assertEquals(1, analyzer.analyze(a, onA).measurements().size());
      assertThrows(QueryRejectedException.class, () -> analyzer.analyze(a, onB));
      assertEquals(1, analyzer.analyze(b, onB).measurements().size());
      assertThrows(QueryRejectedException.class, () -> analyzer.analyze(b, onA));
      // an equal dataset that is another object: analysed as the one it equals
      Dataset a2 = withExtra("alpha");
      assertEquals(1, analyzer.analyze(a2, onA).measurements().size());
      assertThrows(QueryRejectedException.class, () -> analyzer.analyze(a2, onB));
    }
  }
}
