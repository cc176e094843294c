package org.dpq.client;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import org.dpq.api.BudgetView;
import org.dpq.api.DpqService;
import org.dpq.budget.Allocation;
import org.dpq.budget.LedgerEntry;
import org.dpq.budget.LedgerStatus;
import org.dpq.budget.VerifyReport;
import org.dpq.engine.Explanation;
import org.dpq.engine.QueryOptions;
import org.dpq.engine.QueryResult;
import org.dpq.mechanisms.PrivacyLoss;

/**
 * A Java client of a dpq server over the JDK's HttpClient, returning the same result types as the embedded
 * API. Owns the client side of the boundary: the token travels only in the {@code Authorization} header, the
 * analyst named in {@link QueryOptions} is never sent (the server decides who asks), and a failure becomes a
 * {@link DpqRemoteException} with the server's code and message.
 *
 * <pre>{@code
 * try (DpqClient c = DpqClient.connect(URI.create("https://dpq.example.org:8443"), DpqClient.tokenFromEnvironment())) {
 *   QueryResult r = c.query("ratings", "SELECT rating, COUNT(*) FROM ratings GROUP BY rating",
 *       QueryOptions.defaults().withEpsilon("0.5"));
 * }
 * }</pre>
 */
public final class DpqClient implements DpqService {
  /** Environment variable holding the bearer token. */
  public static final String TOKEN_ENV = "DPQ_TOKEN";
  /** Environment variable naming a file that holds the bearer token. */
  public static final String TOKEN_FILE_ENV = "DPQ_TOKEN_FILE";

  private static final Duration TIMEOUT = Duration.ofMinutes(5);

  private final URI base;
  private final String token;
  private final HttpClient http;

  private DpqClient(URI base, String token, HttpClient http) {
    this.base = base;
    this.token = token;
    this.http = http;
  }

  /** A client that trusts the JVM's default trust store. */
  public static DpqClient connect(URI server, String token) {
    return connect(server, token, null);
  }

  /** A client that trusts what {@code ssl} trusts (null: the JVM default). */
  public static DpqClient connect(URI server, String token, SSLContext ssl) {
    Objects.requireNonNull(server, "server");
    String scheme = String.valueOf(server.getScheme());
    if (!scheme.equals("https") && !scheme.equals("http")) {
      throw new DpqRemoteException(ErrorCode.USAGE, "the server URL must start with https:// (or http:// for a "
          + "server started with --insecure-localhost)");
    }
    if (token == null || token.isBlank()) {
      throw new DpqRemoteException(ErrorCode.UNAUTHORIZED, "no token: set " + TOKEN_ENV + ", or " + TOKEN_FILE_ENV
          + " to a file holding it (ask the server's officer for one)");
    }
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
    if (ssl != null) {
      b.sslContext(ssl);
    }
    String path = server.toString().endsWith("/") ? server.toString() : server + "/";
    return new DpqClient(URI.create(path), token.strip(), b.build());
  }

  /**
   * The token from {@code DPQ_TOKEN}, else from the file named by {@code DPQ_TOKEN_FILE}, else null. Never from a
   * command-line flag, which would land in shell history and process listings.
   */
  public static String tokenFromEnvironment() {
    return tokenFrom(System.getenv());
  }

  /**
   * The token as {@link #tokenFromEnvironment()} finds it, from the given environment (for a program that runs
   * commands on behalf of another environment, e.g. the CLI's entry point called in-process).
   */
  public static String tokenFrom(Map<String, String> env) {
    String t = env.get(TOKEN_ENV);
    if (t != null && !t.isBlank()) {
      return t.strip();
    }
    String file = env.get(TOKEN_FILE_ENV);
    if (file != null && !file.isBlank()) {
      try {
        return Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
      } catch (IOException e) {
        throw new DpqRemoteException(ErrorCode.UNAUTHORIZED, "cannot read the token file named by " + TOKEN_FILE_ENV
            + " (" + e.getClass().getSimpleName() + "); check the path and its permissions");
      }
    }
    return null;
  }

  @Override
  public List<String> datasets() {
    return send("GET", "v1/datasets", null, Wire.Datasets.class).datasets();
  }

  @Override
  public QueryResult query(String dataset, String sql, QueryOptions options) {
    return send("POST", datasetPath(dataset, "query"), request(sql, options), Wire.Result.class).toResult();
  }

  @Override
  public Explanation explain(String dataset, String sql, QueryOptions options) {
    return send("POST", datasetPath(dataset, "explain"), request(sql, options), Wire.Explain.class).toExplanation();
  }

  @Override
  public BudgetView budget(String dataset) {
    return send("GET", datasetPath(dataset, "budget"), null, Wire.Budget.class).toView();
  }

  /** Officer only: sets an analyst's whole share of the dataset's budget (zero revokes it). */
  public Allocation allocate(String dataset, String analyst, PrivacyLoss share, String reason) {
    Wire.Loss l = Wire.Loss.of(share);
    return send("POST", datasetPath(dataset, "allocations"),
        new Wire.AllocationRequest(analyst, l.epsilon(), l.delta(), reason), Wire.Share.class).toAllocation();
  }

  /** Officer only: raises the dataset's total by {@code increase}. */
  public LedgerStatus raise(String dataset, PrivacyLoss increase, String reason) {
    Wire.Loss l = Wire.Loss.of(increase);
    return send("POST", datasetPath(dataset, "raise"), new Wire.RaiseRequest(l.epsilon(), l.delta(), reason),
        Wire.Status.class).toStatus();
  }

  /** Officer only: recomputes the dataset's hash chain. */
  @Override
  public VerifyReport verify(String dataset) {
    return send("POST", datasetPath(dataset, "verify"), null, Wire.Verified.class).toReport();
  }

  /** Officer only: the dataset's ledger entries (without their query keys, which stay on the server). */
  @Override
  public List<LedgerEntry> history(String dataset) {
    Wire.Entry[] entries = send("GET", datasetPath(dataset, "history"), null, Wire.Entry[].class);
    return Arrays.stream(entries).map(e -> e.toEntry(dataset)).toList();
  }

  @Override
  public void close() {
    // The JDK HttpClient of Java 17 has no close; its threads end with the JVM or when unreferenced.
  }

  private static Wire.QueryRequest request(String sql, QueryOptions o) {
    return new Wire.QueryRequest(sql, o.epsilon().map(e -> e.toPlainString()).orElse(null),
        o.delta().map(d -> d.toPlainString()).orElse(null), o.mechanism().name().toLowerCase(java.util.Locale.ROOT),
        o.weights().isEmpty() ? null : o.weights());
  }

  private static String datasetPath(String dataset, String action) {
    return "v1/datasets/" + URLEncoder.encode(dataset, StandardCharsets.UTF_8).replace("+", "%20") + "/" + action;
  }

  private <T> T send(String method, String path, Object body, Class<T> type) {
    return Wire.read(sendRaw(method, path, body), type);
  }

  private String sendRaw(String method, String path, Object body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(TIMEOUT)
        .header("Authorization", "Bearer " + token).header("Accept", "application/json");
    if (body == null) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      b.header("Content-Type", "application/json").method(method,
          HttpRequest.BodyPublishers.ofString(Wire.write(body), StandardCharsets.UTF_8));
    }
    HttpResponse<String> response;
    try {
      response = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new DpqRemoteException(ErrorCode.UNAVAILABLE, "cannot reach the dpq server at " + base + " ("
          + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage())
          + "); check the URL, that the server runs, and that its certificate is trusted");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DpqRemoteException(ErrorCode.UNAVAILABLE, "interrupted while waiting for the dpq server");
    }
    if (response.statusCode() / 100 == 2) {
      return response.body();
    }
    Wire.ErrorBody error;
    try {
      error = Wire.read(response.body(), Wire.ErrorBody.class);
    } catch (IllegalArgumentException e) {
      error = null;
    }
    if (error == null || error.error() == null) {
      throw new DpqRemoteException(ErrorCode.INTERNAL, "the server answered HTTP " + response.statusCode()
          + " without a dpq error body; is " + base + " a dpq server?");
    }
    throw new DpqRemoteException(ErrorCode.fromWire(error.error().code()), error.error().message());
  }
}
