package org.dpq.engine.catalog;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the shared PUMS samples by walking up from the working directory (they are never copied in). */
public final class PumsData {
  private PumsData() {}

  /** The folder holding PUMS_pid.csv, PUMS_dup.csv and PUMS_null.csv. */
  public static Path dir() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path candidate = p.resolve("shared").resolve("data").resolve("pums");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("no shared/data/pums folder above " + Path.of("").toAbsolutePath());
  }

  public static Path file(String name) {
    return dir().resolve(name);
  }

  /** The design's example YAML over a given CSV (absolute path), with a pid column added as the unit. */
  public static String yaml(Path csv) {
    return """
        name: pums
        table: pums
        source: { csv: '%s' }
        privacy_unit: pid
        max_groups_contributed: 1
        max_rows_per_group: 1
        budget: { epsilon: 3.0, delta: 1.0e-6 }
        defaults: { epsilon: 0.5, delta: 1.0e-7 }
        columns:
          age:    { type: int, lower: 0, upper: 100 }
          sex:    { type: string, public_values: ["0", "1"] }
          income: { type: double, lower: 0, upper: 500000 }
          educ:   { type: string }
          pid:    { type: int }
        """.formatted(csv.toString().replace("'", "''"));
  }
}
