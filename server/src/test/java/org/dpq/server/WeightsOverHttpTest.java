package org.dpq.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.dpq.client.Wire;
import org.dpq.engine.Dpq;
import org.dpq.engine.QueryOptions;
import org.dpq.errors.QueryRejectedException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code weights} over HTTP against a real server process: the weighted split of epsilon that a local {@code
 * --weights} gives shows in the served explanation and in the charge the ledger records, a different weighting is a
 * different release (no stored answer is handed out for it), and a weight the engine refuses locally is refused over
 * HTTP with the same message, before anything is charged.
 */
class WeightsOverHttpTest {
  private static final String SQL = "SELECT COUNT(*) AS n, AVG(rating) AS a FROM ratings";

  static ServerFixture fx;
  static ServerProcess server;
  /** The same dataset opened in this process, for what a local {@code --weights} gives. */
  static Dpq local;
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    fx = new ServerFixture(dir, "", "5.0", "1.0");
    Path copy = Files.createDirectories(dir.resolve("local"));
    Files.copy(dir.resolve("ratings.csv"), copy.resolve("ratings.csv"));
    Files.copy(dir.resolve("ratings.yaml"), copy.resolve("ratings.yaml"));
    local = Dpq.open(copy.resolve("ratings.yaml"));
    server = ServerProcess.start(fx.config, true, Map.of());
  }

  @AfterAll
  static void stop() throws Exception {
    if (local != null) {
      local.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private static Http.Response post(String action, String principal, String body) throws Exception {
    return Http.send(server.url + "/v1/datasets/ratings/" + action, "POST", "Bearer " + fx.token(principal), body);
  }

  private static String request(String epsilon, String weights) {
    return "{\"sql\":\"" + SQL + "\",\"epsilon\":\"" + epsilon + "\"" + (weights == null ? "" : ",\"weights\":"
        + weights) + "}";
  }

  /** Each measurement's share of epsilon in an explanation served for {@code weights} (exact, trailing zeros off). */
  private static List<BigDecimal> servedShares(String weights) throws Exception {
    Http.Response r = post("explain", "alice", request("0.2", weights));
    assertEquals(200, r.status(), r.body());
    return Wire.read(r.body(), Wire.Explain.class).measurements().stream()
        .map(m -> new BigDecimal(m.epsilon()).stripTrailingZeros()).toList();
  }

  private static List<BigDecimal> localShares(Map<String, Double> weights) {
    return local.explain(SQL, QueryOptions.defaults().withEpsilon("0.2").withWeights(weights)).measurements()
        .stream().map(m -> m.loss().epsilon().stripTrailingZeros()).toList();
  }

  private static List<Wire.Entry> history() throws Exception {
    Http.Response r = Http.send(server.url + "/v1/datasets/ratings/history", "GET", "Bearer " + fx.token("olga"),
        null);
    assertEquals(200, r.status(), r.body());
    return Arrays.asList(Wire.read(r.body(), Wire.Entry[].class));
  }

  @Test
  void theWeightedSplitIsTheLocalOneAndIsWhatTheLedgerCharges() throws Exception {
    List<BigDecimal> equal = servedShares(null);
    List<BigDecimal> weighted = servedShares("{\"a\": 8}");
    assertEquals(localShares(Map.of()), equal);
    assertEquals(localShares(Map.of("a", 8.0)), weighted, "the served split is the local --weights a=8 split");
    assertNotEquals(equal, weighted, "weighting AVG moves epsilon between the measurements");
    assertEquals(0, weighted.stream().reduce(BigDecimal.ZERO, BigDecimal::add).compareTo(new BigDecimal("0.2")),
        "the total spent is unchanged: " + weighted);

    Http.Response first = post("query", "alice", request("0.2", "{\"a\": 8}"));
    assertEquals(200, first.status(), first.body());
    assertFalse(Wire.read(first.body(), Wire.Result.class).reused());
    List<Wire.Entry> charges = history().stream().filter(e -> "CHARGE".equals(e.kind())).toList();
    Wire.Entry charge = charges.get(charges.size() - 1);
    assertEquals(weighted, charge.measurements().stream()
        .map(m -> new BigDecimal(m.epsilon()).stripTrailingZeros()).toList(),
        "the ledger charges each measurement the weighted share");

    Http.Response again = post("query", "alice", request("0.2", "{\"a\": 8}"));
    assertTrue(Wire.read(again.body(), Wire.Result.class).reused(), "the same weights: the stored answer");
    Http.Response unweighted = post("query", "alice", request("0.2", null));
    assertEquals(200, unweighted.status(), unweighted.body());
    assertFalse(Wire.read(unweighted.body(), Wire.Result.class).reused(),
        "other weights are another release: charged and noised afresh, never the weighted one's stored answer");
  }

  @Test
  void aWeightTheEngineRefusesLocallyIsRefusedTheSameWayAndCostsNothing() throws Exception {
    long charges = history().stream().filter(e -> "CHARGE".equals(e.kind())).count();
    Map<String, Map<String, Double>> bad = Map.of(
        "{\"nope\": 2}", Map.of("nope", 2.0),
        "{\"a\": 0}", Map.of("a", 0.0),
        "{\"a\": -1}", Map.of("a", -1.0),
        "{\"a\": \"NaN\"}", Map.of("a", Double.NaN),
        "{\"a\": null}", Map.of("a", Double.NaN),
        "{\"a\": 1e7}", Map.of("a", 1e7));
    for (Map.Entry<String, Map<String, Double>> b : bad.entrySet()) {
      String expected = assertThrows(QueryRejectedException.class, () -> local.query(SQL,
          QueryOptions.defaults().withEpsilon("0.3").withWeights(b.getValue()))).getMessage();
      for (String action : List.of("query", "explain")) {
        Http.Response r = post(action, "alice", request("0.3", b.getKey()));
        assertEquals(422, r.status(), b.getKey() + ": " + r.body());
        Wire.ErrorBody error = Wire.read(r.body(), Wire.ErrorBody.class);
        assertEquals("rejected", error.error().code(), r.body());
        assertEquals(expected, error.error().message(), b.getKey());
      }
    }
    assertEquals(charges, history().stream().filter(e -> "CHARGE".equals(e.kind())).count(),
        "a refused weight is refused before any charge");
  }
}
