package org.dpq.engine.execution;

/**
 * A backend or data failure. Its message never contains a data value (the underlying driver message is not
 * kept, since drivers echo values such as {@code Could not convert string 'x'}).
 */
public final class BackendException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public BackendException(String message) {
    super(message);
  }
}
