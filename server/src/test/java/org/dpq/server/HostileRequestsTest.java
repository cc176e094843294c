package org.dpq.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dpq.client.Wire;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile-request corpus against a real server process: every request is refused with the right status and a
 * JSON error, nothing is charged (the ledger holds only its INIT and the start-up allocations), and no response
 * carries a token, a stack trace, a server banner or a data value.
 */
class HostileRequestsTest {
  @TempDir static Path dir;
  static ServerFixture fx;
  static ServerProcess server;
  static final List<String> bodies = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    fx = new ServerFixture(dir, "", "1.0", "0.5");
    server = ServerProcess.start(fx.config, true, Map.of());
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  static Http.Response call(String method, String path, String auth, String body) throws Exception {
    Http.Response r = Http.send(server.url + path, method, auth, body);
    bodies.add(r.body());
    return r;
  }

  static void refused(int status, String code, Http.Response r) throws Exception {
    assertEquals(status, r.status(), r.body());
    JsonNode error = Wire.mapper().readTree(r.body()).get("error");
    assertEquals(code, error.get("code").asText(), r.body());
    assertFalse(error.get("message").asText().isBlank());
  }

  static String bearer(String name) {
    return "Bearer " + fx.token(name);
  }

  static final String QUERY = "{\"sql\":\"SELECT rating, COUNT(*) AS n FROM ratings GROUP BY rating\",\"epsilon\":\"0.1\"}";

  @Test
  void missingMalformedWrongAndRevokedTokensAreRefused() throws Exception {
    for (String path : List.of("/v1/datasets", "/v1/datasets/ratings/budget", "/v1/nowhere")) {
      refused(401, "unauthorized", call("GET", path, null, null));
    }
    for (String auth : List.of("", "Bearer", "Bearer ", "Basic " + fx.token("alice"), "Bearer: " + fx.token("alice"),
        "Bearer " + fx.token("alice").substring(1), "Bearer " + fx.token("alice") + "x",
        "Bearer " + "A".repeat(5000), "Bearer " + Tokens.create(), bearer("rev"))) {
      Http.Response r = call("POST", "/v1/datasets/ratings/query", auth, QUERY);
      assertEquals(401, r.status(), auth.length() > 60 ? auth.substring(0, 60) : auth);
      refused(401, "unauthorized", r);
    }
  }

  /** Revoking a token is an edit of server.yaml, taken in from the next request on, without a restart. */
  @Test
  void aTokenRevokedInTheConfigIsRefusedWithoutARestart() throws Exception {
    String budget = "/v1/datasets/ratings/budget";
    assertEquals(200, call("GET", budget, bearer("leaver"), null).status());
    String before = Files.readString(fx.config);
    try {
      rewrite(before + "limits: [ this is not a config ]\n");
      assertEquals(200, call("GET", budget, bearer("leaver"), null).status(), "a config that does not load "
          + "leaves the principals in force");
      rewrite(before.replace("leaver: { role: analyst,", "leaver: { role: analyst, revoked: true,"));
      refused(401, "unauthorized", call("GET", budget, bearer("leaver"), null));
      refused(401, "unauthorized", call("POST", "/v1/datasets/ratings/query", bearer("leaver"), QUERY));
      assertEquals(200, call("GET", budget, bearer("alice"), null).status(), "the others stay admitted");
      rewrite(before.replaceAll("(?m)^  leaver: .*\n", ""));
      refused(401, "unauthorized", call("GET", budget, bearer("leaver"), null));
    } finally {
      rewrite(before);
    }
    assertEquals(200, call("GET", budget, bearer("leaver"), null).status());
    String log = Files.readString(server.log);
    assertTrue(log.contains("server.yaml changed but cannot be used"), log);
  }

  private static int edits;

  /** Saves the config with a later modification time than any before (file times may be coarse). */
  private static void rewrite(String text) throws Exception {
    Files.writeString(fx.config, text);
    Files.setLastModifiedTime(fx.config, FileTime.from(Instant.now().plusSeconds(++edits)));
  }

  @Test
  void anAnalystCannotUseOfficerEndpoints() throws Exception {
    refused(403, "forbidden", call("GET", "/v1/datasets/ratings/history", bearer("alice"), null));
    refused(403, "forbidden", call("POST", "/v1/datasets/ratings/verify", bearer("alice"), null));
    refused(403, "forbidden", call("POST", "/v1/datasets/ratings/raise", bearer("alice"),
        "{\"epsilon\":\"100\",\"reason\":\"more\"}"));
    refused(403, "forbidden", call("POST", "/v1/datasets/ratings/allocations", bearer("alice"),
        "{\"analyst\":\"alice\",\"epsilon\":\"100\",\"reason\":\"more\"}"));
  }

  @Test
  void anAnalystSeesOnlyTheirOwnAllocationAndOnlyTheirDatasets() throws Exception {
    Http.Response r = call("GET", "/v1/datasets/ratings/budget", bearer("bob"), null);
    assertEquals(200, r.status(), r.body());
    JsonNode b = Wire.mapper().readTree(r.body());
    assertEquals(1, b.get("allocations").size());
    assertEquals("bob", b.get("allocations").get(0).get("analyst").asText());
    assertEquals("0.5", b.get("status").get("total").get("epsilon").asText());
    assertFalse(r.body().contains("alice"), r.body());
    // carol has no allocation: the dataset is not served to her, exactly as if it did not exist
    Http.Response none = call("GET", "/v1/datasets/ratings/budget", bearer("carol"), null);
    Http.Response unknown = call("GET", "/v1/datasets/nope/budget", bearer("carol"), null);
    refused(404, "not_found", none);
    refused(404, "not_found", unknown);
    assertEquals(none.body().replace("ratings", "nope"), unknown.body());
    assertEquals("{\"datasets\":[]}", call("GET", "/v1/datasets", bearer("carol"), null).body());
    refused(404, "not_found", call("POST", "/v1/datasets/ratings/query", bearer("carol"), QUERY));
  }

  @Test
  void pathTraversalAndUnknownDatasetNamesAreRefused() throws Exception {
    for (String name : List.of("nope", "..", "..%2F..%2Fetc%2Fpasswd", "%2e%2e", "ratings%00", "ratings.yaml",
        "..%5C..%5Cratings", "server.ledger.db", "%252e%252e", "RATINGS", "ratings%20")) {
      Http.Response r = call("POST", "/v1/datasets/" + name + "/query", bearer("alice"), QUERY);
      assertTrue(r.status() == 404 || r.status() == 400, name + " -> " + r.status() + " " + r.body());
      assertTrue(r.body().startsWith("{\"error\":"), name + " -> " + r.body());
    }
    Http.Response dots = call("GET", "/v1/datasets/ratings/../../../server.yaml", bearer("alice"), null);
    assertTrue(dots.status() == 404 || dots.status() == 400, dots.body());
    assertTrue(dots.body().startsWith("{\"error\":"), dots.body());
  }

  @Test
  void malformedBodiesAreUsageErrorsAndOversizedOnesAreRefused() throws Exception {
    for (String body : List.of("", "{", "[]", "null", "{\"sql\":42}", "{\"sql\":\"\"}",
        "{\"sql\":\"SELECT COUNT(*) FROM ratings\",\"epsilon\":\"abc\"}",
        "{\"sql\":\"SELECT COUNT(*) FROM ratings\",\"mechanism\":\"none\"}")) {
      Http.Response r = call("POST", "/v1/datasets/ratings/query", bearer("alice"), body);
      assertEquals(400, r.status(), body + " -> " + r.body());
      assertTrue(r.body().contains("\"code\":\"usage\""), body + " -> " + r.body());
    }
    Http.Response big = call("POST", "/v1/datasets/ratings/query", bearer("alice"),
        "{\"sql\":\"SELECT COUNT(*) FROM ratings WHERE rating IN (" + "1,".repeat(200_000) + "1)\"}");
    assertEquals(413, big.status(), big.body());
    Http.Response rejected = call("POST", "/v1/datasets/ratings/query", bearer("alice"),
        "{\"sql\":\"SELECT user_id FROM ratings\"}");
    refused(422, "rejected", rejected);
    refused(422, "invalid_parameter", call("POST", "/v1/datasets/ratings/query", bearer("alice"),
        "{\"sql\":\"SELECT COUNT(*) FROM ratings\",\"epsilon\":\"-1\"}"));
  }

  @Test
  void nothingWasChargedAndNothingLeaked() throws Exception {
    malformedBodiesAreUsageErrorsAndOversizedOnesAreRefused();
    pathTraversalAndUnknownDatasetNamesAreRefused();
    missingMalformedWrongAndRevokedTokensAreRefused();
    anAnalystCannotUseOfficerEndpoints();
    Http.Response h = call("GET", "/v1/datasets/ratings/history", bearer("olga"), null);
    assertEquals(200, h.status(), h.body());
    for (JsonNode e : Wire.mapper().readTree(h.body())) {
      String kind = e.get("kind").asText();
      boolean legitimate = e.get("sql").asText("").endsWith("WHERE rating = 5") && e.get("analyst").asText().equals("bob");
      assertTrue(kind.equals("INIT") || kind.equals("ALLOCATE") || kind.equals("RELEASE") || legitimate,
          "no hostile request may charge: " + kind + " " + e.get("sql"));
    }
    Http.Response v = call("POST", "/v1/datasets/ratings/verify", bearer("olga"), null);
    assertTrue(v.body().contains("\"ok\":true"), v.body());
    String csv = Files.readString(dir.resolve("ratings.csv"));
    List<String> dataLines = csv.lines().skip(1).limit(50).toList();
    for (String body : bodies) {
      for (String t : fx.tokens.values()) {
        assertFalse(body.contains(t), "a response carries a token");
      }
      assertFalse(body.contains("\tat ") || body.contains("Exception:") || body.contains("org.eclipse")
          || body.contains("Jetty") || body.contains("<html"), body);
      for (String line : dataLines) {
        assertFalse(body.contains(line), "a response carries a data row");
      }
    }
    String access = Files.readString(server.log);
    assertFalse(fx.tokens.values().stream().anyMatch(access::contains), "the access log carries a token");
  }

  @Test
  void theServerDecidesTheAnalystAndAnAllocationRefusesWhatItCannotCover() throws Exception {
    Http.Response ok = call("POST", "/v1/datasets/ratings/query", bearer("bob"),
        "{\"sql\":\"SELECT COUNT(*) AS n FROM ratings WHERE rating = 5\",\"epsilon\":\"0.3\",\"analyst\":\"alice\"}");
    assertEquals(200, ok.status(), ok.body());
    assertTrue(ok.body().contains("\"cost\":{\"epsilon\":\"0.3\""), ok.body());
    assertTrue(ok.body().contains("\"remaining\":{\"epsilon\":\"0.2\""), "an analyst sees what remains of their "
        + "own allocation, not of the dataset: " + ok.body());
    Http.Response over = call("POST", "/v1/datasets/ratings/query", bearer("bob"),
        "{\"sql\":\"SELECT COUNT(*) AS n FROM ratings WHERE rating = 4\",\"epsilon\":\"0.3\"}");
    refused(409, "budget_exhausted", over);
    assertTrue(over.body().contains("the allocation of analyst 'bob' on dataset 'ratings' is exhausted")
        && over.body().contains("dpq budget allocate --server URL --dataset ratings --analyst bob"),
        "the refusal names whose share ran out and the officer's command that fixes it: " + over.body());
    String access = Files.readString(server.log);
    assertTrue(access.lines().anyMatch(l -> l.endsWith(" bob POST /v1/datasets/{name}/query dataset=ratings "
        + "status=200 epsilon=0.3 delta=0")), "the access log names principal, request, dataset, status and cost:\n"
        + access);
    assertFalse(access.contains("SELECT") || access.contains("rating = 5") || access.contains("\"rows\""),
        "the access log holds no SQL and no results:\n" + access);
    JsonNode bob = Wire.mapper().readTree(call("GET", "/v1/datasets/ratings/budget", bearer("bob"), null).body());
    assertEquals("0.3", bob.get("allocations").get(0).get("spent").get("epsilon").asText());
    JsonNode all = Wire.mapper().readTree(call("GET", "/v1/datasets/ratings/budget", bearer("olga"), null).body());
    for (JsonNode a : all.get("allocations")) {
      if (a.get("analyst").asText().equals("alice")) {
        assertEquals("0", a.get("spent").get("epsilon").asText(), "bob's query must not be charged to alice");
      }
    }
  }
}
