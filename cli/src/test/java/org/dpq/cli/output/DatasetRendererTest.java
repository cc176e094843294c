package org.dpq.cli.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.dpq.client.Wire;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.DatasetLoader;
import org.junit.jupiter.api.Test;

/** A date column's bounds (held as epoch days) are shown as the ISO dates the YAML declares, in every format. */
class DatasetRendererTest {
  private static final Dataset DATED = DatasetLoader.parse("""
      name: dated
      table: t
      source: { csv: t.csv }
      privacy_unit: pid
      max_groups_contributed: 1
      max_rows_per_group: 1
      budget: { epsilon: 1, delta: 1.0e-6 }
      defaults: { epsilon: 0.5, delta: 1.0e-7 }
      columns:
        pid: { type: int }
        age: { type: int, lower: 0, upper: 100 }
        d:   { type: date, lower: "2020-01-01", upper: "2024-12-31" }
        x:   { type: double, bounds: { auto: { epsilon: 0.10 } } }
      """, Path.of("/owner"));

  @Test
  void dateBoundsAreIsoDatesAndNumericBoundsNumbers() {
    List<String> table = DatasetRenderer.table(DATED);
    assertTrue(table.stream().anyMatch(l -> l.matches("d\\s+date\\s+\\[2020-01-01, 2024-12-31\\].*")),
        String.join("\n", table));
    assertTrue(table.stream().anyMatch(l -> l.matches("age\\s+int\\s+\\[0, 100\\].*")), String.join("\n", table));
    List<String> csv = DatasetRenderer.csv(DATED);
    assertEquals("d,date,2020-01-01,2024-12-31,", csv.get(3));
    assertEquals("age,int,0,100,", csv.get(2));
    String json = Wire.write(DatasetRenderer.json(DATED));
    assertTrue(json.contains("\"lower\":\"2020-01-01\",\"upper\":\"2024-12-31\""), json);
    assertTrue(json.contains("\"lower\":0.0,\"upper\":100.0"), json);
  }

  @Test
  void autoBoundsAreShownAsSuchWithTheirShare() {
    List<String> table = DatasetRenderer.table(DATED);
    assertTrue(table.stream().anyMatch(l -> l.matches("x\\s+double\\s+auto \\(estimated with DP once, epsilon 0\\.1, "
        + "see explain\\).*")), String.join("\n", table));
  }
}
