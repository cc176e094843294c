package org.dpq.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Copies of the shipped samples (YAML + CSV) into a test's temporary directory, optionally edited. */
final class Samples {
  private Samples() {}

  static Path dir() {
    String configured = System.getProperty("dpq.samples");
    return configured != null ? Path.of(configured) : Path.of("..", "..", "samples");
  }

  /** Copies {@code samples/NAME.yaml} and its CSV into {@code into}; returns the copied YAML. */
  static Path copy(String name, Path into) {
    try {
      Files.copy(dir().resolve(name + ".csv"), into.resolve(name + ".csv"));
      return Files.copy(dir().resolve(name + ".yaml"), into.resolve(name + ".yaml"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Copies a sample with its {@code budget:} line replaced. */
  static Path copyWithBudget(String name, Path into, String epsilon, String delta) {
    Path yaml = copy(name, into);
    edit(yaml, "(?m)^budget: .*$", "budget: { epsilon: " + epsilon + ", delta: " + delta + " }");
    return yaml;
  }

  /** Replaces a regex in a file. */
  static void edit(Path file, String regex, String replacement) {
    try {
      String text = Files.readString(file);
      String edited = text.replaceAll(regex, replacement);
      if (edited.equals(text)) {
        throw new IllegalStateException("no match for " + regex + " in " + file);
      }
      Files.writeString(file, edited);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The example queries shipped in samples/queries, by file name. */
  static Map<String, String> queries() {
    Map<String, String> queries = new LinkedHashMap<>();
    try (var files = Files.list(dir().resolve("queries"))) {
      for (Path p : files.sorted().toList()) {
        if (p.toString().endsWith(".sql")) {
          queries.put(p.getFileName().toString(), Files.readString(p).strip());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return queries;
  }

  /** The CSV rows of a sample (header excluded), split on commas (the samples have no quoted fields). */
  static List<String[]> rows(String name) {
    try {
      List<String> lines = Files.readAllLines(dir().resolve(name + ".csv"));
      List<String[]> rows = new ArrayList<>();
      for (String l : lines.subList(1, lines.size())) {
        rows.add(l.split(","));
      }
      return rows;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
