package org.dpq.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.dpq.client.Wire;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sqlline, the JDBC shell, run as its own process with Calcite's Avatica driver against a real {@code dpq serve}
 * process: it browses the dataset's table, prints a grouped query's released rows (keys, values, intervals), charged
 * to the connecting principal's allocation with the url's epsilon, and prints a rejection with the engine's message.
 */
class SqllineTest {
  @TempDir static Path dir;
  static ServerFixture fx;
  static ServerProcess server;

  @BeforeAll
  static void start() throws Exception {
    fx = new ServerFixture(dir, "", "2.0", "1.0");
    server = ServerProcess.start(fx.config, true, Map.of());
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  record Run(int exit, String out) {}

  static Run sqlline(String principal, String urlQuery, String script) throws Exception {
    Path file = Files.writeString(dir.resolve("script-" + System.nanoTime() + ".sql"), script);
    String url = "jdbc:avatica:remote:url=" + server.url + "/avatica" + urlQuery + ";serialization=PROTOBUF"
        + ";authentication=BASIC;avatica_user=" + principal + ";avatica_password=" + fx.token(principal);
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), "sqlline.SqlLine",
        "-d", "org.apache.calcite.avatica.remote.Driver", "-u", url, "-n", principal, "-p", "unused",
        "--outputformat=csv", "--showWarnings=false", "--run=" + file));
    Path out = dir.resolve("sqlline-" + System.nanoTime() + ".out");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    assertTrue(p.waitFor(3, TimeUnit.MINUTES), "sqlline finished");
    return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
  }

  static BigDecimal spent(String principal) throws Exception {
    JsonNode b = Wire.mapper().readTree(Http.send(server.url + "/v1/datasets/ratings/budget", "GET",
        "Bearer " + fx.token(principal), null).body());
    return new BigDecimal(b.get("allocations").get(0).get("spent").get("epsilon").asText());
  }

  @Test
  void sqllineBrowsesAndPrintsTheReleasedRowsChargedToTheCaller() throws Exception {
    BigDecimal before = spent("alice");
    Run run = sqlline("alice", "?dataset=ratings&epsilon=0.2",
        "!tables\n!columns ratings\nSELECT rating, COUNT(*) AS n FROM ratings GROUP BY rating ORDER BY rating;\n");
    assertEquals(0, run.exit(), run.out());
    String out = run.out();
    assertTrue(out.contains("'rating','n','n_low','n_high'"), out);
    for (int rating = 1; rating <= 5; rating++) {
      String row = "'" + rating + "','-?[0-9.E]+','-?[0-9.E]+','-?[0-9.E]+'";
      assertTrue(out.lines().anyMatch(l -> l.matches(row)), "a row for rating " + rating + ":\n" + out);
    }
    assertTrue(out.contains("'','ratings','ratings','TABLE'"), "!tables shows the dataset's table\n" + out);
    for (String column : List.of("user_id", "product_id", "rating")) {
      assertTrue(out.contains("'','ratings','ratings','" + column + "','4','INTEGER'"), column + "\n" + out);
    }
    assertEquals(0, new BigDecimal("0.2").compareTo(spent("alice").subtract(before)), "charged to alice, 0.2");
  }

  @Test
  void sqllinePrintsTheEnginesRejectionAndNothingIsCharged() throws Exception {
    BigDecimal before = spent("bob");
    Run run = sqlline("bob", "", "SELECT user_id, rating FROM ratings;\n");
    String message = Wire.mapper().readTree(Http.send(server.url + "/v1/datasets/ratings/query", "POST",
        "Bearer " + fx.token("bob"), "{\"sql\":\"SELECT user_id, rating FROM ratings\"}").body())
        .get("error").get("message").asText();
    assertTrue(run.out().contains(message), run.out());
    assertFalse(run.out().contains("\tat org.dpq"), "no server stack frames\n" + run.out());
    assertEquals(0, before.compareTo(spent("bob")));
  }
}
