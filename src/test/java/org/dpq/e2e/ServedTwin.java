package org.dpq.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.dpq.budget.LedgerEntry;
import org.dpq.client.DpqClient;
import org.dpq.server.Tokens;

/**
 * The CLI's e2e cases once more through {@code --server}. One real {@code dpq serve} (the CLI jar, plain HTTP on
 * loopback) per test JVM serves a pool of fresh sample copies; a case that takes a twin gets one of them beside
 * its own embedded copy, and every command it then runs embedded ({@link #dpq}) runs again through
 * {@code --server} on the twin (unless the command line's parser refused it, which happens before embedded or
 * remote is chosen, or it works on files rather than a dataset) and must end the same way: the same exit code, the same kind of error, and the same
 * output once what legitimately differs is masked (noisy values, sequence numbers and hashes, which shift by the
 * server's ALLOCATE entries, and the served dataset's name).
 *
 * <p>Remotely, {@code --analyst NAME} becomes NAME's token (the server decides who asks), a command without it
 * runs as the principal named like the local user (whom embedded records), and {@code budget} runs as an officer.
 * Every analyst's allocation is the whole budget, so the dataset's balance binds exactly as embedded.
 */
final class ServedTwin {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String USER = System.getProperty("user.name", "unknown");
  private static final List<String> ANALYSTS = List.of(USER, "alice", "bob");
  private static final String OFFICER = "olga";
  /** Fields whose values differ between a fresh embedded ledger and the server's shared one. */
  private static final Set<String> MASKED = Set.of("ledgerSequence", "sequence", "refersTo", "time", "fingerprint",
      "planHash", "previousHash", "hash", "entries", "entriesChecked", "firstBadSequence", "problem", "dataset",
      "ci95", "result");

  /** What the pool holds: per sample and budget, how many fresh copies. */
  private record Kind(String sample, String epsilon, String delta) {}

  private static final Map<Kind, Integer> POOL = Map.of(
      new Kind("ratings", null, null), 7,
      new Kind("ratings", "1.0", "1.0e-5"), 1);

  private static Server server;

  private final Path localYaml;
  private final String name;

  private ServedTwin(Path localYaml, String name) {
    this.localYaml = localYaml;
    this.name = name;
  }

  /** A fresh copy of a sample in {@code dir} (as {@link Samples#copy}) and its served twin. */
  static ServedTwin copy(String sample, Path dir) {
    return new ServedTwin(Samples.copy(sample, dir), server().take(new Kind(sample, null, null)));
  }

  /** A fresh copy with its budget replaced (as {@link Samples#copyWithBudget}) and its served twin. */
  static ServedTwin copyWithBudget(String sample, Path dir, String epsilon, String delta) {
    return new ServedTwin(Samples.copyWithBudget(sample, dir, epsilon, delta),
        server().take(new Kind(sample, epsilon, delta)));
  }

  /** The embedded copy's YAML. */
  Path yaml() {
    return localYaml;
  }

  /** The twin's name on the server. */
  String name() {
    return name;
  }

  /** The served pool's URL (for cases that only run remotely). */
  static String url() {
    return server().url;
  }

  /** A principal's token. */
  static String token(String principal) {
    return server().tokens.get(principal);
  }

  /**
   * Runs {@code dpq args...} in {@code dir} embedded and, when the command has a remote form, once more against
   * the twin through {@code --server}; asserts that both end the same way and returns the embedded result.
   */
  Cli.Result dpq(Path dir, String... args) {
    Cli.Result embedded = Cli.run(dir, args);
    List<String> remote = remoteArgs(args);
    if (remote.isEmpty() || embedded.code() == 2 && !embedded.err().startsWith("dpq: ")) {
      return embedded; // no remote form, or refused by the command line's parser, before any service is chosen
    }
    String principal = args[0].equals("budget") ? OFFICER : analyst(args);
    Cli.Result served = Cli.run(server().dir, Map.of("DPQ_TOKEN", server().tokens.get(principal)),
        remote.toArray(String[]::new));
    String what = "dpq " + String.join(" ", args) + "\nembedded: " + embedded + "\nthrough --server: " + served;
    assertEquals(embedded.code(), served.code(), "exit codes differ: " + what);
    assertEquals(embedded.out().isBlank(), served.out().isBlank(), what);
    if (!embedded.out().isBlank()) {
      assertEquals(comparable(embedded.out()), comparable(served.out().replace(name, localName())), what);
    }
    if (embedded.code() >= 3) {
      assertEquals(errorKind(embedded.err()), errorKind(served.err()), what);
    }
    return embedded;
  }

  /**
   * Tampers with entry {@code sequence} of the embedded ledger as {@link Tamper#alter} does, and with the same entry
   * of the twin (the same position among the entries that are not the server's ALLOCATEs) in the server's ledger.
   * Returns the number of embedded rows changed.
   */
  int alter(Path localLedger, long sequence, String column, String value) throws Exception {
    int changed = Tamper.alter(localLedger, sequence, column, value);
    List<LedgerEntry> entries;
    try (DpqClient officer = DpqClient.connect(URI.create(server().url), server().tokens.get(OFFICER))) {
      entries = officer.history(name).stream().filter(e -> !e.kind().equals("ALLOCATE")).toList();
    }
    long twinSequence = entries.get((int) sequence - 1).sequence();
    assertEquals(1, Tamper.alter(server().dir.resolve("server.ledger.db"), name, twinSequence, column, value));
    return changed;
  }

  private String localName() {
    return localYaml.getFileName().toString().replaceAll("\\.yaml$", "");
  }

  /** The remote form of a command, or an empty list when it has none (it works on files, not a dataset). */
  private List<String> remoteArgs(String[] args) {
    boolean remote = args[0].equals("query") || args[0].equals("explain")
        || args[0].equals("budget") && args.length > 1 && List.of("status", "history", "verify").contains(args[1]);
    if (!remote) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if ((args[i].equals("--dataset") || args[i].equals("-d")) && i + 1 < args.length) {
        String file = Path.of(args[++i]).getFileName().toString();
        out.addAll(List.of("--dataset", file.equals(localYaml.getFileName().toString()) ? name
            : file.replaceAll("\\.yaml$", ""), "--server", server().url));
      } else if (args[i].equals("--analyst") && i + 1 < args.length) {
        i++; // the server decides who asks: the token says it
      } else {
        out.add(args[i]);
      }
    }
    return out;
  }

  private static String analyst(String[] args) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals("--analyst")) {
        assertTrue(ANALYSTS.contains(args[i + 1]), "no served principal named " + args[i + 1]);
        return args[i + 1];
      }
    }
    return USER;
  }

  /** "dpq: query rejected" from "dpq: query rejected: ...": the kind of failure, without its details. */
  private static String errorKind(String err) {
    String first = err.lines().filter(l -> l.startsWith("dpq: ")).findFirst().orElse("");
    int colon = first.indexOf(':', 5);
    return colon < 0 ? first : first.substring(0, colon);
  }

  /** Output with what legitimately differs masked: JSON field by field, text by digits and spacing. */
  private static Object comparable(String out) {
    String trimmed = out.strip();
    if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
      List<JsonNode> docs = new ArrayList<>();
      try {
        for (String line : trimmed.lines().toList()) {
          docs.add(mask(JSON.readTree(line), false));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return docs;
    }
    List<String> lines = new ArrayList<>();
    for (String line : out.lines().toList()) {
      if (!line.contains("ALLOCATE")) {
        // A noisy value is shown as "v ± h", or as "v [low, high]" when its interval is clipped: either way noise.
        lines.add(line.replaceAll("-?\\d+(\\.\\d+)?(e-?\\d+)?", "#").replaceAll("± #|\\[#, #\\]", "(noise)")
            .replaceAll("-+", "-").replaceAll("\\s+", " ").strip());
      }
    }
    return lines;
  }

  private static JsonNode mask(JsonNode n, boolean noisy) {
    if (n.isArray()) {
      ArrayNode a = (ArrayNode) n;
      for (int i = a.size() - 1; i >= 0; i--) {
        if (a.get(i).isObject() && a.get(i).path("kind").asText().equals("ALLOCATE")) {
          a.remove(i);
        } else {
          a.set(i, mask(a.get(i), noisy));
        }
      }
      return a;
    }
    if (n.isObject()) {
      ObjectNode o = (ObjectNode) n;
      List<String> names = new ArrayList<>();
      o.fieldNames().forEachRemaining(names::add);
      for (String f : names) {
        o.set(f, MASKED.contains(f) ? JSON.getNodeFactory().textNode("*") : mask(o.get(f), noisy || f.equals("rows")));
      }
      return o;
    }
    return noisy && n.isNumber() ? JSON.getNodeFactory().textNode("noisy") : n;
  }

  private static synchronized Server server() {
    if (server == null) {
      server = Server.start();
    }
    return server;
  }

  /** The served pool: one dpq serve process for the test JVM, stopped (gracefully) when the JVM exits. */
  private static final class Server {
    final Path dir;
    final String url;
    final Map<String, String> tokens;
    final Map<Kind, Deque<String>> free;

    private Server(Path dir, String url, Map<String, String> tokens, Map<Kind, Deque<String>> free) {
      this.dir = dir;
      this.url = url;
      this.tokens = tokens;
      this.free = free;
    }

    synchronized String take(Kind kind) {
      Deque<String> names = free.get(kind);
      if (names == null || names.isEmpty()) {
        fail("the served pool has no fresh copy of " + kind + " left; raise its count in ServedTwin.POOL");
      }
      return names.pop();
    }

    static Server start() {
      try {
        Path dir = Files.createTempDirectory("dpq-e2e-served");
        Map<Kind, Deque<String>> free = new HashMap<>();
        List<String> yamls = new ArrayList<>();
        int n = 0;
        for (Map.Entry<Kind, Integer> k : POOL.entrySet()) {
          for (int i = 0; i < k.getValue(); i++) {
            String name = k.getKey().sample() + "_twin" + n++;
            Path copy = Files.createDirectories(dir.resolve(name));
            Path yaml = k.getKey().epsilon() == null ? Samples.copy(k.getKey().sample(), copy)
                : Samples.copyWithBudget(k.getKey().sample(), copy, k.getKey().epsilon(), k.getKey().delta());
            Samples.edit(yaml, "(?m)^name: .*$", "name: " + name);
            yamls.add(dir.relativize(yaml).toString());
            free.computeIfAbsent(k.getKey(), x -> new ArrayDeque<>()).add(name);
          }
        }
        Map<String, String> tokens = new LinkedHashMap<>();
        StringBuilder config = new StringBuilder("listen: { host: 127.0.0.1, port: 0 }\nledger: server.ledger.db\n"
            + "datasets: [ " + String.join(", ", yamls) + " ]\nprincipals:\n");
        for (String p : new ArrayList<>(List.of(USER, "alice", "bob", OFFICER))) {
          tokens.put(p, Tokens.create());
          config.append("  \"").append(p).append("\": { role: ").append(p.equals(OFFICER) ? "officer" : "analyst")
              .append(", token_sha256: \"").append(Tokens.sha256(tokens.get(p))).append("\"");
          if (!p.equals(OFFICER)) {
            config.append(", budgets: {");
            List<String> shares = new ArrayList<>();
            free.forEach((kind, names) -> names.forEach(d -> shares.add(" " + d + ": { epsilon: "
                + (kind.epsilon() == null ? "10.0" : kind.epsilon()) + ", delta: "
                + (kind.delta() == null ? "1.0e-5" : kind.delta()) + " }")));
            config.append(String.join(",", shares)).append(" }");
          }
          config.append(" }\n");
        }
        Files.writeString(dir.resolve("server.yaml"), config.toString());
        Process p = new ProcessBuilder(Cli.command("serve", "--config", "server.yaml", "--insecure-localhost"))
            .directory(dir.toFile()).redirectError(dir.resolve("server.log").toFile()).start();
        String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))
            .readLine();
        if (line == null || !line.startsWith("dpq serve: listening on ")) {
          p.destroyForcibly();
          fail("dpq serve did not start: " + line + "\n" + Files.readString(dir.resolve("server.log")));
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          p.destroy();
          try {
            p.waitFor(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }));
        return new Server(dir, line.substring("dpq serve: listening on ".length()).strip(), Map.copyOf(tokens),
            free);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
