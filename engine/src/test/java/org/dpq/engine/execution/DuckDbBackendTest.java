package org.dpq.engine.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.DatasetLoader;
import org.dpq.engine.catalog.PumsData;
import org.junit.jupiter.api.Test;

class DuckDbBackendTest {
  private static Dataset pums(String file) {
    return DatasetLoader.parse(PumsData.yaml(PumsData.file(file)), PumsData.dir());
  }

  @Test
  void countsEveryRowOfTheDuplicatedSample() {
    try (DuckDbBackend b = DuckDbBackend.open(pums("PUMS_dup.csv"))) {
      List<Object[]> rows = b.execute("SELECT COUNT(*) FROM pums");
      assertEquals(1, rows.size());
      assertEquals(1948L, rows.get(0)[0]);
    }
  }
}
