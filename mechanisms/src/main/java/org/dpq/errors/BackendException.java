package org.dpq.errors;

import java.util.Set;

/**
 * A backend or data failure. Its message never contains a data value (the underlying driver message is not
 * kept, since drivers echo values such as {@code Could not convert string 'x'}). When it happens after the
 * charge, the charge stands.
 */
public final class BackendException extends DpqException {
  private static final long serialVersionUID = 1L;

  public BackendException(String message) {
    super(message, Set.of(), null);
  }
}
