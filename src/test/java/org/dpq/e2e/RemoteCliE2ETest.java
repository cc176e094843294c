package org.dpq.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.Map;
import org.dpq.server.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What only a remote command has, against the e2e suite's served pool ({@link ServedTwin}; the CLI's own cases run
 * through {@code --server} in {@link CliE2ETest}): a missing or wrong token and {@code --analyst} are refused, an
 * analyst lists only their datasets, an officer sets an allocation that an analyst may not set, and raises the
 * dataset's total.
 */
class RemoteCliE2ETest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private static Cli.Result as(Path dir, String principal, String... args) {
    return Cli.run(dir, Map.of("DPQ_TOKEN", ServedTwin.token(principal)), args);
  }

  @Test
  void tokensDecideWhoAsksAndOnlyAnOfficerAllocates() throws Exception {
    String dataset = ServedTwin.copy("ratings", dir).name();
    String url = ServedTwin.url();
    Cli.Result noToken = Cli.run(dir, "query", "--server", url, "--dataset", dataset, "SELECT COUNT(*) FROM ratings");
    assertEquals(2, noToken.code(), noToken.toString());
    assertTrue(noToken.err().contains("DPQ_TOKEN"), "names where the token goes: " + noToken);
    Cli.Result wrong = Cli.run(dir, Map.of("DPQ_TOKEN", Tokens.create()), "query", "--server", url, "--dataset",
        dataset, "SELECT COUNT(*) FROM ratings");
    assertEquals(2, wrong.code(), wrong.toString());
    assertTrue(wrong.err().contains("not authenticated"), wrong.toString());
    Cli.Result analyst = as(dir, "alice", "query", "--server", url, "--dataset", dataset, "--analyst", "bob",
        "SELECT COUNT(*) FROM ratings");
    assertEquals(2, analyst.code(), analyst.toString());

    Cli.Result list = as(dir, "alice", "datasets", "list", "--server", url, "--format", "json");
    assertEquals(0, list.code(), list.toString());
    assertTrue(JSON.readTree(list.out()).get("datasets").toString().contains("\"" + dataset + "\""), list.out());
    // The real jar in its own process reads the token from its environment.
    Cli.Result launched = Cli.launch(dir, Map.of("DPQ_TOKEN", ServedTwin.token("alice")), "datasets", "list",
        "--server", url, "--format", "json");
    assertEquals(0, launched.code(), launched.toString());
    assertEquals(JSON.readTree(list.out()), JSON.readTree(launched.out()));

    Cli.Result notOfficer = as(dir, "alice", "budget", "allocate", "--server", url, "--dataset", dataset,
        "--analyst", "alice", "--epsilon", "100", "--reason", "more");
    assertEquals(2, notOfficer.code(), notOfficer.toString());
    assertTrue(notOfficer.err().contains("not allowed"), notOfficer.toString());
    Cli.Result set = as(dir, "olga", "budget", "allocate", "--server", url, "--dataset", dataset, "--analyst", "bob",
        "--epsilon", "0.25", "--reason", "project x", "--format", "json");
    assertEquals(0, set.code(), set.toString());
    JsonNode share = JSON.readTree(set.out());
    assertEquals("bob", share.get("analyst").asText());
    assertEquals("0.25", share.get("allocated").get("epsilon").asText());

    Cli.Result raise = as(dir, "olga", "budget", "raise", "--server", url, "--dataset", dataset, "--epsilon", "1",
        "--reason", "board decision 7", "--format", "json");
    assertEquals(0, raise.code(), raise.toString());
    assertEquals("10", JSON.readTree(raise.out()).get("before").get("epsilon").asText(), raise.out());
    assertEquals("11", JSON.readTree(raise.out()).get("after").get("epsilon").asText(), raise.out());

    Cli.Result over = as(dir, "bob", "query", "--server", url, "--dataset", dataset, "--epsilon", "0.5",
        "SELECT COUNT(*) FROM ratings");
    assertEquals(4, over.code(), over.toString());
    assertTrue(over.err().contains("dpq budget allocate --server URL --dataset " + dataset + " --analyst bob"),
        "an exhausted allocation names the officer's fix: " + over);
  }
}
