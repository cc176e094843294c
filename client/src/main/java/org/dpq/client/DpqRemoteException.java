package org.dpq.client;

/**
 * A failure reported by a dpq server (or on the way to it): its {@link ErrorCode} and the server's message,
 * which never contains a data value. The CLI maps the code to the exit code of the same failure embedded.
 */
public final class DpqRemoteException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;

  public DpqRemoteException(ErrorCode code, String message) {
    super(message);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }
}
