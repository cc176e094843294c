package org.dpq.server.console;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.dpq.client.ErrorCode;
import org.dpq.client.Wire;
import org.dpq.server.ApiException;
import org.dpq.server.ServerConfig;
import org.dpq.server.Tokens;

/**
 * The web console that {@code dpq serve} serves at {@code /}: a static page whose script calls the same HTTP API
 * as every client, authenticated by a session cookie instead of a bearer token. Owns the browser-facing security
 * boundary: the token is exchanged once (POST) for an HttpOnly, Secure, SameSite=Strict cookie naming a
 * server-side session; every state-changing request made with that cookie must carry the session's CSRF token in
 * {@value #CSRF_HEADER}, or it is refused (403) before any handler runs; every response carries a strict
 * Content-Security-Policy (no inline script or style, no framing). The principal is still decided by the server
 * (invariant 8): the session resolves to the token that logged in, re-checked on each request.
 */
public final class Console {
  /** The session cookie. */
  static final String COOKIE = "dpq_session";
  /** The header carrying the session's CSRF token on every state-changing request made with the cookie. */
  public static final String CSRF_HEADER = "X-CSRF-Token";

  static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
      + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

  /** The static assets, by request path: the only files served (no directory listing, no path from the request). */
  private static final Map<String, Asset> ASSETS = Map.of(
      "/", new Asset("console/index.html", "text/html; charset=utf-8"),
      "/console/console.css", new Asset("console/console.css", "text/css; charset=utf-8"),
      "/console/console.js", new Asset("console/console.js", "text/javascript; charset=utf-8"),
      "/console/charts.js", new Asset("console/charts.js", "text/javascript; charset=utf-8"),
      "/console/officer.js", new Asset("console/officer.js", "text/javascript; charset=utf-8"),
      "/console/analyst.js", new Asset("console/analyst.js", "text/javascript; charset=utf-8"));

  private static final String LOGIN = "/console/api/login";
  private static final String SESSION = "/console/api/session";
  private static final String LOGOUT = "/console/api/logout";

  /** Admits a login token's digest: the live principal, or an {@link ApiException} (unknown, revoked, rate limited). */
  @FunctionalInterface
  public interface Gate {
    ServerConfig.Principal admit(String tokenSha256);
  }

  /**
   * What the console decided about a request: {@code open} (its page, assets and login need no principal), a
   * principal from a valid session, or neither (the API's bearer authentication applies).
   */
  public record Admission(boolean open, ServerConfig.Principal principal) {
    static final Admission OPEN = new Admission(true, null);
    static final Admission NONE = new Admission(false, null);
  }

  private record Asset(String resource, String contentType) {}

  private final Gate gate;
  private final Sessions sessions;

  private Console(Gate gate, Sessions sessions) {
    this.gate = gate;
    this.sessions = sessions;
  }

  /**
   * Adds the console to {@code app}: security headers on every response, the page and its assets, and the login,
   * session and logout endpoints. Call before the server's own before-handler, which asks {@link #admit}.
   */
  public static Console install(Javalin app, Gate gate) {
    Console console = new Console(gate, new Sessions(Instant::now));
    app.before(Console::securityHeaders);
    ASSETS.forEach((path, asset) -> app.get(path, ctx -> console.serve(ctx, asset)));
    app.post(LOGIN, console::login);
    app.get(SESSION, console::session);
    app.post(LOGOUT, console::logout);
    return console;
  }

  /**
   * Decides a request before the API's authentication: open for the console's own paths; a session's principal
   * when the request has no Authorization header and a session cookie (refused 401 if the session is unknown or
   * expired, 403 if a state-changing request lacks the session's CSRF token); otherwise nothing.
   */
  public Admission admit(Context ctx) {
    String path = ctx.path();
    if (ASSETS.containsKey(path) || path.equals(LOGIN) || path.equals(SESSION)) {
      return Admission.OPEN;
    }
    String cookie = ctx.cookie(COOKIE);
    if (ctx.header("Authorization") != null || cookie == null) {
      return Admission.NONE;
    }
    Sessions.Session s = sessions.find(cookie).orElseThrow(() -> new ApiException(ErrorCode.UNAUTHORIZED,
        "the console session is unknown or has expired; log in again"));
    if (!safeMethod(ctx) && !Sessions.csrfMatches(s, ctx.header(CSRF_HEADER))) {
      throw new ApiException(ErrorCode.FORBIDDEN, "a request that changes something needs the session's CSRF "
          + "token in the " + CSRF_HEADER + " header; reload the console");
    }
    return new Admission(false, gate.admit(s.tokenSha256()));
  }

  private static boolean safeMethod(Context ctx) {
    String m = ctx.method().name();
    return m.equals("GET") || m.equals("HEAD") || m.equals("OPTIONS");
  }

  private static void securityHeaders(Context ctx) {
    ctx.header("Content-Security-Policy", CSP);
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("Referrer-Policy", "no-referrer");
    ctx.header("X-Frame-Options", "DENY");
    ctx.header("Cache-Control", "no-store");
  }

  private void serve(Context ctx, Asset asset) {
    try (InputStream in = Console.class.getClassLoader().getResourceAsStream(asset.resource())) {
      if (in == null) {
        throw new ApiException(ErrorCode.INTERNAL, "the console asset " + asset.resource() + " is missing from "
            + "the server's jar; rebuild the server module");
      }
      ctx.contentType(asset.contentType()).result(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The session's view for the page: who is logged in, their role and the CSRF token for their writes. */
  public record SessionView(String principal, String role, String csrf) {
    static SessionView of(ServerConfig.Principal p, Sessions.Session s) {
      return new SessionView(p.name(), p.role().name().toLowerCase(Locale.ROOT), s.csrf());
    }
  }

  /**
   * Exchanges a token (JSON body {@code {"token": ...}}) for a session cookie. Only a same-origin JSON request is
   * accepted (a cross-site form cannot send one without a CORS preflight, which this server never grants), so
   * another site cannot log a browser in under its own token.
   */
  private void login(Context ctx) {
    sameOrigin(ctx);
    String type = ctx.contentType();
    if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
      throw new ApiException(ErrorCode.USAGE, "log in with a JSON body {\"token\": \"...\"} "
          + "(Content-Type: application/json)");
    }
    String token;
    try {
      JsonNode body = Wire.mapper().readTree(ctx.body());
      JsonNode t = body == null ? null : body.get("token");
      token = t == null || !t.isTextual() ? null : t.asText().strip();
    } catch (IOException e) {
      token = null;
    }
    if (token == null || token.isEmpty() || token.length() > 256) {
      throw new ApiException(ErrorCode.USAGE, "log in with a JSON body {\"token\": \"...\"}");
    }
    String digest = Tokens.sha256(token);
    ServerConfig.Principal p = gate.admit(digest);
    Sessions.Created created = sessions.create(digest, p.name()).orElseThrow(() -> new ApiException(
        ErrorCode.UNAVAILABLE, "too many console sessions are open; try again later"));
    ctx.header("Set-Cookie", COOKIE + "=" + created.id() + "; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age="
        + Sessions.ABSOLUTE.toSeconds());
    ctx.json(SessionView.of(p, created.session()));
  }

  /** The current session, for a page (re)load; 401 without one. */
  private void session(Context ctx) {
    Sessions.Session s = Optional.ofNullable(ctx.cookie(COOKIE)).flatMap(sessions::find).orElseThrow(() ->
        new ApiException(ErrorCode.UNAUTHORIZED, "not logged in to the console"));
    ctx.json(SessionView.of(gate.admit(s.tokenSha256()), s));
  }

  /** Ends the session (reached only with the session's CSRF token, see {@link #admit}) and clears the cookie. */
  private void logout(Context ctx) {
    sessions.remove(ctx.cookie(COOKIE));
    ctx.header("Set-Cookie", COOKIE + "=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0");
    ctx.json(Map.of("logged_out", true));
  }

  /** Refuses a request whose Origin header names another origin than the one it was sent to. */
  private static void sameOrigin(Context ctx) {
    String origin = ctx.header("Origin");
    if (origin == null) {
      return; // not a browser's cross-origin request (browsers send Origin on every POST)
    }
    String host = ctx.header("Host");
    try {
      URI o = URI.create(origin);
      String authority = o.getPort() == -1 ? o.getHost() : o.getHost() + ":" + o.getPort();
      if (host != null && authority.equalsIgnoreCase(host)) {
        return;
      }
    } catch (IllegalArgumentException e) {
      // fall through: refused
    }
    throw new ApiException(ErrorCode.FORBIDDEN, "a console login must come from the console's own page");
  }
}
