package org.dpq.cli.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SampleGeneratorTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** The committed samples, as made by {@code dpq samples generate NAME --rows N --out samples}. */
  private static final Map<String, Long> COMMITTED = Map.of("ratings", 1000L, "clinic", 10_000L, "transactions", 20_000L);

  private static String csv(String name, long rows, long seed) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    SampleGenerator.generate(SampleGenerator.sample(name), rows, seed, out, n -> { });
    return out.toString(StandardCharsets.UTF_8);
  }

  private static List<String[]> rows(String csv) {
    List<String[]> rows = new ArrayList<>();
    for (String line : csv.split("\n")) {
      rows.add(line.split(",", -1));
    }
    return rows;
  }

  @ParameterizedTest
  @ValueSource(strings = {"ratings", "clinic", "transactions"})
  void writesExactlyTheRequestedRowsWithTheDeclaredHeader(String name) {
    for (long n : new long[] {1, 7, 12_345}) {
      List<String[]> rows = rows(csv(name, n, 1));
      assertEquals(n + 1, rows.size(), name + " with " + n + " rows");
      assertArrayEquals(SampleGenerator.sample(name).columns().toArray(), rows.get(0));
      for (String[] r : rows) {
        assertEquals(rows.get(0).length, r.length);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"ratings", "clinic", "transactions"})
  void isReproducibleFromItsSeedOnly(String name) {
    assertEquals(csv(name, 5000, 42), csv(name, 5000, 42));
    assertFalse(csv(name, 5000, 42).equals(csv(name, 5000, 43)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"ratings", "clinic", "transactions"})
  void givesMostUnitsSeveralRows(String name) {
    List<String[]> rows = rows(csv(name, 20_000, 5));
    Map<String, Integer> perUnit = new HashMap<>();
    for (String[] r : rows.subList(1, rows.size())) {
      perUnit.merge(r[0], 1, Integer::sum);
    }
    double mean = 20_000.0 / perUnit.size();
    int max = perUnit.values().stream().mapToInt(i -> i).max().orElseThrow();
    long several = perUnit.values().stream().filter(k -> k > 1).count();
    assertTrue(mean >= 2.0, name + ": mean rows per unit " + mean);
    assertTrue(max >= 8, name + ": max rows per unit " + max);
    assertTrue(several > perUnit.size() / 2, name + ": units with several rows " + several);
  }

  @Test
  void ratingsAreAboutEightyPercentFoursAndTwentyPercentThrees() {
    List<String[]> rows = rows(csv("ratings", 200_000, 9));
    Map<String, Integer> counts = new HashMap<>();
    for (String[] r : rows.subList(1, rows.size())) {
      counts.merge(r[2], 1, Integer::sum);
    }
    assertEquals(Set.of("3", "4"), counts.keySet());
    double fours = counts.get("4") / 200_000.0;
    assertTrue(fours > 0.78 && fours < 0.82, "share of fours " + fours);
  }

  @Test
  void aUserRatesEachProductAtMostOnce() {
    List<String[]> rows = rows(csv("ratings", 50_000, 2));
    Set<String> pairs = new HashSet<>();
    for (String[] r : rows.subList(1, rows.size())) {
      assertTrue(pairs.add(r[0] + "/" + r[1]), "user " + r[0] + " rated product " + r[1] + " twice");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"ratings", "clinic", "transactions"})
  void valuesFitTheYamlDeclaration(String name) throws Exception {
    Sample sample = SampleGenerator.sample(name);
    JsonNode yaml = YAML.readTree(SampleGenerator.yaml(sample, name + ".csv", 30_000, 4));
    assertEquals(sample.unitColumn(), yaml.get("privacy_unit").asText());
    assertEquals(name + ".csv", yaml.get("source").get("csv").asText());
    JsonNode columns = yaml.get("columns");
    List<String> header = sample.columns();
    Set<String> declared = new HashSet<>();
    columns.fieldNames().forEachRemaining(declared::add);
    assertEquals(new HashSet<>(header), declared);
    List<String[]> rows = rows(csv(name, 30_000, 4));
    for (int j = 0; j < header.size(); j++) {
      JsonNode col = columns.get(header.get(j));
      Set<String> domain = new HashSet<>();
      if (col.has("public_values")) {
        col.get("public_values").forEach(v -> domain.add(v.asText()));
      }
      int outside = 0;
      for (String[] r : rows.subList(1, rows.size())) {
        String v = r[j];
        assertFalse(v.isEmpty(), header.get(j) + " is empty");
        if (!domain.isEmpty()) {
          assertTrue(domain.contains(v), header.get(j) + " value outside its public domain");
        }
        if (col.has("lower")) {
          double d = Double.parseDouble(v);
          if (d < col.get("lower").asDouble() || d > col.get("upper").asDouble()) {
            outside++;
          }
        }
      }
      // Bounds clamp a few outliers (realistic), never most of the data.
      assertTrue(outside < rows.size() / 100, header.get(j) + ": " + outside + " values outside the bounds");
    }
  }

  @Test
  void theCommittedSamplesAreExactlyTheGeneratorsOutput() throws Exception {
    Path samples = Path.of("..", "samples");
    for (Map.Entry<String, Long> e : COMMITTED.entrySet()) {
      String name = e.getKey();
      Sample sample = SampleGenerator.sample(name);
      assertEquals(csv(name, e.getValue(), SampleGenerator.DEFAULT_SEED),
          Files.readString(samples.resolve(name + ".csv")), name + ".csv differs: regenerate it");
      assertEquals(SampleGenerator.yaml(sample, name + ".csv", e.getValue(), SampleGenerator.DEFAULT_SEED),
          Files.readString(samples.resolve(name + ".yaml")), name + ".yaml differs: regenerate it");
    }
  }

  @Test
  void generateToWritesCsvAndYamlSideBySide(@TempDir Path dir) throws Exception {
    SampleGenerator.Written w = SampleGenerator.generateTo(SampleGenerator.sample("clinic"), 300, 1,
        dir.resolve("out"), n -> { });
    assertEquals(dir.resolve("out/clinic.csv"), w.csv());
    assertEquals(dir.resolve("out/clinic.yaml"), w.yaml());
    assertEquals(301, Files.readAllLines(w.csv()).size());
    assertEquals(300, w.stats().rows());
    assertTrue(w.stats().units() < 300);
    assertTrue(Files.readString(w.yaml()).contains("--rows 300 --seed 1"));
  }

  @Test
  void rejectsUnknownSamplesAndEmptySizes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SampleGenerator.sample("pums"));
    assertTrue(e.getMessage().contains("ratings, clinic, transactions"));
    assertThrows(IllegalArgumentException.class,
        () -> SampleGenerator.generate(SampleGenerator.sample("ratings"), 0, 1, new ByteArrayOutputStream(), n -> { }));
  }
}
