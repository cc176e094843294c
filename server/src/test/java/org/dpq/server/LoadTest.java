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
 * 200 concurrent clients in 4 JVMs, one analyst per JVM, against one server, twice; every query costs 0.1 and is
 * distinct (no stored answer). First the analysts' allocations bind: they admit 5, 5, 10 and 10 charges, 30 in
 * all, inside the dataset's 3.5; exactly those 30 succeed, each analyst exactly their share. Then an officer sets
 * every allocation to 2.0, so the dataset binds: its remaining 0.5 admits exactly 5 more. Every other request is
 * refused with 409, nobody and not the dataset spends more than their share, and the ledger verifies.
 */
class LoadTest {
  private static final int JVMS = 4;
  private static final int THREADS = 50;
  private static final String[] ALLOCATIONS = {"0.5", "0.5", "1.0", "1.0"};

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
          .append("\", budgets: { ratings: { epsilon: ").append(ALLOCATIONS[j]).append(", delta: 1.0e-6 } } }\n");
    }
    Files.writeString(fx.config, config.toString());
    String olga = "Bearer " + fx.token("olga");
    try (ServerProcess server = ServerProcess.start(fx.config, true, Map.of())) {
      int[] first = burst(server, tokens, 100_000);
      for (int j = 0; j < JVMS; j++) {
        assertEquals(new BigDecimal(ALLOCATIONS[j]).movePointRight(1).intValueExact(), first[j],
            "analyst load" + j + "'s allocation of " + ALLOCATIONS[j] + " admits exactly that many charges of 0.1");
      }
      assertEquals(0, new BigDecimal("3.0").compareTo(spent(server, olga)));

      for (int j = 0; j < JVMS; j++) {
        Http.Response r = Http.send(server.url + "/v1/datasets/ratings/allocations", "POST", olga,
            "{\"analyst\":\"load" + j + "\",\"epsilon\":\"2.0\",\"delta\":\"0.000001\",\"reason\":\"load test\"}");
        assertEquals(200, r.status(), r.body());
      }
      int[] second = burst(server, tokens, 200_000);
      assertEquals(5, second[0] + second[1] + second[2] + second[3], "the dataset's remaining 0.5 admits exactly "
          + "5 more charges of 0.1");
      assertEquals(0, new BigDecimal("3.5").compareTo(spent(server, olga)), "the dataset is spent, not overspent");

      JsonNode budget = Wire.mapper().readTree(Http.send(server.url + "/v1/datasets/ratings/budget", "GET", olga,
          null).body());
      for (JsonNode a : budget.get("allocations")) {
        assertTrue(new BigDecimal(a.get("spent").get("epsilon").asText())
            .compareTo(new BigDecimal(a.get("allocated").get("epsilon").asText())) <= 0, a.toString());
      }
      String verify = Http.send(server.url + "/v1/datasets/ratings/verify", "POST", olga, null).body();
      assertTrue(verify.contains("\"ok\":true"), verify);
    }
  }

  /** 200 clients at once, 50 per analyst JVM; returns how many succeeded per analyst (every other one got 409). */
  private static int[] burst(ServerProcess server, List<String> tokens, int firstKey) throws Exception {
    List<Process> clients = new ArrayList<>();
    for (int j = 0; j < JVMS; j++) {
      clients.add(new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-XX:TieredStopAtLevel=1", "-Xmx128m", "-cp", System.getProperty("java.class.path"),
          LoadClient.class.getName(), server.url, tokens.get(j), String.valueOf(THREADS),
          String.valueOf(firstKey + j * THREADS), "0.1").redirectErrorStream(true).start());
    }
    int[] ok = new int[JVMS];
    for (int j = 0; j < JVMS; j++) {
      String out = new String(clients.get(j).getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(clients.get(j).waitFor(5, TimeUnit.MINUTES));
      List<String> lines = out.lines().toList();
      assertEquals(THREADS, lines.size(), "every client must see an answer or an error:\n" + out);
      for (String line : lines) {
        String status = line.split(" ")[1];
        if (status.equals("200")) {
          ok[j]++;
        } else {
          assertEquals("409", status, line);
        }
      }
    }
    return ok;
  }

  private static BigDecimal spent(ServerProcess server, String officer) throws Exception {
    JsonNode budget = Wire.mapper().readTree(Http.send(server.url + "/v1/datasets/ratings/budget", "GET", officer,
        null).body());
    return new BigDecimal(budget.get("status").get("spent").get("epsilon").asText());
  }
}
