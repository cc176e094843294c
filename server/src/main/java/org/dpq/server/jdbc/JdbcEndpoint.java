package org.dpq.server.jdbc;

import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.calcite.avatica.NoSuchConnectionException;
import org.apache.calcite.avatica.metrics.noop.NoopMetricsSystem;
import org.apache.calcite.avatica.remote.Handler;
import org.apache.calcite.avatica.remote.JsonHandler;
import org.apache.calcite.avatica.remote.JsonService;
import org.apache.calcite.avatica.remote.LocalService;
import org.apache.calcite.avatica.remote.ProtobufHandler;
import org.apache.calcite.avatica.remote.ProtobufTranslation;
import org.apache.calcite.avatica.remote.ProtobufTranslationImpl;
import org.apache.calcite.avatica.remote.Service;
import org.dpq.client.ErrorCode;
import org.dpq.client.Wire;

/**
 * {@code POST /avatica}: dpq serve's JDBC endpoint, speaking Avatica (Calcite's JDBC wire protocol, JSON or
 * protobuf, told apart by the body) so that any tool connects with Calcite's own remote driver. Owns the endpoint's
 * boundary: every request is authenticated by its token (HTTP Basic with the token as the password, or Bearer),
 * the principal comes from the token alone and a Basic user name must be that principal's (invariant 8), and every
 * failure leaves as an Avatica error with the message and status the HTTP API gives for it, a documented SQLState,
 * and no stack trace.
 */
public final class JdbcEndpoint {
  /** The endpoint's path; the server's own bearer-token check leaves it to this class. */
  public static final String PATH = "/avatica";

  private static final int MAX_AUTHORIZATION = 512;
  private static final Service.RpcMetadataResponse SERVER = new Service.RpcMetadataResponse("dpq");
  private static final ProtobufTranslation PROTOBUF = new ProtobufTranslationImpl();

  /** Turns a token into the caller it belongs to, or throws the server's 401/429 refusal. */
  @FunctionalInterface
  public interface Authenticator {
    JdbcCaller authenticate(Context ctx, String token);
  }

  private final Authenticator authenticator;
  private final Function<Throwable, Wire.ErrorBody> errors;
  private final JdbcSessions sessions = new JdbcSessions();

  private JdbcEndpoint(Authenticator authenticator, Function<Throwable, Wire.ErrorBody> errors) {
    this.authenticator = authenticator;
    this.errors = errors;
  }

  /**
   * Adds the endpoint to a server.
   *
   * @param errors the server's error mapping (so that a failure reads as it does from the HTTP API)
   */
  public static void install(Javalin app, Authenticator authenticator, Function<Throwable, Wire.ErrorBody> errors) {
    JdbcEndpoint endpoint = new JdbcEndpoint(authenticator, errors);
    app.post(PATH, endpoint::handle);
  }

  private void handle(Context ctx) {
    JdbcCaller caller;
    try {
      caller = caller(ctx);
    } catch (RuntimeException e) {
      Wire.ErrorBody body = body(e);
      ErrorCode code = ErrorCode.fromWire(body.error().code());
      if (code == ErrorCode.UNAUTHORIZED) {
        // Avatica's driver answers a challenge: Basic (authentication=BASIC) or Bearer (authentication=BEARER).
        ctx.res().addHeader("WWW-Authenticate", "Basic realm=\"dpq\", charset=\"UTF-8\"");
        ctx.res().addHeader("WWW-Authenticate", "Bearer realm=\"dpq\"");
      }
      ctx.status(code.httpStatus()).json(body);
      return;
    }
    byte[] bytes = ctx.bodyAsBytes();
    boolean json = isJson(bytes);
    Service.Request request;
    try {
      request = json ? JsonService.MAPPER.readValue(bytes, Service.Request.class) : PROTOBUF.parseRequest(bytes);
    } catch (IOException | RuntimeException e) {
      ctx.status(400).json(Wire.ErrorBody.of(ErrorCode.USAGE, "the body is not an Avatica request (JSON or "
          + "protobuf); connect with jdbc:avatica:remote:url=<server>/avatica"));
      return;
    }
    Service service = StacklessService.over(new LocalService(new DpqMeta(caller, sessions, urlProperties(ctx))),
        this::error);
    service.setRpcMetadata(SERVER);
    if (json) {
      Handler.HandlerResponse<String> r = new JsonHandler(service, NoopMetricsSystem.getInstance())
          .apply(new String(bytes, StandardCharsets.UTF_8));
      ctx.status(r.getStatusCode()).contentType("application/json; charset=utf-8").result(r.getResponse());
    } else {
      Handler.HandlerResponse<byte[]> r = new ProtobufHandler(service, PROTOBUF, NoopMetricsSystem.getInstance())
          .apply(bytes);
      ctx.status(r.getStatusCode()).contentType("application/octet-stream").result(r.getResponse());
    }
  }

  /** The caller the request's token belongs to; a Basic user name other than its principal's is refused. */
  private JdbcCaller caller(Context ctx) {
    String header = ctx.header("Authorization");
    if (header == null || header.length() > MAX_AUTHORIZATION) {
      throw unauthorized("missing or malformed Authorization header; connect with authentication=BASIC;"
          + "avatica_user=<your principal>;avatica_password=<your token>");
    }
    String user = null;
    String token;
    if (header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      token = header.substring(7).strip();
    } else if (header.regionMatches(true, 0, "Basic ", 0, 6)) {
      String decoded;
      try {
        decoded = new String(Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw unauthorized("malformed Basic credentials; give your principal's name as the user and your token "
            + "as the password");
      }
      int colon = decoded.indexOf(':');
      if (colon < 0) {
        throw unauthorized("malformed Basic credentials; give your principal's name as the user and your token "
            + "as the password");
      }
      user = decoded.substring(0, colon);
      token = decoded.substring(colon + 1);
    } else {
      throw unauthorized("unsupported Authorization scheme; use HTTP Basic (authentication=BASIC) with your token "
          + "as the password");
    }
    JdbcCaller caller = authenticator.authenticate(ctx, token);
    if (user != null && !user.isEmpty() && !user.equals(caller.name())) {
      // The token decides who the analyst is; a user name can only agree with it, never choose another.
      throw unauthorized("the user name is not the principal of this token; give your principal's name (or none) "
          + "with your own token");
    }
    return caller;
  }

  private static JdbcRefusal unauthorized(String message) {
    return new JdbcRefusal(ErrorCode.UNAUTHORIZED, message);
  }

  private static boolean isJson(byte[] body) {
    for (byte b : body) {
      if (b == '{') {
        return true;
      }
      if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
        return false;
      }
    }
    return false;
  }

  /** dpq's properties from the url's query string ({@code url=https://host:port/avatica?dataset=d&epsilon=0.5}). */
  private static Map<String, String> urlProperties(Context ctx) {
    Map<String, String> props = new LinkedHashMap<>();
    for (Map.Entry<String, List<String>> e : ctx.queryParamMap().entrySet()) {
      if (DpqMeta.PROPERTIES.contains(e.getKey()) && !e.getValue().isEmpty()) {
        props.put(e.getKey(), e.getValue().get(0));
      }
    }
    return props;
  }

  private Wire.ErrorBody body(Throwable e) {
    if (e instanceof JdbcRefusal r) {
      return Wire.ErrorBody.of(r.code(), r.getMessage());
    }
    return errors.apply(e);
  }

  /** The Avatica error for a failure: the HTTP API's message, its HTTP status as the error code, a SQLState. */
  private RuntimeException error(Throwable e) {
    if (e instanceof NoSuchConnectionException) {
      return (NoSuchConnectionException) e; // the driver reopens the connection on this (e.g. after a restart)
    }
    Wire.ErrorBody body = body(e);
    ErrorCode code = ErrorCode.fromWire(body.error().code());
    return new StacklessService.Failure(body.error().message(), code.httpStatus(), SqlStates.of(code));
  }
}
