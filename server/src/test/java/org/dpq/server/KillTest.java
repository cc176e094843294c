package org.dpq.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.dpq.client.Wire;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server SIGKILLed 20 times at random moments (from a seeded generator: test scheduling, not noise) while
 * clients query it, and restarted each time: every client sees an answer or an error, every acknowledged charge
 * is in the ledger with its cost, the ledger verifies after each restart (no half-written entry), and charges
 * caught mid-flight by a kill stay charged (never refunded).
 */
class KillTest {
  private static final int KILLS = 20;
  private static final int CLIENTS = 4;

  @TempDir Path dir;

  @Test
  void killedTwentyTimesUnderLoadTheLedgerLosesNoAcknowledgedCharge() throws Exception {
    ServerFixture fx = new ServerFixture(dir, "", "9.0", "1.0");
    Random schedule = new Random(20261204L);
    Map<Long, String> acknowledged = new HashMap<>(); // ledger sequence -> epsilon charged
    int answered = 0;
    int failed = 0;
    int key = 0;
    ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
    try {
      for (int round = 0; round < KILLS; round++) {
        ServerProcess server = ServerProcess.start(fx.config, true, Map.of());
        assertTrue(verified(server, fx), "the ledger must verify after restart " + round);
        warmUp(server, fx);
        List<Future<List<Http.Response>>> calls = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
          int first = key;
          key += 1000;
          calls.add(pool.submit(() -> untilTheServerDies(server, fx, first)));
        }
        Thread.sleep(200 + schedule.nextInt(800));
        server.kill();
        for (Future<List<Http.Response>> f : calls) {
          List<Http.Response> seen = f.get(3, TimeUnit.MINUTES);
          for (Http.Response r : seen) {
            if (r == null) {
              failed++; // the connection died with the server: the client saw an error
            } else if (r.status() == 200) {
              JsonNode body = Wire.mapper().readTree(r.body());
              if (!body.get("reused").asBoolean()) {
                acknowledged.put(body.get("ledgerSequence").asLong(), body.get("cost").get("epsilon").asText());
              }
              answered++;
            } else {
              assertTrue(r.body().startsWith("{\"error\":"), r.body());
              failed++;
            }
          }
        }
      }
    } finally {
      pool.shutdownNow();
    }
    assertTrue(!acknowledged.isEmpty(), "the load must get charges acknowledged between the kills");
    assertTrue(failed >= KILLS, "every kill must cut off at least one client, got " + failed);
    try (ServerProcess server = ServerProcess.start(fx.config, true, Map.of())) {
      assertTrue(verified(server, fx));
      JsonNode history = Wire.mapper().readTree(Http.send(server.url + "/v1/datasets/ratings/history", "GET",
          "Bearer " + fx.token("olga"), null).body());
      Map<Long, JsonNode> bySequence = new HashMap<>();
      for (JsonNode e : history) {
        bySequence.put(e.get("sequence").asLong(), e);
      }
      for (Map.Entry<Long, String> a : acknowledged.entrySet()) {
        JsonNode e = bySequence.get(a.getKey());
        assertTrue(e != null && e.get("kind").asText().equals("CHARGE"), "acknowledged charge " + a.getKey()
            + " is missing");
        assertEquals(a.getValue(), e.get("cost").get("epsilon").asText());
      }
      System.out.println("kill test: " + answered + " answered, " + failed + " failed, " + acknowledged.size()
          + " acknowledged charges, " + history.size() + " ledger entries");
    }
  }

  /** One query so that the server has opened its backend before the load and the kill. */
  private static void warmUp(ServerProcess server, ServerFixture fx) throws Exception {
    Http.Response r = Http.send(server.url + "/v1/datasets/ratings/explain", "POST", "Bearer " + fx.token("alice"),
        "{\"sql\":\"SELECT COUNT(*) FROM ratings\"}");
    assertEquals(200, r.status(), r.body());
  }

  /**
   * A client sending distinct queries one after another until its connection fails; every request ends in a
   * response or, once, in a connection error (recorded as null): the client always sees an answer or an error.
   */
  private static List<Http.Response> untilTheServerDies(ServerProcess server, ServerFixture fx, int firstKey) {
    List<Http.Response> seen = new ArrayList<>();
    for (int k = firstKey; k < firstKey + 1000; k++) {
      try {
        seen.add(Http.send(server.url + "/v1/datasets/ratings/query", "POST", "Bearer " + fx.token("alice"),
            "{\"sql\":\"SELECT COUNT(*) AS n FROM ratings WHERE product_id <> " + k
                + "\",\"epsilon\":\"0.001\",\"delta\":\"0\"}"));
      } catch (java.io.IOException e) {
        seen.add(null);
        return seen;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return seen;
      }
    }
    return seen;
  }

  private static boolean verified(ServerProcess server, ServerFixture fx) throws Exception {
    return Http.send(server.url + "/v1/datasets/ratings/verify", "POST", "Bearer " + fx.token("olga"), null).body()
        .contains("\"ok\":true");
  }
}
