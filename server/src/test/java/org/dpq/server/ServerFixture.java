package org.dpq.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A server directory made at test time: the ratings sample, a server.yaml with fresh tokens for alice, bob, carol
 * (no allocation) and leaver (analysts), olga (officer) and rev (revoked), and the server's own SQLite ledger.
 */
final class ServerFixture {
  final Path dir;
  final Path config;
  final Map<String, String> tokens = new LinkedHashMap<>();

  ServerFixture(Path dir, String listenExtra, String aliceEpsilon, String bobEpsilon) throws IOException {
    this.dir = dir;
    Path samples = Path.of("..", "samples");
    Files.copy(samples.resolve("ratings.csv"), dir.resolve("ratings.csv"));
    Files.writeString(dir.resolve("ratings.yaml"), Files.readString(samples.resolve("ratings.yaml")));
    for (String name : new String[] {"alice", "bob", "olga", "rev", "carol", "leaver"}) {
      tokens.put(name, Tokens.create());
    }
    String yaml = "listen: { host: 0.0.0.0, port: 0" + listenExtra + " }\n"
        + "ledger: server.ledger.db\n"
        + "datasets: [ ratings.yaml ]\n"
        + "limits: { requests_per_minute: 100000 }\n"
        + "principals:\n"
        + "  alice: { role: analyst, token_sha256: \"" + hash("alice") + "\", budgets: { ratings: { epsilon: "
        + aliceEpsilon + ", delta: 1.0e-6 } } }\n"
        + "  bob:   { role: analyst, token_sha256: \"" + hash("bob") + "\", budgets: { ratings: { epsilon: "
        + bobEpsilon + ", delta: 1.0e-6 } } }\n"
        + "  carol: { role: analyst, token_sha256: \"" + hash("carol") + "\" }\n"
        + "  olga:  { role: officer, token_sha256: \"" + hash("olga") + "\" }\n"
        + "  rev:   { role: analyst, token_sha256: \"" + hash("rev") + "\", revoked: true, budgets: { ratings: "
        + "{ epsilon: 1.0, delta: 1.0e-6 } } }\n"
        + "  leaver: { role: analyst, token_sha256: \"" + hash("leaver") + "\", budgets: { ratings: "
        + "{ epsilon: 1.0, delta: 1.0e-6 } } }\n";
    this.config = dir.resolve("server.yaml");
    Files.writeString(config, yaml);
  }

  private String hash(String name) {
    return Tokens.sha256(tokens.get(name));
  }

  String token(String name) {
    return tokens.get(name);
  }
}
