package org.dpq.engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The PUMS samples committed under engine/src/test/resources/pums (with their licence), as files DuckDB,
 * PostgreSQL's COPY and Spark can read. Engine tests find them in target/test-classes; other modules read them
 * from the engine test-jar, so they are copied out once per JVM into a temporary folder. Test-only.
 */
public final class PumsFiles {
  private static final List<String> FILES = List.of("PUMS_pid.csv", "PUMS_dup.csv", "PUMS_null.csv");
  private static Path dir;

  private PumsFiles() {}

  /** The folder holding PUMS_pid.csv, PUMS_dup.csv and PUMS_null.csv. */
  public static synchronized Path dir() {
    if (dir == null) {
      dir = locate();
    }
    return dir;
  }

  /** The path of a PUMS sample, e.g. {@code pums("PUMS_dup.csv")}. */
  public static Path pums(String file) {
    Path path = dir().resolve(file);
    if (!Files.isRegularFile(path)) {
      throw new IllegalArgumentException("no PUMS sample " + file + "; there are " + FILES);
    }
    return path;
  }

  private static Path locate() {
    URL url = PumsFiles.class.getResource("/pums/PUMS_dup.csv");
    if (url == null) {
      throw new IllegalStateException("pums/PUMS_dup.csv is not on the test class path (engine test resources)");
    }
    try {
      if ("file".equals(url.getProtocol())) {
        return Path.of(url.toURI()).getParent();
      }
      Path tmp = Files.createTempDirectory("dpq-pums");
      for (String name : FILES) {
        try (InputStream in = PumsFiles.class.getResourceAsStream("/pums/" + name)) {
          Files.copy(in, tmp.resolve(name));
        }
        tmp.resolve(name).toFile().deleteOnExit();
      }
      tmp.toFile().deleteOnExit();
      return tmp;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes a dataset YAML over a PUMS file into {@code dir} and returns its path. */
  public static Path pumsYaml(Path dir, String file, String unit, int groups, int rows, String budgetEpsilon) {
    return pumsYaml(dir, pums(file), unit, groups, rows, budgetEpsilon);
  }

  /** Writes a dataset YAML over a CSV with the PUMS columns ({@code csv}, e.g. one a test derived) into {@code dir}. */
  public static Path pumsYaml(Path dir, Path csv, String unit, int groups, int rows, String budgetEpsilon) {
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
        """.formatted(csv.toString().replace("\\", "/"), unit, groups, rows, budgetEpsilon);
    try {
      Files.createDirectories(dir);
      Path path = dir.resolve("pums.yaml");
      Files.writeString(path, yaml);
      return path;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The design's example YAML over a given CSV (absolute path), with a pid column added as the unit. */
  public static String designYaml(Path csv) {
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
