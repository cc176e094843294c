package org.dpq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The analyst's command line on a real dataset: where SQL comes from, where output goes, formats, explain. */
class AnalystCommandsTest {
  @TempDir static Path dir;
  static TestDataset d;
  static String y;
  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void dataset() throws Exception {
    d = new TestDataset(dir, "1000");
    y = d.yaml.toString();
  }

  @Test
  void sqlFromAFileWithDashFStillMeaningFormat() throws Exception {
    Path sql = dir.resolve("q.sql");
    Files.writeString(sql, "-- users per group\nSELECT grp,\n       COUNT(*) AS n\nFROM t\nGROUP BY grp\n");
    TestDataset.Run r = d.run("query", "-d", y, "--file", sql.toString(), "-f", "json");
    assertEquals(0, r.code(), r.toString());
    assertEquals(List.of("grp", "n"), List.of(JSON.readTree(r.out()).get("columns").get(0).asText(),
        JSON.readTree(r.out()).get("columns").get(1).asText()));
  }

  @Test
  void atFileIsOneQueryNotWords() throws Exception {
    Path sql = dir.resolve("words.sql");
    Files.writeString(sql, "SELECT   grp ,  COUNT(*)  AS  \"two words\"\nFROM t GROUP BY grp");
    TestDataset.Run r = d.run("query", "-d", y, "-f", "csv", "@" + sql);
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().startsWith("grp,two words"), r.out());
  }

  @Test
  void pipedStandardInputIsReadWhenNoSqlIsGiven() {
    TestDataset.Run r = d.runWithInput("SELECT COUNT(*) AS n FROM t\n", "query", "-d", y, "-f", "csv");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().startsWith("n,n_ci_low,n_ci_high"), r.out());
    TestDataset.Run dash = d.runWithInput("SELECT COUNT(*) AS m FROM t", "explain", "-d", y, "-");
    assertEquals(0, dash.code(), dash.toString());
  }

  @Test
  void missingOrDoubleSqlIsAUsageError() throws Exception {
    TestDataset.Run none = d.run("query", "-d", y);
    assertEquals(2, none.code(), none.toString());
    assertTrue(none.err().contains("missing the SQL query"), none.err());
    Path sql = dir.resolve("x.sql");
    Files.writeString(sql, "SELECT COUNT(*) FROM t");
    TestDataset.Run both = d.run("query", "-d", y, "--file", sql.toString(), "SELECT 1");
    assertEquals(2, both.code());
    assertEquals(2, d.run("query", "-d", y, "--file", dir.resolve("nope.sql").toString()).code());
    assertEquals(2, d.runWithInput("   \n", "query", "-d", y).code());
  }

  @Test
  void outputGoesToAFileOnlyWhenTheCommandSucceeds() throws Exception {
    Path file = dir.resolve("out.md");
    TestDataset.Run r = d.run("query", "-d", y, "--format", "markdown", "--output", file.toString(),
        "SELECT grp, COUNT(*) AS n_md FROM t GROUP BY grp");
    assertEquals(0, r.code(), r.toString());
    assertEquals("", r.out());
    List<String> lines = Files.readAllLines(file);
    assertEquals("| grp | n_md |", lines.get(0));
    assertEquals("| --- | ---: |", lines.get(1));
    assertTrue(lines.get(2).startsWith("| a | "), lines.toString());
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("cost: epsilon 1")), lines.toString());

    Path failed = dir.resolve("failed.json");
    TestDataset.Run rejected = d.run("query", "-d", y, "-o", failed.toString(), "SELECT pid FROM t");
    assertEquals(3, rejected.code());
    assertFalse(Files.exists(failed), "a failed command must not leave an output file");

    Path status = dir.resolve("status.json");
    assertEquals(0, d.run("budget", "status", "-d", y, "-f", "json", "-o", status.toString()).code());
    assertEquals("t", JSON.readTree(Files.readString(status)).get("dataset").asText());
  }

  @Test
  void jsonLinesHaveOneObjectPerRowAndTheCostOnStandardError() throws Exception {
    TestDataset.Run r = d.run("query", "-d", y, "-f", "jsonl", "SELECT grp, SUM(amount) AS total FROM t GROUP BY grp");
    assertEquals(0, r.code(), r.toString());
    String[] lines = r.out().strip().split("\n");
    assertEquals(3, lines.length, r.out());
    for (int i = 0; i < 3; i++) {
      JsonNode row = JSON.readTree(lines[i]);
      assertEquals(String.valueOf("abc".charAt(i)), row.get("grp").asText());
      assertTrue(row.get("total").isNumber());
      assertEquals(2, row.get("total_ci95").size());
      assertFalse(row.has("grp_ci95"), "keys have no interval");
    }
    assertTrue(r.err().contains("# cost: epsilon 1"), r.err());
  }

  @Test
  void markdownAndJsonlWorkForEveryCommand() {
    for (String[] args : new String[][] {{"budget", "status"}, {"budget", "history"}, {"budget", "verify"},
        {"datasets", "inspect"}}) {
      for (String format : List.of("markdown", "jsonl")) {
        String[] full = new String[args.length + 4];
        System.arraycopy(args, 0, full, 0, args.length);
        System.arraycopy(new String[] {"-d", y, "-f", format}, 0, full, args.length, 4);
        TestDataset.Run r = d.run(full);
        assertEquals(0, r.code(), String.join(" ", full) + "\n" + r);
        assertFalse(r.out().isBlank(), String.join(" ", full));
        if (format.equals("markdown") && !args[1].equals("verify")) {
          assertTrue(r.out().contains("| ---"), String.join(" ", full) + "\n" + r.out());
        }
      }
    }
  }

  @Test
  void explainShowsMeasurementsAndCostFirstAndTheSqlOnlyWithSql() {
    TestDataset.Run plain = d.run("explain", "-d", y, "-e", "5", "SELECT grp, SUM(amount) FROM t GROUP BY grp");
    assertEquals(0, plain.code(), plain.toString());
    assertTrue(plain.out().startsWith("Measurements:"), plain.out());
    assertTrue(plain.out().contains("Total cost: epsilon 5"), plain.out());
    assertFalse(plain.out().contains("Bounded query"), plain.out());
    assertFalse(plain.out().contains("warning"), "a precise enough query is not warned about:\n" + plain.out());

    TestDataset.Run withSql = d.run("explain", "-d", y, "--sql", "SELECT grp, SUM(amount) FROM t GROUP BY grp");
    assertEquals(0, withSql.code(), withSql.toString());
    int cost = withSql.out().indexOf("Total cost:");
    int sql = withSql.out().indexOf("Bounded query (sent to the backend):");
    assertTrue(cost > 0 && sql > cost, withSql.out());
    assertTrue(withSql.out().substring(sql).contains("GROUP BY"), withSql.out());
  }

  /** Epsilon per measurement name, from explain's CSV. */
  private static java.util.Map<String, Double> shares(TestDataset.Run r) {
    java.util.Map<String, Double> out = new java.util.LinkedHashMap<>();
    r.out().lines().skip(1).forEach(l -> {
      String[] f = l.split(",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)");
      out.put(f[0].replace("\"", ""), Double.parseDouble(f[3]));
    });
    return out;
  }

  @Test
  void explainNamesTheDerivedSumAndWeightsMoveEpsilonTowardsTheirAggregate() {
    String sql = "SELECT grp, COUNT(*) AS n, SUM(amount) AS s, AVG(amount) AS a FROM t GROUP BY grp";
    TestDataset.Run plain = d.run("explain", "-d", y, "-e", "1", "-f", "csv", sql);
    assertEquals(0, plain.code(), plain.toString());
    java.util.Map<String, Double> equal = shares(plain);
    assertEquals(3, equal.size(), "COUNT(*), SUM(amount - 50) and COUNT(amount); SUM(amount) is derived: " + equal);
    String centred = equal.keySet().stream().filter(k -> k.startsWith("SUM((amount - 50))")).findFirst().orElseThrow();
    assertTrue(centred.contains("[also gives SUM(amount) = this + 50 * COUNT(amount), not measured]"), centred);
    assertEquals(1.0, equal.values().stream().mapToDouble(Double::doubleValue).sum(), 1e-12);

    TestDataset.Run weighted = d.run("explain", "-d", y, "-e", "1", "-f", "csv", "--weights", "a=8,s=8", sql);
    assertEquals(0, weighted.code(), weighted.toString());
    java.util.Map<String, Double> w = shares(weighted);
    assertTrue(w.get(centred) > equal.get(centred) && w.get("COUNT(*)") < equal.get("COUNT(*)"),
        "weights on AVG and SUM move epsilon from COUNT(*) to their centred sum: " + equal + " -> " + w);
    assertEquals(1.0, w.values().stream().mapToDouble(Double::doubleValue).sum(), 1e-12);

    TestDataset.Run unknown = d.run("explain", "-d", y, "--weights", "avg_x=2", sql);
    assertEquals(3, unknown.code(), unknown.toString());
    assertTrue(unknown.err().contains("'avg_x', which is not an aggregate of the query"), unknown.err());
  }

  @Test
  void explainWarnsWhenTheErrorExceedsTheRangeOfTheValues() {
    // SUM(amount) over [0, 100] with epsilon 0.01: the 95% error is about 100 / 0.01 * 3 = 30,000, more than the
    // range of a group of fewer than ~300 values.
    TestDataset.Run r = d.run("explain", "-d", y, "-e", "0.01", "SELECT AVG(amount) FROM t");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().matches("(?s).*warning: SUM\\(+amount - 50\\)+: its expected error.*"), r.out());
    assertTrue(r.out().matches("(?s).*unless the group has at least \\d{3,} values.*"), r.out());
  }

  @Test
  void historyTableShowsAShortFormOfEachReleasedResult() {
    TestDataset.Run q = d.run("query", "-d", y, "-e", "2", "SELECT grp, COUNT(*) AS n FROM t GROUP BY grp");
    assertEquals(0, q.code(), q.toString());
    TestDataset.Run h = d.run("budget", "history", "-d", y);
    assertEquals(0, h.code(), h.toString());
    String release = h.out().lines().filter(l -> l.contains("RELEASE")).reduce((a, b) -> b).orElseThrow();
    assertTrue(release.contains("3 rows: (a, "), h.out());
  }

  @Test
  void verboseSaysWhereTheTimeWentAndNothingElse() {
    TestDataset.Run r = d.run("query", "-d", y, "-v", "-e", "3", "SELECT grp, COUNT(*) FROM t GROUP BY grp");
    assertEquals(0, r.code(), r.toString());
    String line = r.err().lines().filter(l -> l.startsWith("dpq: time: ")).findFirst().orElseThrow();
    for (String phase : List.of("open", "fingerprint", "load", "plan", "charge", "backend", "release", "total")) {
      assertTrue(line.matches(".*\\b" + phase + " [0-9.]+ ms.*"), phase + " missing: " + line);
    }
    assertFalse(line.contains("grp") || line.contains("SELECT"), line);
    assertFalse(d.run("query", "-d", y, "-e", "3", "SELECT COUNT(*) FROM t").err().contains("time:"));
  }

  @Test
  void completionScriptCoversTheCommands() {
    TestDataset.Run r = d.run("completion", "bash");
    assertEquals(0, r.code(), r.toString());
    for (String s : List.of("complete -F", "raise", "shell", "--epsilon", "markdown", "jsonl", "gaussian")) {
      assertTrue(r.out().contains(s), "completion script lacks " + s);
    }
    assertEquals(2, d.run("completion", "fish").code());
  }
}
