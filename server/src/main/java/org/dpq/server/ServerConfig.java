package org.dpq.server;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code server.yaml}: where the server listens, its one ledger, the dataset YAMLs it serves and the people who
 * may use it. Owns the rule that only token hashes are configured (never tokens), and that every problem of the
 * file is reported at start-up, before anything listens.
 *
 * <pre>
 * listen: { host: 0.0.0.0, port: 8443, keystore: server.p12, keystore_password_env: DPQ_KEYSTORE_PASSWORD }
 * ledger: dpq.ledger.db                      # or jdbc:postgresql://...; paths relative to this file
 * datasets: [ ratings.yaml ]
 * principals:
 *   alice: { role: analyst, token_sha256: "...", budgets: { ratings: { epsilon: 2.0, delta: 1.0e-6 } } }
 *   olga:  { role: officer, token_sha256: "..." }
 * limits: { requests_per_minute: 600, max_body_bytes: 131072 }
 * </pre>
 */
public record ServerConfig(Listen listen, String ledger, List<Path> datasets, Map<String, Principal> principals,
    Limits limits) {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  /** Where and how to listen. A keystore means HTTPS; without one only {@code --insecure-localhost} may start. */
  public record Listen(String host, int port, Path keystore, String keystorePasswordEnv) {}

  /** Request limits applied to every principal. */
  public record Limits(int requestsPerMinute, int maxBodyBytes) {
    static final Limits DEFAULTS = new Limits(600, 128 * 1024);
  }

  /** An initial allocation from the file (the ledger's later ALLOCATE entries win). */
  public record Share(BigDecimal epsilon, BigDecimal delta) {}

  /** Someone who may call the API. */
  public record Principal(String name, Role role, String tokenSha256, boolean revoked, Map<String, Share> budgets) {}

  /** What a principal may do. */
  public enum Role { ANALYST, OFFICER }

  // Raw YAML shapes (snake_case), turned into the checked records above.
  record RawListen(String host, Integer port, String keystore, String keystorePasswordEnv) {}

  record RawPrincipal(String role, String tokenSha256, Boolean revoked, Map<String, Share> budgets) {}

  record RawLimits(Integer requestsPerMinute, Integer maxBodyBytes) {}

  record Raw(RawListen listen, String ledger, List<String> datasets, Map<String, RawPrincipal> principals,
      RawLimits limits) {}

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  /** Loads and checks a config file; every problem is listed in one {@link IllegalArgumentException}. */
  public static ServerConfig load(Path file) {
    Raw raw;
    try {
      raw = YAML.readValue(Files.readString(file), Raw.class);
    } catch (JsonMappingException e) {
      throw new IllegalArgumentException("server config " + file + " is not valid: " + e.getOriginalMessage()
          + " (at line " + (e.getLocation() == null ? "?" : e.getLocation().getLineNr()) + ")");
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read server config " + file + " (" + e.getClass().getSimpleName()
          + "); check the path");
    }
    if (raw == null) {
      throw new IllegalArgumentException("server config " + file + " is empty");
    }
    Path base = file.toAbsolutePath().getParent();
    List<String> problems = new ArrayList<>();
    RawListen l = raw.listen() == null ? new RawListen(null, null, null, null) : raw.listen();
    int port = l.port() == null ? 8443 : l.port();
    if (port < 0 || port > 65535) {
      problems.add("listen.port must be 0..65535");
    }
    Listen listen = new Listen(l.host() == null ? "0.0.0.0" : l.host(), port,
        l.keystore() == null ? null : base.resolve(l.keystore()), l.keystorePasswordEnv());
    if (listen.keystore() != null && (listen.keystorePasswordEnv() == null || listen.keystorePasswordEnv().isBlank())) {
      problems.add("listen.keystore_password_env must name the environment variable holding the keystore password");
    }
    String ledger = raw.ledger();
    if (ledger == null || ledger.isBlank()) {
      problems.add("ledger: give the server's ledger, a file path or a jdbc:postgresql URL");
    } else if (!ledger.startsWith("jdbc:")) {
      ledger = base.resolve(ledger).toString();
    }
    List<Path> datasets = new ArrayList<>();
    if (raw.datasets() == null || raw.datasets().isEmpty()) {
      problems.add("datasets: list the dataset YAMLs to serve");
    } else {
      for (String d : raw.datasets()) {
        datasets.add(base.resolve(d).normalize());
      }
    }
    Map<String, Principal> principals = new LinkedHashMap<>();
    if (raw.principals() == null || raw.principals().isEmpty()) {
      problems.add("principals: list who may use the server (dpq token create NAME prints an entry)");
    } else {
      raw.principals().forEach((name, p) -> {
        if (!NAME.matcher(name).matches()) {
          problems.add("principal '" + name + "': names are letters, digits, '.', '_' or '-' (at most 64)");
          return;
        }
        Role role;
        try {
          role = Role.valueOf(String.valueOf(p.role()).toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
          problems.add("principal '" + name + "': role must be analyst or officer");
          return;
        }
        if (p.tokenSha256() == null || !SHA256.matcher(p.tokenSha256()).matches()) {
          problems.add("principal '" + name + "': token_sha256 must be 64 lower-case hex digits "
              + "(run dpq token create " + name + ")");
          return;
        }
        principals.put(name, new Principal(name, role, p.tokenSha256(), Boolean.TRUE.equals(p.revoked()),
            p.budgets() == null ? Map.of() : Map.copyOf(p.budgets())));
      });
    }
    RawLimits rl = raw.limits();
    Limits limits = rl == null ? Limits.DEFAULTS : new Limits(
        rl.requestsPerMinute() == null ? Limits.DEFAULTS.requestsPerMinute() : rl.requestsPerMinute(),
        rl.maxBodyBytes() == null ? Limits.DEFAULTS.maxBodyBytes() : rl.maxBodyBytes());
    if (limits.requestsPerMinute() < 1 || limits.maxBodyBytes() < 1024) {
      problems.add("limits: requests_per_minute must be at least 1 and max_body_bytes at least 1024");
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("server config " + file + " has problems:\n  - "
          + String.join("\n  - ", problems));
    }
    return new ServerConfig(listen, ledger, List.copyOf(datasets), Map.copyOf(principals), limits);
  }
}
