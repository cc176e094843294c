package org.dpq.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finds ../shared/data (beside the repository) from any module's working directory. Test-only. */
public final class SharedData {
  private SharedData() {}

  /** The path of a PUMS sample, e.g. {@code pums("PUMS_dup.csv")}. */
  public static Path pums(String file) {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null) {
      Path candidate = dir.resolve("shared/data/pums").resolve(file);
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
      Path sibling = dir.resolveSibling("shared").resolve("data/pums").resolve(file);
      if (Files.isRegularFile(sibling)) {
        return sibling;
      }
      dir = dir.getParent();
    }
    throw new IllegalStateException("cannot find shared/data/pums/" + file + " beside the repository");
  }

  /** Writes a dataset YAML over a PUMS file into {@code dir} and returns its path. */
  public static Path pumsYaml(Path dir, String file, String unit, int groups, int rows, String budgetEpsilon) {
    String yaml = """
        name: pums
        table: pums
        source: { csv: "%s" }
        privacy_unit: %s
        max_groups_contributed: %d
        max_rows_per_group: %d
        budget: { epsilon: %s, delta: 1.0e-5 }
        defaults: { epsilon: 1.0, delta: 1.0e-7 }
        columns:
          age:     { type: int, lower: 0, upper: 100 }
          sex:     { type: string, public_values: ["0", "1"] }
          educ:    { type: string }
          race:    { type: string }
          income:  { type: double, lower: 0, upper: 500000 }
          married: { type: string, public_values: ["0", "1"] }
          pid:     { type: int }
        """.formatted(pums(file).toString().replace("\\", "/"), unit, groups, rows, budgetEpsilon);
    try {
      Files.createDirectories(dir);
      Path path = dir.resolve("pums.yaml");
      Files.writeString(path, yaml);
      return path;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
