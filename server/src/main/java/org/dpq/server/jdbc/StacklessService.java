package org.dpq.server.jdbc;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.function.Function;
import org.apache.calcite.avatica.AvaticaSeverity;
import org.apache.calcite.avatica.NoSuchConnectionException;
import org.apache.calcite.avatica.remote.AvaticaRuntimeException;
import org.apache.calcite.avatica.remote.Service;

/**
 * An Avatica {@link Service} whose every failure is first translated (by the endpoint's error mapping) into an
 * exception without stack frames: Avatica's handler sends a failure's stack trace to the client, and no stack trace
 * leaves dpq serve, so the only thing a trace could show is the one line "class: message" of the translation.
 */
final class StacklessService {
  private StacklessService() {}

  /** A translated failure: a message of the server's error mapping, an error code and a SQLState; no frames. */
  static final class Failure extends AvaticaRuntimeException {
    private static final long serialVersionUID = 1L;

    Failure(String message, int errorCode, String sqlState) {
      super(message, errorCode, sqlState, AvaticaSeverity.ERROR);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }

  /** A "no such connection" without frames, which the driver answers by reopening its connection. */
  static final class NoConnection extends NoSuchConnectionException {
    private static final long serialVersionUID = 1L;

    NoConnection(String id) {
      super(id);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }

  static Service over(Service delegate, Function<Throwable, RuntimeException> translate) {
    InvocationHandler h = (proxy, method, args) -> {
      try {
        return method.invoke(delegate, args);
      } catch (InvocationTargetException e) {
        Throwable cause = e.getCause();
        if (cause instanceof NoConnection || cause instanceof Failure) {
          throw cause;
        }
        if (cause instanceof NoSuchConnectionException n) {
          throw new NoConnection(n.getConnectionId());
        }
        throw translate.apply(cause);
      }
    };
    return (Service) Proxy.newProxyInstance(Service.class.getClassLoader(), new Class<?>[] {Service.class}, h);
  }
}
