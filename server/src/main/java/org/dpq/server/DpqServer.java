package org.dpq.server;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.dpq.budget.Allocation;
import org.dpq.client.ErrorCode;
import org.dpq.client.Wire;
import org.dpq.engine.Dpq;
import org.dpq.engine.QueryOptions;
import org.dpq.engine.QueryResult;
import org.dpq.mechanisms.MechanismChoice;
import org.dpq.mechanisms.PrivacyLoss;
import org.dpq.server.console.Console;
import org.dpq.server.jdbc.JdbcEndpoint;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * {@code dpq serve}: the HTTP API in front of the engine and the ledger. Owns the service boundary: one
 * before-handler authenticates every request and fixes the principal (invariant 8), handlers are small functions
 * over {@link PrincipalService}, and one exception mapper turns every failure into a JSON error without data
 * values or stack traces. HTTPS from a PKCS#12 keystore; plain HTTP only on 127.0.0.1.
 */
public final class DpqServer implements AutoCloseable {
  private static final String PRINCIPAL = "dpq.principal";
  private static final String DATASET = "dpq.dataset";
  private static final String COST = "dpq.cost";

  private final ServerConfig config;
  private final LivePrincipals principals;
  private final ServedDatasets served;
  private final RateLimiter limiter;
  private final PrintStream accessLog;
  private final Javalin app;
  private Console console;
  private final String url;

  private DpqServer(ServerConfig config, LivePrincipals principals, ServedDatasets served, boolean insecureLocalhost,
      PrintStream accessLog) {
    this.config = config;
    this.principals = principals;
    this.served = served;
    this.limiter = new RateLimiter(config.limits().requestsPerMinute());
    this.accessLog = accessLog;
    ServerConfig.Listen listen = config.listen();
    boolean tls = !insecureLocalhost;
    String host = insecureLocalhost ? "127.0.0.1" : listen.host();
    this.app = Javalin.create(c -> {
      c.showJavalinBanner = false;
      c.http.maxRequestSize = config.limits().maxBodyBytes();
      c.http.defaultContentType = "application/json";
      c.jsonMapper(new JavalinJackson(Wire.mapper(), false));
      c.jetty.modifyServer(s -> {
        s.setStopTimeout(30_000);
        s.setErrorHandler(new JsonErrorHandler());
      });
      c.jetty.addConnector((server, httpConfig) -> {
        HttpConfiguration hc = new HttpConfiguration(httpConfig);
        hc.setSendServerVersion(false);
        hc.setSendXPoweredBy(false);
        ServerConnector connector;
        if (tls) {
          SslContextFactory.Server ssl = new SslContextFactory.Server();
          ssl.setKeyStorePath(listen.keystore().toString());
          ssl.setKeyStoreType("PKCS12");
          ssl.setKeyStorePassword(keystorePassword(listen));
          hc.addCustomizer(new SecureRequestCustomizer(false));
          connector = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"),
              new HttpConnectionFactory(hc));
        } else {
          connector = new ServerConnector(server, new HttpConnectionFactory(hc));
        }
        connector.setHost(host);
        connector.setPort(listen.port());
        connector.setIdleTimeout(60_000);
        return connector;
      });
    });
    routes();
    app.start();
    int port = ((ServerConnector) app.jettyServer().server().getConnectors()[0]).getLocalPort();
    this.url = (tls ? "https" : "http") + "://" + (host.equals("0.0.0.0") ? "localhost" : host) + ":" + port;
  }

  /**
   * Starts a server. Without a keystore in the config it refuses to start unless {@code insecureLocalhost},
   * which serves plain HTTP on 127.0.0.1 only, whatever {@code listen.host} says.
   */
  public static DpqServer start(Path configFile, boolean insecureLocalhost, PrintStream accessLog) {
    ServerConfig config = ServerConfig.load(configFile);
    if (!insecureLocalhost && config.listen().keystore() == null) {
      throw new IllegalArgumentException("server config " + configFile + " has no listen.keystore: dpq serve "
          + "speaks HTTPS only; give a PKCS#12 keystore, or pass --insecure-localhost to serve plain HTTP on "
          + "127.0.0.1 for local testing");
    }
    ServedDatasets served = ServedDatasets.open(config, configFile);
    try {
      return new DpqServer(config, new LivePrincipals(configFile, config, served, accessLog), served,
          insecureLocalhost, accessLog);
    } catch (RuntimeException e) {
      served.close();
      throw e;
    }
  }

  /** The base URL the server answers on. */
  public String url() {
    return url;
  }

  /** Stops accepting requests, lets those in flight finish (each ends in a release or an abandonment), closes. */
  @Override
  public void close() {
    app.stop();
    served.close();
  }

  private static String keystorePassword(ServerConfig.Listen listen) {
    String pw = System.getenv(listen.keystorePasswordEnv());
    if (pw == null) {
      throw new IllegalArgumentException("the environment variable " + listen.keystorePasswordEnv()
          + " (listen.keystore_password_env) is not set; export the keystore password in it");
    }
    return pw;
  }

  // -----------------------------------------------------------------------------------------------------------

  private void routes() {
    console = Console.install(app, this::admit);
    app.before(this::authenticate);
    app.after(this::log);
    app.get("/v1/datasets", ctx -> ctx.json(new Wire.Datasets(service(ctx).datasets())));
    app.post("/v1/datasets/{name}/query", this::query);
    app.post("/v1/datasets/{name}/explain", ctx -> {
      Wire.QueryRequest r = body(ctx, Wire.QueryRequest.class);
      ctx.json(Wire.Explain.of(service(ctx).explain(dataset(ctx), sql(r), options(r))));
    });
    app.get("/v1/datasets/{name}/budget", ctx -> ctx.json(Wire.Budget.of(service(ctx).budget(dataset(ctx)))));
    app.get("/v1/datasets/{name}/history", ctx -> ctx.json(service(ctx).history(dataset(ctx)).stream()
        .map(Wire.Entry::of).toList()));
    app.get("/v1/datasets/{name}/history/mine", ctx -> ctx.json(service(ctx).ownHistory(dataset(ctx))));
    app.post("/v1/datasets/{name}/verify", ctx -> ctx.json(Wire.Verified.of(service(ctx).verify(dataset(ctx)))));
    app.post("/v1/datasets/{name}/raise", ctx -> {
      Dpq dpq = officer(ctx);
      Wire.RaiseRequest r = body(ctx, Wire.RaiseRequest.class);
      PrivacyLoss increase = loss(r.epsilon(), r.delta());
      ctx.json(Wire.Status.of(dpq.raiseBudget(increase, principal(ctx).name(), reason(r.reason()))));
    });
    app.post("/v1/datasets/{name}/allocations", ctx -> {
      Dpq dpq = officer(ctx);
      Wire.AllocationRequest r = body(ctx, Wire.AllocationRequest.class);
      if (r.analyst() == null || principals.get().get(r.analyst()) == null) {
        throw new ApiException(ErrorCode.USAGE, "allocations are for principals of the server config; '"
            + ApiException.safe(r.analyst()) + "' is not one");
      }
      Allocation a = dpq.allocate(r.analyst(), loss(r.epsilon(), r.delta()), principal(ctx).name(),
          reason(r.reason()));
      ctx.json(Wire.Share.of(a));
    });
    JdbcEndpoint.install(app, (ctx, token) -> {
      ServerConfig.Principal p = principalFor(ctx, token);
      return new PrincipalJdbcCaller(p, new PrincipalService(served, p));
    }, ErrorMapping::map);
    app.exception(Exception.class, (e, ctx) -> error(ctx, e instanceof HttpResponseException h
        ? new ApiException(h.getStatus() == 413 ? ErrorCode.TOO_LARGE : ErrorCode.USAGE,
            "the request was refused (HTTP " + h.getStatus() + ")") : e));
    app.error(404, ctx -> {
      if (ctx.attribute(PRINCIPAL + ".error") == null) {
        error(ctx, new ApiException(ErrorCode.NOT_FOUND, "no such endpoint; see the dpq API in the README"));
      }
    });
  }

  private void query(Context ctx) {
    Wire.QueryRequest r = body(ctx, Wire.QueryRequest.class);
    QueryResult result = service(ctx).query(dataset(ctx), sql(r), options(r));
    ctx.attribute(COST, result.cost());
    ctx.json(Wire.Result.of(result));
  }

  private void authenticate(Context ctx) {
    Console.Admission viaConsole = console.admit(ctx);
    if (viaConsole.open()) {
      return; // the console's page, its assets and its login: no principal
    }
    if (viaConsole.principal() != null) {
      ctx.attribute(PRINCIPAL, viaConsole.principal());
      return;
    }
    if (ctx.path().equals(JdbcEndpoint.PATH)) {
      return; // the JDBC endpoint takes the token as HTTP Basic too, and checks it through principalFor
    }
    String header = ctx.header("Authorization");
    // The scheme is case-insensitive (RFC 7235); the token is not.
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() > 256) {
      throw new ApiException(ErrorCode.UNAUTHORIZED, "missing or malformed Authorization header; send "
          + "'Authorization: Bearer <token>' (dpq token create NAME makes one)");
    }
    principalFor(ctx, header.substring("Bearer ".length()).strip());
  }

  /** The principal a token belongs to (recorded on the request), or the 401/429 refusal. */
  private ServerConfig.Principal principalFor(Context ctx, String token) {
    ServerConfig.Principal p = admit(Tokens.sha256(token));
    ctx.attribute(PRINCIPAL, p);
    return p;
  }

  /**
   * The live, unrevoked principal whose token has this digest, counted against its rate limit; the one check
   * behind a bearer token, a JDBC connection and a console session (which holds its login token's digest, so
   * revoking or rotating the token ends the session too).
   */
  private ServerConfig.Principal admit(String digest) {
    ServerConfig.Principal found = null;
    for (ServerConfig.Principal p : principals.get().values()) {
      if (Tokens.sameDigest(digest, p.tokenSha256()) && found == null) {
        found = p;
      }
    }
    if (found == null || found.revoked()) {
      throw new ApiException(ErrorCode.UNAUTHORIZED, "the token is not valid (unknown or revoked); ask the "
          + "server's officer for a new one");
    }
    if (!limiter.tryAcquire(found.name())) {
      throw new ApiException(ErrorCode.RATE_LIMITED, "too many requests from " + found.name() + " (limit "
          + config.limits().requestsPerMinute() + " a minute); retry in a minute");
    }
    return found;
  }

  private ServerConfig.Principal principal(Context ctx) {
    ServerConfig.Principal p = ctx.attribute(PRINCIPAL);
    if (p == null) {
      throw new ApiException(ErrorCode.UNAUTHORIZED, "not authenticated");
    }
    return p;
  }

  private PrincipalService service(Context ctx) {
    return new PrincipalService(served, principal(ctx));
  }

  private String dataset(Context ctx) {
    String name = ctx.pathParam("name");
    ctx.attribute(DATASET, ApiException.safe(name));
    return name;
  }

  private Dpq officer(Context ctx) {
    return service(ctx).officerDpq(dataset(ctx));
  }

  private static <T> T body(Context ctx, Class<T> type) {
    String text = ctx.body();
    if (text.isBlank()) {
      throw new ApiException(ErrorCode.USAGE, "the request needs a JSON body");
    }
    try {
      T value = Wire.read(text, type);
      if (value == null) {
        throw new ApiException(ErrorCode.USAGE, "the request needs a JSON object body");
      }
      return value;
    } catch (IllegalArgumentException e) {
      throw new ApiException(ErrorCode.USAGE, e.getMessage());
    }
  }

  static String sql(Wire.QueryRequest r) {
    if (r.sql() == null || r.sql().isBlank()) {
      throw new ApiException(ErrorCode.USAGE, "the body has no \"sql\"; send {\"sql\": \"SELECT ...\"}");
    }
    return r.sql();
  }

  static QueryOptions options(Wire.QueryRequest r) {
    QueryOptions o = QueryOptions.defaults();
    if (r.epsilon() != null) {
      o = o.withEpsilon(decimal("epsilon", r.epsilon()));
    }
    if (r.delta() != null) {
      o = o.withDelta(decimal("delta", r.delta()));
    }
    if (r.mechanism() != null) {
      try {
        o = o.withMechanism(MechanismChoice.parse(r.mechanism()));
      } catch (IllegalArgumentException e) {
        throw new ApiException(ErrorCode.USAGE, "\"mechanism\" must be laplace, gaussian or auto");
      }
    }
    if (r.weights() != null && !r.weights().isEmpty()) {
      o = o.withWeights(weights(r.weights()));
    }
    return o;
  }

  /**
   * The request's weights as the engine takes them. The engine checks them before anything is charged, with the
   * same refusal as a local {@code --weights} (an unknown name, a weight outside [1e-6, 1e6] or NaN); a JSON null,
   * which a local flag cannot give, is passed as NaN so that it meets that same refusal.
   */
  private static Map<String, Double> weights(Map<String, Double> given) {
    Map<String, Double> out = new LinkedHashMap<>();
    given.forEach((name, w) -> out.put(name, w == null ? Double.NaN : w));
    return out;
  }

  private static PrivacyLoss loss(String epsilon, String delta) {
    return new PrivacyLoss(decimal("epsilon", epsilon), delta == null ? BigDecimal.ZERO : decimal("delta", delta));
  }

  private static BigDecimal decimal(String what, String text) {
    if (text == null || text.length() > 64) {
      throw new ApiException(ErrorCode.USAGE, "\"" + what + "\" must be a decimal string such as \"0.5\"");
    }
    try {
      return new BigDecimal(text.strip());
    } catch (NumberFormatException e) {
      throw new ApiException(ErrorCode.USAGE, "\"" + what + "\" must be a decimal string such as \"0.5\"");
    }
  }

  private static String reason(String reason) {
    if (reason == null || reason.isBlank() || reason.length() > 500) {
      throw new ApiException(ErrorCode.USAGE, "give a \"reason\" (at most 500 characters); it is recorded in the "
          + "ledger");
    }
    return reason;
  }

  private void error(Context ctx, Exception e) {
    Wire.ErrorBody body = ErrorMapping.map(e);
    ctx.attribute(PRINCIPAL + ".error", body);
    ctx.status(ErrorCode.fromWire(body.error().code()).httpStatus());
    ctx.json(body);
  }

  private static String endpoint(Context ctx) {
    try {
      return ctx.endpointHandlerPath();
    } catch (RuntimeException e) {
      return "-"; // no endpoint matched (refused before routing, or unknown)
    }
  }

  /** One access-log line: coarse time, principal, request, dataset, status and cost; never SQL or results. */
  private void log(Context ctx) {
    if (accessLog == null) {
      return;
    }
    ServerConfig.Principal p = ctx.attribute(PRINCIPAL);
    PrivacyLoss cost = ctx.attribute(COST);
    String dataset = Optional.ofNullable((String) ctx.attribute(DATASET)).orElse("-");
    accessLog.println(Instant.now().truncatedTo(ChronoUnit.SECONDS) + " " + (p == null ? "-" : p.name()) + " "
        + ctx.method() + " " + endpoint(ctx) + " dataset=" + dataset + " status=" + ctx.statusCode()
        + (cost == null ? "" : " epsilon=" + Wire.plain(cost.epsilon()) + " delta=" + Wire.plain(cost.delta())));
  }
}
