package org.dpq.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.dpq.client.Wire;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's session boundary, attacked over plain HTTP against a real server process: the cookie's
 * attributes, CSRF on every state-changing request made with the cookie (refused 403, nothing written to the
 * ledger), cross-origin logins, logout, security headers, and the analyst's own history (invariant 8).
 */
class ConsoleSessionTest {
  @TempDir static Path dir;
  static ServerFixture fx;
  static ServerProcess server;
  static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  record Reply(int status, String body, HttpResponse<String> raw) {
    JsonNode json() throws Exception {
      return Wire.mapper().readTree(body);
    }
  }

  @BeforeAll
  static void start() throws Exception {
    fx = new ServerFixture(dir, "", "1.0", "1.0");
    server = ServerProcess.start(fx.config, true, Map.of());
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  static Reply send(String method, String path, String body, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url + path)).timeout(Duration.ofMinutes(2))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(r.statusCode(), r.body(), r);
  }

  /** A console login: the session cookie ("dpq_session=...") and the CSRF token. */
  record Login(String cookie, String csrf, String setCookie) {}

  static Login login(String name) throws Exception {
    Reply r = send("POST", "/console/api/login", "{\"token\":\"" + fx.token(name) + "\"}",
        "Content-Type", "application/json", "Origin", server.url);
    assertEquals(200, r.status(), r.body());
    String setCookie = r.raw().headers().firstValue("Set-Cookie").orElseThrow();
    JsonNode s = r.json();
    assertEquals(name, s.get("principal").asText());
    return new Login(setCookie.substring(0, setCookie.indexOf(';')), s.get("csrf").asText(), setCookie);
  }

  static String history() throws Exception {
    Reply h = send("GET", "/v1/datasets/ratings/history", null, "Authorization", "Bearer " + fx.token("olga"));
    assertEquals(200, h.status());
    return h.body();
  }

  @Test
  void theSessionCookieIsHttpOnlySecureStrictAndItsIdIs256Bits() throws Exception {
    Login l = login("alice");
    List<String> attributes = List.of(l.setCookie().split(";\\s*"));
    assertTrue(attributes.containsAll(List.of("HttpOnly", "Secure", "SameSite=Strict", "Path=/")), l.setCookie());
    String id = l.cookie().substring("dpq_session=".length());
    assertEquals(32, java.util.Base64.getUrlDecoder().decode(id).length);
    assertFalse(l.setCookie().contains(fx.token("alice")));
    Reply s = send("GET", "/console/api/session", null, "Cookie", l.cookie());
    assertEquals("alice", s.json().get("principal").asText());
    assertEquals("analyst", s.json().get("role").asText());
    assertEquals(l.csrf(), s.json().get("csrf").asText());
  }

  @Test
  void aCookieWithoutTheRightCsrfTokenChangesNothing() throws Exception {
    Login olga = login("olga");
    Login alice = login("alice");
    String before = history();
    String alloc = "{\"analyst\":\"bob\",\"epsilon\":\"5\",\"delta\":\"0\",\"reason\":\"csrf\"}";
    String raise = "{\"epsilon\":\"5\",\"delta\":\"0\",\"reason\":\"csrf\"}";
    String query = "{\"sql\":\"SELECT COUNT(*) AS n FROM ratings\",\"epsilon\":\"0.1\"}";
    for (String csrf : new String[] {null, "", "wrong", alice.csrf(), olga.csrf() + "x"}) {
      String[] h = csrf == null ? new String[] {"Cookie", olga.cookie(), "Content-Type", "application/json"}
          : new String[] {"Cookie", olga.cookie(), "Content-Type", "application/json", "X-CSRF-Token", csrf};
      for (String[] call : new String[][] {{"/v1/datasets/ratings/allocations", alloc},
          {"/v1/datasets/ratings/raise", raise}, {"/v1/datasets/ratings/query", query},
          {"/v1/datasets/ratings/verify", "{}"}, {"/console/api/logout", "{}"}}) {
        Reply r = send("POST", call[0], call[1], h);
        assertEquals(403, r.status(), call[0] + " with CSRF " + csrf + ": " + r.body());
        assertEquals("forbidden", r.json().get("error").get("code").asText());
      }
    }
    Reply aliceQuery = send("POST", "/v1/datasets/ratings/query", query, "Cookie", alice.cookie(),
        "Content-Type", "application/json");
    assertEquals(403, aliceQuery.status());
    assertEquals(before, history(), "a refused request wrote to the ledger");
    // Reads need no CSRF token; the same session with its token may write (so the refusals above were CSRF's).
    assertEquals(200, send("GET", "/v1/datasets/ratings/budget", null, "Cookie", olga.cookie()).status());
    Reply ok = send("POST", "/v1/datasets/ratings/allocations", alloc.replace("\"5\"", "\"0.9\""),
        "Cookie", olga.cookie(), "Content-Type", "application/json", "X-CSRF-Token", olga.csrf());
    assertEquals(200, ok.status(), ok.body());
    assertEquals("0.9", ok.json().get("allocated").get("epsilon").asText());
    Reply q = send("POST", "/v1/datasets/ratings/query", query, "Cookie", alice.cookie(),
        "Content-Type", "application/json", "X-CSRF-Token", alice.csrf());
    assertEquals(200, q.status(), q.body());
  }

  @Test
  void aLoginFromAnotherOriginOrAsAFormIsRefused() throws Exception {
    Reply cross = send("POST", "/console/api/login", "{\"token\":\"" + fx.token("alice") + "\"}",
        "Content-Type", "application/json", "Origin", "https://evil.example");
    assertEquals(403, cross.status(), cross.body());
    assertTrue(cross.raw().headers().firstValue("Set-Cookie").isEmpty());
    Reply form = send("POST", "/console/api/login", "token=" + fx.token("alice"),
        "Content-Type", "application/x-www-form-urlencoded");
    assertEquals(400, form.status(), form.body());
    Reply text = send("POST", "/console/api/login", "{\"token\":\"" + fx.token("alice") + "\"}",
        "Content-Type", "text/plain");
    assertEquals(400, text.status(), text.body());
    for (String name : new String[] {"rev", null}) {
      Reply bad = send("POST", "/console/api/login", "{\"token\":\"" + (name == null ? Tokens.create()
          : fx.token(name)) + "\"}", "Content-Type", "application/json");
      assertEquals(401, bad.status(), bad.body());
      assertTrue(bad.raw().headers().firstValue("Set-Cookie").isEmpty());
    }
  }

  /** A session holds its token's digest, not a principal: revoking the token in server.yaml ends the session. */
  @Test
  void revokingTheTokenEndsItsSessions() throws Exception {
    Login l = login("leaver");
    assertEquals(200, send("GET", "/v1/datasets/ratings/budget", null, "Cookie", l.cookie()).status());
    String before = Files.readString(fx.config);
    try {
      Files.writeString(fx.config, before.replace("leaver: { role: analyst,", "leaver: { role: analyst, revoked: true,"));
      Files.setLastModifiedTime(fx.config, FileTime.from(Instant.now().plusSeconds(5)));
      assertEquals(401, send("GET", "/v1/datasets/ratings/budget", null, "Cookie", l.cookie()).status());
      assertEquals(401, send("GET", "/console/api/session", null, "Cookie", l.cookie()).status());
    } finally {
      Files.writeString(fx.config, before);
      Files.setLastModifiedTime(fx.config, FileTime.from(Instant.now().plusSeconds(10)));
    }
    assertEquals(200, send("GET", "/v1/datasets/ratings/budget", null, "Cookie", l.cookie()).status(),
        "the session itself was still live: the token's revocation is what refused it");
  }

  @Test
  void logoutEndsTheSession() throws Exception {
    Login l = login("bob");
    Reply out = send("POST", "/console/api/logout", "{}", "Cookie", l.cookie(), "Content-Type", "application/json",
        "X-CSRF-Token", l.csrf());
    assertEquals(200, out.status(), out.body());
    assertTrue(out.raw().headers().firstValue("Set-Cookie").orElseThrow().contains("Max-Age=0"));
    assertEquals(401, send("GET", "/v1/datasets", null, "Cookie", l.cookie()).status());
    assertEquals(401, send("GET", "/console/api/session", null, "Cookie", l.cookie()).status());
    assertEquals(401, send("GET", "/v1/datasets", null, "Cookie", "dpq_session=" + "A".repeat(43)).status());
  }

  @Test
  void theBearerApiIsUnchangedAndWinsOverACookie() throws Exception {
    Login alice = login("alice");
    Reply bearer = send("GET", "/v1/datasets/ratings/history", null, "Authorization", "Bearer " + fx.token("olga"),
        "Cookie", alice.cookie());
    assertEquals(200, bearer.status(), "the bearer (officer) decides, not alice's cookie");
    Reply asAlice = send("GET", "/v1/datasets/ratings/history", null, "Cookie", alice.cookie());
    assertEquals(403, asAlice.status());
    Reply noCsrfNeeded = send("POST", "/v1/datasets/ratings/explain",
        "{\"sql\":\"SELECT COUNT(*) AS n FROM ratings\"}", "Authorization", "Bearer " + fx.token("alice"));
    assertEquals(200, noCsrfNeeded.status(), noCsrfNeeded.body());
  }

  @Test
  void everyResponseCarriesTheSecurityHeaders() throws Exception {
    for (String path : List.of("/", "/console/console.js", "/console/console.css", "/v1/datasets", "/nowhere")) {
      Reply r = send("GET", path, null);
      Map<String, List<String>> h = r.raw().headers().map();
      String csp = r.raw().headers().firstValue("Content-Security-Policy").orElse("");
      assertTrue(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'")
          && csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), path + ": " + csp);
      assertEquals("nosniff", r.raw().headers().firstValue("X-Content-Type-Options").orElse(null), path);
      assertEquals("no-referrer", r.raw().headers().firstValue("Referrer-Policy").orElse(null), path);
      assertNotNull(h);
    }
    Reply page = send("GET", "/", null);
    assertEquals(200, page.status());
    assertTrue(page.raw().headers().firstValue("Content-Type").orElseThrow().startsWith("text/html"));
    assertFalse(page.body().contains("<script>") || page.body().contains("style="), "no inline script or style");
    assertEquals(401, send("GET", "/console/../server.yaml", null).status());
  }

  @Test
  void anAnalystsOwnHistoryHoldsOnlyTheirEntriesAndNoDatasetBalances() throws Exception {
    String mark = "SELECT COUNT(*) AS bob_only FROM ratings";
    Reply q = send("POST", "/v1/datasets/ratings/query", "{\"sql\":\"" + mark + "\",\"epsilon\":\"0.05\"}",
        "Authorization", "Bearer " + fx.token("bob"));
    assertEquals(200, q.status(), q.body());
    Login alice = login("alice");
    Reply mine = send("POST", "/v1/datasets/ratings/query",
        "{\"sql\":\"SELECT COUNT(*) AS alice_own FROM ratings\",\"epsilon\":\"0.05\"}", "Cookie", alice.cookie(),
        "Content-Type", "application/json", "X-CSRF-Token", alice.csrf());
    assertEquals(200, mine.status(), mine.body());
    for (String[] who : new String[][] {{"Cookie", alice.cookie()}, {"Authorization", "Bearer " + fx.token("alice")}}) {
      Reply h = send("GET", "/v1/datasets/ratings/history/mine", null, who);
      assertEquals(200, h.status(), h.body());
      assertFalse(h.body().contains("bob"), h.body());
      boolean sawOwn = false;
      for (JsonNode e : h.json()) {
        assertTrue(List.of("CHARGE", "RELEASE", "ABANDON", "ALLOCATE").contains(e.get("kind").asText()));
        if (e.get("kind").asText().equals("CHARGE") || e.get("kind").asText().equals("ALLOCATE")) {
          assertEquals("alice", e.get("analyst").asText());
        }
        sawOwn |= "SELECT COUNT(*) AS alice_own FROM ratings".equals(e.get("sql").asText(null));
        assertTrue(e.get("spentAfter").isNull() && e.get("totalAfter").isNull() && e.get("hash").isNull(), e.toString());
      }
      assertTrue(sawOwn, h.body());
    }
    Reply carol = send("GET", "/v1/datasets/ratings/history/mine", null, "Authorization", "Bearer " + fx.token("carol"));
    assertEquals(404, carol.status(), "carol holds no allocation on ratings");
  }
}
