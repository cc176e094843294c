package org.dpq.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.dpq.client.Wire;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 200 concurrent clients in 4 JVMs, one analyst per JVM, against one server: each analyst's allocation admits 10
 * charges of 0.1 and the dataset's total (3.5) admits 35 in all, so exactly 35 succeed, every other request is
 * refused with 409, no analyst and not the dataset spends more than its share, and the ledger verifies.
 */
class LoadTest {
  private static final int JVMS = 4;
  private static final int THREADS = 50;

  @TempDir Path dir;

  @Test
  void exactlyTheAdmittedChargesSucceedAndNothingIsOverspent() throws Exception {
    ServerFixture fx = new ServerFixture(dir, "", "1.0", "1.0");
    Files.writeString(dir.resolve("ratings.yaml"), Files.readString(dir.resolve("ratings.yaml"))
        .replace("budget: { epsilon: 10.0, delta: 1.0e-5 }", "budget: { epsilon: 3.5, delta: 1.0e-5 }"));
    StringBuilder config = new StringBuilder(Files.readString(fx.config));
    List<String> tokens = new ArrayList<>();
    for (int j = 0; j < JVMS; j++) {
      String token = Tokens.create();
      tokens.add(token);
      config.append("  load").append(j).append(": { role: analyst, token_sha256: \"").append(Tokens.sha256(token))
          .append("\", budgets: { ratings: { epsilon: 1.0, delta: 1.0e-6 } } }\n");
    }
    Files.writeString(fx.config, config.toString());
    try (ServerProcess server = ServerProcess.start(fx.config, true, Map.of())) {
      List<Process> clients = new ArrayList<>();
      for (int j = 0; j < JVMS; j++) {
        clients.add(new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-XX:TieredStopAtLevel=1", "-Xmx128m", "-cp", System.getProperty("java.class.path"),
            LoadClient.class.getName(), server.url, tokens.get(j), String.valueOf(THREADS),
            String.valueOf(100_000 + j * THREADS), "0.1").redirectErrorStream(true).start());
      }
      int ok = 0;
      int exhausted = 0;
      int[] okPerAnalyst = new int[JVMS];
      for (int j = 0; j < JVMS; j++) {
        String out = new String(clients.get(j).getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(clients.get(j).waitFor(5, TimeUnit.MINUTES));
        List<String> lines = out.lines().toList();
        assertEquals(THREADS, lines.size(), "every client must see an answer or an error:\n" + out);
        for (String line : lines) {
          String status = line.split(" ")[1];
          if (status.equals("200")) {
            ok++;
            okPerAnalyst[j]++;
          } else {
            assertEquals("409", status, line);
            exhausted++;
          }
        }
      }
      assertEquals(35, ok, "the dataset's 3.5 admits exactly 35 charges of 0.1");
      assertEquals(JVMS * THREADS - 35, exhausted);
      for (int n : okPerAnalyst) {
        assertTrue(n <= 10, "an analyst's 1.0 admits at most 10 charges of 0.1, got " + n);
      }
      JsonNode budget = Wire.mapper().readTree(Http.send(server.url + "/v1/datasets/ratings/budget", "GET",
          "Bearer " + fx.token("olga"), null).body());
      assertEquals(0, new BigDecimal("3.5").compareTo(new BigDecimal(budget.get("status").get("spent")
          .get("epsilon").asText())));
      for (JsonNode a : budget.get("allocations")) {
        assertTrue(new BigDecimal(a.get("spent").get("epsilon").asText())
            .compareTo(new BigDecimal(a.get("allocated").get("epsilon").asText())) <= 0, a.toString());
      }
      String verify = Http.send(server.url + "/v1/datasets/ratings/verify", "POST", "Bearer " + fx.token("olga"),
          null).body();
      assertTrue(verify.contains("\"ok\":true"), verify);
    }
  }
}
