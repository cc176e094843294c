package org.dpq.server.jdbc;

import org.dpq.client.ErrorCode;

/**
 * A refusal written by the JDBC endpoint itself (no dataset chosen, an unsupported JDBC call); its message names the
 * problem and the fix and never holds a data value.
 */
final class JdbcRefusal extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient ErrorCode code;

  JdbcRefusal(ErrorCode code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  ErrorCode code() {
    return code;
  }
}
