package org.dpq.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.dpq.server.Tokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI's e2e cases once more through {@code --server}: the real jar runs {@code dpq serve} on loopback, and
 * each case is run embedded (on its own copy of the sample) and remotely (as an analyst whose allocation is the
 * dataset's whole budget). Exit codes must be equal, and so must the JSON, except for the noise in released
 * values and the ledger's sequence numbers (the server's ledger also holds the allocation).
 */
class RemoteCliE2ETest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path local;
  @TempDir static Path served;
  static Process server;
  static String url;
  static Map<String, String> env;

  @BeforeAll
  static void startServer() throws Exception {
    Samples.copy("ratings", local);
    Samples.copy("ratings", served);
    String token = Tokens.create();
    env = Map.of("DPQ_TOKEN", token);
    Files.writeString(served.resolve("server.yaml"), "listen: { host: 0.0.0.0, port: 0 }\n"
        + "ledger: server.ledger.db\ndatasets: [ ratings.yaml ]\nprincipals:\n"
        + "  alice: { role: analyst, token_sha256: \"" + Tokens.sha256(token) + "\", "
        + "budgets: { ratings: { epsilon: 10.0, delta: 1.0e-5 } } }\n");
    List<String> cmd = new ArrayList<>(Cli.command("serve", "--config", "server.yaml", "--insecure-localhost"));
    server = new ProcessBuilder(cmd).directory(served.toFile())
        .redirectError(served.resolve("server.log").toFile()).start();
    String line = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))
        .readLine();
    assertTrue(line != null && line.startsWith("dpq serve: listening on "), String.valueOf(line));
    url = line.substring("dpq serve: listening on ".length()).strip();
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.destroy();
      if (!server.waitFor(30, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    }
  }

  /** Runs a case both ways; returns {embedded, remote}. */
  static Cli.Result[] both(String... args) {
    List<String> embedded = new ArrayList<>();
    List<String> remote = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      embedded.add(args[i]);
      remote.add(args[i]);
      if (args[i].equals("--dataset")) {
        embedded.add(args[++i] + ".yaml");
        remote.add(args[i]);
        remote.add("--server");
        remote.add(url);
      }
    }
    Cli.Result e = Cli.run(local, embedded.toArray(String[]::new));
    Cli.Result r = Cli.run(served, env, remote.toArray(String[]::new));
    assertEquals(e.code(), r.code(), "exit codes differ for " + String.join(" ", args) + "\nembedded: " + e
        + "\nremote: " + r);
    return new Cli.Result[] {e, r};
  }

  /** The JSON without what legitimately differs: noisy values, intervals and ledger sequence numbers. */
  static JsonNode comparable(String json) throws Exception {
    JsonNode n = JSON.readTree(json);
    if (n.isObject()) {
      com.fasterxml.jackson.databind.node.ObjectNode o = (com.fasterxml.jackson.databind.node.ObjectNode) n;
      o.remove("ledgerSequence");
      o.remove("entries");
      if (o.has("rows")) {
        for (JsonNode row : o.get("rows")) {
          for (int j = 1; j < row.size(); j++) {
            ((com.fasterxml.jackson.databind.node.ArrayNode) row).set(j, JSON.getNodeFactory().textNode("noisy"));
          }
        }
        o.remove("ci95");
      }
    }
    return n;
  }

  @Test
  void theSameCommandsGiveTheSameOutcomesEmbeddedAndThroughTheServer() throws Exception {
    String sql = "SELECT rating, COUNT(*) AS users FROM ratings GROUP BY rating";
    Cli.Result[] first = both("query", "--dataset", "ratings", "--epsilon", "1", "--format", "json", sql);
    assertEquals(0, first[0].code(), first[0].toString());
    assertEquals(comparable(first[0].out()), comparable(first[1].out()));

    Cli.Result[] again = both("query", "--dataset", "ratings", "--epsilon", "1", "--format", "json", sql);
    for (int k = 0; k < 2; k++) {
      JsonNode a = JSON.readTree(again[k].out());
      assertTrue(a.get("reused").asBoolean(), again[k].out());
      assertEquals(JSON.readTree(first[k].out()).get("rows"), a.get("rows"), "a repeated query returns the stored answer");
    }
    assertEquals(comparable(again[0].out()), comparable(again[1].out()));

    Cli.Result[] explain = both("explain", "--dataset", "ratings", "--epsilon", "0.5", "--format", "json",
        "SELECT AVG(rating) FROM ratings");
    assertEquals(0, explain[0].code(), explain[0].toString());
    assertEquals(JSON.readTree(explain[0].out()), JSON.readTree(explain[1].out()));

    Cli.Result[] csv = both("query", "--dataset", "ratings", "--epsilon", "0.5", "--format", "csv",
        "SELECT COUNT(*) AS n FROM ratings WHERE rating >= 4");
    assertEquals(0, csv[0].code(), csv[0].toString());
    assertEquals(csv[0].out().lines().findFirst(), csv[1].out().lines().findFirst());

    Cli.Result[] status = both("budget", "status", "--dataset", "ratings", "--format", "json");
    assertEquals(0, status[0].code(), status[0].toString());
    assertEquals(comparable(status[0].out()).get("remaining"), comparable(status[1].out()).get("remaining"));
    assertEquals(comparable(status[0].out()).get("spent"), comparable(status[1].out()).get("spent"));
    assertEquals(comparable(status[0].out()).get("total"), comparable(status[1].out()).get("total"));

    for (String[] failing : List.of(
        new String[] {"query", "--dataset", "ratings", "SELECT user_id FROM ratings"},
        new String[] {"query", "--dataset", "ratings", "SELECT COUNT(*) FROM ratings GROUP BY user_id"},
        new String[] {"query", "--dataset", "ratings", "--epsilon", "0", "SELECT COUNT(*) FROM ratings"},
        new String[] {"query", "--dataset", "ratings", "--epsilon", "abc", "SELECT COUNT(*) FROM ratings"},
        new String[] {"query", "--dataset", "ratings", "--epsilon", "9", "SELECT SUM(rating) FROM ratings"},
        new String[] {"query", "--dataset", "nope", "SELECT COUNT(*) FROM ratings"},
        new String[] {"explain", "--dataset", "ratings", "DELETE FROM ratings"})) {
      Cli.Result[] r = both(failing);
      assertTrue(r[0].code() != 0, r[0].toString());
      assertEquals("", r[0].out());
      assertEquals("", r[1].out());
    }
    Cli.Result[] after = both("budget", "status", "--dataset", "ratings", "--format", "json");
    assertEquals(comparable(after[0].out()).get("spent"), comparable(after[1].out()).get("spent"),
        "refused queries cost nothing either way");
    assertEquals(JSON.readTree(status[0].out()).get("spent"), JSON.readTree(after[0].out()).get("spent"));
  }

  @Test
  void aRemoteCommandWithoutATokenOrWithAnAnalystFlagIsRefused() {
    Cli.Result noToken = Cli.run(served, "query", "--server", url, "--dataset", "ratings",
        "SELECT COUNT(*) FROM ratings");
    assertEquals(2, noToken.code(), noToken.toString());
    Cli.Result wrong = Cli.run(served, Map.of("DPQ_TOKEN", Tokens.create()), "query", "--server", url, "--dataset",
        "ratings", "SELECT COUNT(*) FROM ratings");
    assertEquals(2, wrong.code(), wrong.toString());
    assertTrue(wrong.err().contains("not authenticated"), wrong.toString());
    Cli.Result analyst = Cli.run(served, env, "query", "--server", url, "--dataset", "ratings", "--analyst", "bob",
        "SELECT COUNT(*) FROM ratings");
    assertEquals(2, analyst.code(), analyst.toString());
    Cli.Result list = Cli.run(served, env, "datasets", "list", "--server", url, "--format", "json");
    assertEquals(0, list.code(), list.toString());
    assertEquals("{\"datasets\":[\"ratings\"]}", list.out().strip());
  }
}
