package org.dpq.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI on a copy of the ratings sample: every output format parsed back, explain, budget exhaustion, history,
 * verify (intact and tampered), rejections and usage errors with their exit codes. Commands run through the jar's
 * own entry point in this JVM ({@link Cli#run}); what only the real jar in its own process proves (its exit
 * codes, paths relative to its working directory, one line and no JVM stack trace on a failure, the launcher)
 * runs it as a subprocess ({@link Cli#launch}). The cases on a served copy ({@link #servedCopy}) run every
 * command once more through {@code --server} against one {@code dpq serve} on loopback, which must end the same
 * way (see {@link ServedTwin}).
 */
class CliE2ETest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String BY_RATING = "SELECT rating, COUNT(*) AS users FROM ratings GROUP BY rating";

  @TempDir Path dir;
  private ServedTwin twin;

  private Cli.Result dpq(String... args) {
    return twin == null ? Cli.run(dir, args) : twin.dpq(dir, args);
  }

  /** A fresh copy of a sample in {@code dir}; every later command runs on it embedded and through --server. */
  private Path servedCopy(String sample) {
    twin = ServedTwin.copy(sample, dir);
    return twin.yaml();
  }

  private JsonNode status(Path yaml) throws Exception {
    Cli.Result r = dpq("budget", "status", "--dataset", yaml.toString(), "--format", "json");
    assertEquals(0, r.code(), r.toString());
    return JSON.readTree(r.out());
  }

  private static BigDecimal dec(JsonNode n) {
    return new BigDecimal(n.asText());
  }

  @Test
  void queryPrintsTableCsvAndJsonThatParseBack() throws Exception {
    Path yaml = servedCopy("ratings");

    Cli.Result table = dpq("query", "--dataset", "ratings.yaml", "--epsilon", "1", BY_RATING);
    assertEquals(0, table.code(), table.toString());
    List<String> lines = table.out().lines().toList();
    assertTrue(lines.get(0).matches("rating +users"), table.out());
    for (int rating = 1; rating <= 5; rating++) {
      final String key = String.valueOf(rating);
      assertTrue(lines.stream().anyMatch(l -> l.matches(" *" + key + " +-?\\d+ (± +\\d+|\\[-?\\d+, \\d+\\])")),
          "no line for rating " + rating + ":\n" + table.out());
    }
    assertTrue(table.out().contains("cost: epsilon 1, delta "), table.out());
    assertTrue(table.out().contains("remaining: epsilon 9, delta "), table.out());

    Cli.Result csv = dpq("query", "--dataset", yaml.toString(), "--epsilon", "0.5", "--format", "csv", BY_RATING);
    assertEquals(0, csv.code(), csv.toString());
    List<String> csvLines = csv.out().lines().toList();
    assertEquals("rating,users,users_ci_low,users_ci_high", csvLines.get(0));
    assertEquals(6, csvLines.size(), csv.out());
    Set<String> keys = new HashSet<>();
    for (String l : csvLines.subList(1, csvLines.size())) {
      String[] f = l.split(",");
      assertEquals(4, f.length, l);
      keys.add(f[0]);
      long value = Long.parseLong(f[1]);
      double low = Double.parseDouble(f[2]);
      double high = Double.parseDouble(f[3]);
      assertTrue(low < high && low <= value && value <= high, l);
    }
    assertEquals(Set.of("1", "2", "3", "4", "5"), keys);
    assertFalse(csv.out().contains("epsilon"), "CSV on stdout holds data rows only");
    assertTrue(csv.err().contains("# cost: epsilon 0.5"), csv.err());

    Cli.Result json = dpq("query", "--dataset", yaml.toString(), "--epsilon", "0.25", "--format", "json",
        "--analyst", "alice", BY_RATING);
    assertEquals(0, json.code(), json.toString());
    JsonNode j = JSON.readTree(json.out());
    assertEquals("[\"rating\",\"users\"]", j.get("columns").toString());
    assertEquals(5, j.get("rows").size());
    for (int i = 0; i < 5; i++) {
      JsonNode row = j.get("rows").get(i);
      JsonNode ci = j.get("ci95").get(i);
      assertTrue(row.get(1).isIntegralNumber(), row.toString());
      assertTrue(ci.get(0).isNull(), "a public key has no interval");
      assertTrue(ci.get(1).get(0).asDouble() <= row.get(1).asDouble()
          && row.get(1).asDouble() <= ci.get(1).get(1).asDouble(), ci.toString());
    }
    assertEquals("0.25", j.get("cost").get("epsilon").asText());
    assertEquals(0, dec(j.get("remaining").get("epsilon")).compareTo(new BigDecimal("8.25")), j.toString());
    assertFalse(j.get("reused").asBoolean());

    // The same query with the same parameters is answered again from the ledger at no cost.
    Cli.Result again = dpq("query", "--dataset", yaml.toString(), "--epsilon", "0.25", "--format", "json",
        "--analyst", "alice", BY_RATING);
    assertEquals(0, again.code(), again.toString());
    JsonNode k = JSON.readTree(again.out());
    assertTrue(k.get("reused").asBoolean(), again.out());
    assertEquals(j.get("rows"), k.get("rows"));
    assertEquals(0, dec(k.get("cost").get("epsilon")).signum());
    assertEquals(0, dec(status(yaml).get("spent").get("epsilon")).compareTo(new BigDecimal("1.75")));
  }

  @Test
  void explainShowsTheBoundedQueryAndCostsNothing() throws Exception {
    Path yaml = servedCopy("ratings");
    Cli.Result table = dpq("explain", "--dataset", yaml.toString(), "--epsilon", "1", "--delta", "0", "--sql",
        BY_RATING);
    assertEquals(0, table.code(), table.toString());
    assertTrue(table.out().contains("Bounded query"), table.out());
    assertTrue(table.out().toUpperCase().contains("GROUP BY"), table.out());
    assertTrue(table.out().contains("laplace"), "delta 0 means Laplace:\n" + table.out());
    assertTrue(table.out().contains("Total cost: epsilon 1, delta 0"), table.out());

    Cli.Result json = dpq("explain", "--dataset", yaml.toString(), "--epsilon", "1", "--format", "json", BY_RATING);
    assertEquals(0, json.code(), json.toString());
    JsonNode j = JSON.readTree(json.out());
    assertEquals("PUBLIC_DOMAIN", j.get("partitionMode").asText());
    assertFalse(j.get("measurements").isEmpty());
    BigDecimal shares = BigDecimal.ZERO;
    for (JsonNode m : j.get("measurements")) {
      assertTrue(m.get("l1").asDouble() > 0 && m.get("scale").asDouble() > 0 && m.get("halfWidth95").asDouble() > 0,
          m.toString());
      shares = shares.add(dec(m.get("epsilon")));
    }
    assertTrue(shares.compareTo(dec(j.get("total").get("epsilon"))) <= 0, "shares never exceed the total");
    assertEquals("1", j.get("total").get("epsilon").asText());

    JsonNode s = status(yaml);
    assertEquals(0, dec(s.get("spent").get("epsilon")).signum(), "explain charges nothing: " + s);
  }

  /**
   * {@code --weights} steers the split embedded and through {@code --server} alike: the twin compares the two
   * explanations' shares, the two queries' costs and the two refusals of a name that is not an aggregate.
   */
  @Test
  void weightsMoveEpsilonBetweenMeasurementsEmbeddedAndThroughTheServer() throws Exception {
    Path yaml = servedCopy("ratings");
    String sql = "SELECT COUNT(*) AS n, AVG(rating) AS a FROM ratings";
    Cli.Result equal = dpq("explain", "--dataset", yaml.toString(), "--epsilon", "1", "--format", "json", sql);
    Cli.Result weighted = dpq("explain", "--dataset", yaml.toString(), "--epsilon", "1", "--format", "json",
        "--weights", "a=8", sql);
    assertEquals(0, weighted.code(), weighted.toString());
    assertNotEquals(shares(equal), shares(weighted), "a=8 moves epsilon towards AVG's measurements");
    Cli.Result query = dpq("query", "--dataset", yaml.toString(), "--epsilon", "0.5", "--format", "json",
        "--weights", "a=8", sql);
    assertEquals(0, query.code(), query.toString());
    Cli.Result unknown = dpq("query", "--dataset", yaml.toString(), "--weights", "nope=2", sql);
    assertEquals(3, unknown.code(), unknown.toString());
    assertTrue(unknown.err().contains("'nope', which is not an aggregate of the query"), unknown.toString());
  }

  private static List<String> shares(Cli.Result explain) throws Exception {
    List<String> out = new ArrayList<>();
    JSON.readTree(explain.out()).get("measurements").forEach(m -> out.add(m.get("epsilon").asText()));
    return out;
  }

  @Test
  void aSpentBudgetRefusesWithExitFourAndReleasesNothing() throws Exception {
    twin = ServedTwin.copyWithBudget("ratings", dir, "1.0", "1.0e-5");
    Path yaml = twin.yaml();
    Cli.Result first = dpq("query", "--dataset", yaml.toString(), "--epsilon", "0.6", "SELECT COUNT(*) AS n FROM ratings");
    assertEquals(0, first.code(), first.toString());

    Cli.Result refused = dpq("query", "--dataset", yaml.toString(), "--epsilon", "0.6", BY_RATING);
    assertEquals(4, refused.code(), refused.toString());
    assertEquals("", refused.out(), "nothing released");
    assertTrue(refused.err().contains("requested") && refused.err().contains("remaining"), refused.err());
    assertTrue(refused.err().contains("0.4"), "shows what remains: " + refused.err());

    JsonNode s = status(yaml);
    assertEquals(0, dec(s.get("spent").get("epsilon")).compareTo(new BigDecimal("0.6")), s.toString());

    Cli.Result json = dpq("query", "--dataset", yaml.toString(), "--epsilon", "0.5", "--format", "json", BY_RATING);
    assertEquals(4, json.code(), json.toString());
    assertEquals("", json.out());
  }

  @Test
  void historyAndVerifyAuditTheLedgerAndVerifyCatchesTampering() throws Exception {
    Path yaml = servedCopy("ratings");
    assertEquals(0, dpq("query", "-d", yaml.toString(), "--analyst", "alice", "--epsilon", "0.5", BY_RATING).code());
    assertEquals(0, dpq("query", "-d", yaml.toString(), "--analyst", "bob", "SELECT COUNT(*) AS n FROM ratings")
        .code());

    Cli.Result history = dpq("budget", "history", "-d", yaml.toString(), "--format", "json");
    assertEquals(0, history.code(), history.toString());
    JsonNode entries = JSON.readTree(history.out());
    assertEquals("INIT", entries.get(0).get("kind").asText());
    List<JsonNode> charges = new java.util.ArrayList<>();
    entries.forEach(e -> {
      if (e.get("kind").asText().equals("CHARGE")) {
        charges.add(e);
      }
    });
    assertEquals(2, charges.size(), history.out());
    assertEquals("alice", charges.get(0).get("analyst").asText());
    assertEquals(BY_RATING, charges.get(0).get("sql").asText());
    assertEquals("0.5", charges.get(0).get("cost").get("epsilon").asText());
    assertEquals("bob", charges.get(1).get("analyst").asText());
    assertEquals("1", charges.get(1).get("cost").get("epsilon").asText(), "the YAML's default epsilon");

    Cli.Result table = dpq("budget", "history", "-d", yaml.toString());
    assertEquals(0, table.code(), table.toString());
    assertTrue(table.out().contains("alice") && table.out().contains("SELECT rating, COUNT(*)"), table.out());

    Cli.Result ok = dpq("budget", "verify", "-d", yaml.toString());
    assertEquals(0, ok.code(), ok.toString());
    assertTrue(ok.out().startsWith("ledger OK"), ok.out());

    long aliceCharge = charges.get(0).get("sequence").asLong();
    assertEquals(1, twin.alter(dir.resolve("ratings.ledger.db"), aliceCharge, "analyst", "mallory"));
    Cli.Result bad = dpq("budget", "verify", "-d", yaml.toString(), "--format", "json");
    assertNotEquals(0, bad.code(), bad.toString());
    assertEquals(5, bad.code(), bad.toString());
    JsonNode report = JSON.readTree(bad.out());
    assertFalse(report.get("ok").asBoolean());
    assertEquals(aliceCharge, report.get("firstBadSequence").asLong(), bad.out());
  }

  @Test
  void rejectedQueriesExitThreeAndCostNothing() throws Exception {
    Path yaml = servedCopy("ratings");
    // More shapes and parameters are covered through the API (ApiE2ETest); here: the exit code and output.
    for (String sql : List.of("SELECT * FROM ratings", "DELETE FROM ratings")) {
      Cli.Result r = dpq("query", "--dataset", yaml.toString(), sql);
      assertEquals(3, r.code(), sql + " -> " + r);
      assertEquals("", r.out());
      assertTrue(r.err().startsWith("dpq: query rejected: "), r.err());
    }
    for (String epsilon : List.of("0")) {
      Cli.Result r = dpq("query", "--dataset", yaml.toString(), "--epsilon", epsilon, BY_RATING);
      assertEquals(3, r.code(), "epsilon " + epsilon + " -> " + r);
      assertEquals("", r.out());
    }
    JsonNode s = status(yaml);
    assertEquals(0, dec(s.get("spent").get("epsilon")).signum(), "rejections cost nothing: " + s);
    assertEquals(0, dec(s.get("spent").get("delta")).signum(), s.toString());
  }

  @Test
  void badFlagsExitTwo() {
    servedCopy("ratings");
    for (String[] args : List.of(
        new String[] {"query", "--dataset", "ratings.yaml", "--no-noise", BY_RATING},
        new String[] {"query", "--dataset", "ratings.yaml", "--seed", "42", BY_RATING},
        new String[] {"query", "--dataset", "ratings.yaml", "--epsilon", "lots", BY_RATING},
        new String[] {"query", "--dataset", "ratings.yaml", "--format", "xml", BY_RATING},
        new String[] {"query", "--dataset", "nope.yaml", BY_RATING})) {
      Cli.Result r = dpq(args);
      assertEquals(2, r.code(), String.join(" ", args) + " -> " + r);
      assertEquals("", r.out());
    }
    assertFalse(Files.exists(dir.resolve("ratings.ledger.db")), "a usage error touches no ledger");
  }

  /** The real jar in its own process: the codes its main exits with, a dataset path relative to its directory. */
  @Test
  void theJarExitsWithItsCommandsCodes() {
    Samples.copy("ratings", dir);
    Cli.Result answered = Cli.launch(dir, "query", "--dataset", "ratings.yaml", "--epsilon", "1", BY_RATING);
    assertEquals(0, answered.code(), answered.toString());
    assertTrue(answered.out().lines().findFirst().orElse("").matches("rating +users"), answered.out());
    assertTrue(answered.out().contains("cost: epsilon 1, delta "), answered.out());

    Cli.Result rejected = Cli.launch(dir, "query", "--dataset", "ratings.yaml", "SELECT * FROM ratings");
    assertEquals(3, rejected.code(), rejected.toString());
    assertEquals("", rejected.out());
    assertTrue(rejected.err().startsWith("dpq: query rejected: "), rejected.err());

    Cli.Result usage = Cli.launch(dir, "query", "--dataset", "ratings.yaml", "--seed", "42", BY_RATING);
    assertEquals(2, usage.code(), usage.toString());
    assertEquals("", usage.out());
  }

  @Test
  void theLauncherRunsTheJarFromAnyDirectoryAndThroughASymlink() throws Exception {
    Path launcher = Samples.dir().resolve("..").resolve("dpq").toRealPath();
    Cli.Result direct = Cli.exec(dir, List.of("bash", launcher.toString(), "--version"));
    assertEquals(0, direct.code(), direct.toString());
    assertTrue(direct.out().startsWith("dpq "), direct.out());
    Path link = Files.createSymbolicLink(dir.resolve("dpq-link"), launcher);
    Cli.Result linked = Cli.exec(dir, List.of("bash", link.toString(), "samples", "list"));
    assertEquals(0, linked.code(), linked.toString());
    assertTrue(linked.out().contains("ratings"), linked.out());
  }

  /**
   * The launcher points sqlite-jdbc's temporary folder at the unpacked library beside the jar: sqlite-jdbc lists
   * its temporary folder on every start to delete stale, unlocked copies of its library, which in a busy /tmp was
   * a visible part of every call. A stale copy in java.io.tmpdir is therefore left alone (without the launcher's
   * {@code org.sqlite.tmpdir} it is deleted).
   */
  @Test
  void theLauncherKeepsSqliteFromListingTheTemporaryFolder() throws Exception {
    Path launcher = Samples.dir().resolve("..").resolve("dpq").toRealPath();
    Path yaml = Samples.copy("ratings", dir);
    Path tmp = Files.createDirectories(dir.resolve("java-tmp"));
    Path stale = Files.writeString(tmp.resolve("sqlite-" + org.sqlite.SQLiteJDBCLoader.getVersion()
        + "-stale-libsqlitejdbc.so"), "");
    Cli.Result r = Cli.exec(dir, List.of("env", "DPQ_CDS=0", "DPQ_JAVA_OPTS=-Djava.io.tmpdir=" + tmp, "bash",
        launcher.toString(), "budget", "status", "--dataset", yaml.toString()));
    assertEquals(0, r.code(), r.toString());
    assertTrue(Files.exists(stale), "sqlite-jdbc cleaned java.io.tmpdir: org.sqlite.tmpdir was not set");
  }

  /**
   * The launcher's first build keeps Maven's output in cli/target/build.log and shows it (without colour escapes)
   * only when the build fails. A stand-in {@code mvn} on the PATH plays Maven, so no real build runs here.
   */
  @Test
  void theLauncherKeepsMavenOutputInALogAndShowsItOnlyOnFailure() throws Exception {
    Path repo = Files.createDirectories(dir.resolve("repo"));
    Files.copy(Samples.dir().resolve("..").resolve("dpq").toRealPath(), repo.resolve("dpq"));
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path mvn = Files.writeString(bin.resolve("mvn"), """
        #!/bin/sh
        printf '\033[0m[INFO] Building dpq-cli\n'
        if [ "$FAKE_MVN_FAIL" = 1 ]; then printf '\033[1;31m[ERROR] COMPILATION ERROR\033[m\n'; exit 1; fi
        mkdir -p cli/target && ln -s "$FAKE_MVN_JAR" cli/target/dpq-cli-0-all.jar
        """);
    assertTrue(mvn.toFile().setExecutable(true));
    String path = "PATH=" + bin + ":" + System.getenv("PATH");
    String jar = "FAKE_MVN_JAR=" + Cli.jar().toAbsolutePath();
    List<String> version = List.of("bash", repo.resolve("dpq").toString(), "--version");

    List<String> failing = new ArrayList<>(List.of("env", path, jar, "DPQ_CDS=0", "FAKE_MVN_FAIL=1"));
    failing.addAll(version);
    Cli.Result failed = Cli.exec(dir, failing);
    assertEquals(1, failed.code(), failed.toString());
    assertTrue(failed.err().contains("[ERROR] COMPILATION ERROR"), "the log is shown on failure: " + failed);
    assertFalse(failed.err().contains("\u001b"), "no colour escapes: " + failed);

    List<String> passing = new ArrayList<>(List.of("env", path, jar, "DPQ_CDS=0"));
    passing.addAll(version);
    Cli.Result built = Cli.exec(dir, passing);
    assertEquals(0, built.code(), built.toString());
    assertTrue(built.out().startsWith("dpq "), built.out());
    assertFalse(built.err().contains("[INFO]"), "Maven's output stays in the log: " + built.err());
    assertTrue(built.err().contains("building the command-line jar"), built.err());
    assertTrue(Files.readString(repo.resolve("cli/target/build.log")).contains("[INFO] Building dpq-cli"));
  }

  @Test
  void invalidDatasetFilesExitTwoAndListEveryProblem() throws Exception {
    Path yaml = Samples.copy("ratings", dir);
    Samples.edit(yaml, "(?m)^budget: .*$", "budget: { epsilon: -3, delta: 2 }");
    Samples.edit(yaml, "(?m)^max_rows_per_group: .*$", "max_rows_per_group: 0");
    Samples.edit(yaml, "type: int, lower: 1, upper: 5", "type: integer-ish, lower: 5, upper: 1");
    Cli.Result r = dpq("datasets", "validate", "--dataset", yaml.toString());
    assertEquals(2, r.code(), r.toString());
    assertEquals("", r.out());
    long problems = r.err().lines().filter(l -> l.startsWith("  - ")).count();
    assertTrue(problems >= 3, "every problem is listed:\n" + r.err());

    Cli.Result q = dpq("query", "--dataset", yaml.toString(), BY_RATING);
    assertEquals(2, q.code(), q.toString());

    Path good = Samples.copy("clinic", dir);
    Cli.Result ok = dpq("datasets", "validate", "--dataset", good.toString());
    assertEquals(0, ok.code(), ok.toString());
    assertTrue(ok.out().contains("OK"), ok.out());
  }

  @Test
  void aMissingSourceFileIsADataErrorOnOneLine() throws Exception {
    Path yaml = Samples.copy("ratings", dir);
    Files.delete(dir.resolve("ratings.csv"));
    // In its own process: the JVM would print an escaping exception's stack trace there.
    Cli.Result q = Cli.launch(dir, "query", "--dataset", yaml.toString(), BY_RATING);
    assertEquals(5, q.code(), q.toString());
    assertEquals("", q.out());
    assertTrue(q.err().startsWith("dpq: ") && q.err().contains("ratings.csv"), q.err());
    assertEquals(1, q.err().lines().count(), "one line, no stack trace: " + q.err());
    Cli.Result v = dpq("datasets", "validate", "--dataset", yaml.toString());
    assertEquals(5, v.code(), v.toString());
  }

  @Test
  void inspectShowsTheDeclarationWithoutData() throws Exception {
    Path yaml = Samples.copy("clinic", dir);
    Cli.Result r = dpq("datasets", "inspect", "--dataset", yaml.toString(), "--format", "json");
    assertEquals(0, r.code(), r.toString());
    JsonNode j = JSON.readTree(r.out());
    assertEquals("visits", j.get("table").asText());
    assertEquals("patient_id", j.get("privacyUnit").asText());
    assertEquals(2, j.get("maxGroupsContributed").asInt());
    assertEquals(4, j.get("maxRowsPerGroup").asInt());
    assertEquals("10", j.get("budget").get("epsilon").asText());
    assertTrue(j.get("ledger").asText().endsWith("clinic.ledger.db"), j.toString());
    JsonNode cost = null;
    for (JsonNode c : j.get("columns")) {
      if (c.get("name").asText().equals("cost")) {
        cost = c;
      }
    }
    assertEquals(2000.0, cost.get("upper").asDouble());
    // No data value: a cost from the CSV never appears in the description.
    String firstCost = Samples.rows("clinic").get(0)[6];
    Cli.Result table = dpq("datasets", "inspect", "--dataset", yaml.toString());
    assertEquals(0, table.code(), table.toString());
    assertFalse(table.out().contains(firstCost) || r.out().contains(firstCost));
    assertTrue(table.out().contains("public values"), table.out());
  }
}
