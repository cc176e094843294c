package org.dpq.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.dpq.budget.Ledger;
import org.dpq.budget.LedgerEntry;
import org.dpq.client.Wire;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM while a query is in flight: the server stops accepting, lets the query finish and answers it before it
 * exits, so the analyst receives what the ledger records as released (a charge is never left without its outcome
 * by an orderly stop). The dataset pads responses to a 3-second quantum, so the query is still in flight, charged
 * and released but not yet answered, when the test sees its RELEASE entry and stops the server.
 */
class GracefulShutdownTest {
  @TempDir Path dir;

  @Test
  void aQueryInFlightAtSigtermIsAnsweredAndItsChargeClosed() throws Exception {
    ServerFixture fx = new ServerFixture(dir, "", "1.0", "1.0");
    Path yaml = dir.resolve("ratings.yaml");
    Files.writeString(yaml, Files.readString(yaml) + "limits: { response_quantum_ms: 3000 }\n");
    String olga = "Bearer " + fx.token("olga");
    long charge;
    Http.Response answer;
    ServerProcess server = ServerProcess.start(fx.config, true, Map.of());
    try {
      CompletableFuture<Http.Response> inFlight = CompletableFuture.supplyAsync(() -> {
        try {
          return Http.send(server.url + "/v1/datasets/ratings/query", "POST", "Bearer " + fx.token("alice"),
              "{\"sql\":\"SELECT COUNT(*) AS n FROM ratings\",\"epsilon\":\"0.5\",\"delta\":\"0\"}");
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      charge = released(server, olga);
      for (int polls = 0; charge < 0 && polls < 600 && !inFlight.isDone(); polls++) {
        Thread.sleep(50); // waiting for the server to record the release, not timing it
        charge = released(server, olga);
      }
      assertTrue(charge > 0 && !inFlight.isDone(), "the query must be released and still padding when the server "
          + "is stopped (charge " + charge + ", done " + inFlight.isDone() + ")");
      server.process.destroy(); // SIGTERM: the shutdown hook stops the server gracefully
      answer = inFlight.get(60, TimeUnit.SECONDS);
      assertTrue(server.process.waitFor(60, TimeUnit.SECONDS), "the server exits after its last answer");
    } finally {
      server.close();
    }
    assertEquals(200, answer.status(), "the query in flight is answered, not cut off: " + answer.body());
    assertEquals(charge, Wire.mapper().readTree(answer.body()).get("ledgerSequence").asLong());
    try (Ledger ledger = Ledger.open(dir.resolve("server.ledger.db").toString())) {
      assertTrue(ledger.verify("ratings").ok(), "the ledger the server left verifies");
      int releases = 0;
      for (LedgerEntry e : ledger.history("ratings")) {
        assertTrue(!e.kind().equals("ABANDON"), "nothing was abandoned: " + e.sequence());
        if (e.kind().equals("RELEASE") && e.refersTo() == charge) {
          releases++;
        }
      }
      assertEquals(1, releases, "the charge answered at shutdown has its one RELEASE");
    }
  }

  /** The sequence of the CHARGE that has a RELEASE, or -1 while there is none. */
  private static long released(ServerProcess server, String officer) throws Exception {
    for (JsonNode e : Wire.mapper().readTree(Http.send(server.url + "/v1/datasets/ratings/history", "GET", officer,
        null).body())) {
      if (e.get("kind").asText().equals("RELEASE")) {
        return e.get("refersTo").asLong();
      }
    }
    return -1;
  }
}
