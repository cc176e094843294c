package org.dpq.server;

import org.dpq.client.ErrorCode;

/**
 * A failure the server reports as it is, with its code; its message is written by the server and never contains
 * a data value or a token.
 */
public final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;

  public ApiException(ErrorCode code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }

  /** A caller-supplied name, shortened and without control characters, for echoing in a message. */
  public static String safe(String name) {
    String s = name == null ? "" : name.replaceAll("\\p{Cntrl}", "?");
    return s.length() > 64 ? s.substring(0, 64) + "..." : s;
  }
}
