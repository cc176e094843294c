package org.dpq.client;

import java.util.Arrays;

/**
 * The error codes of the HTTP API, each with its HTTP status and the CLI exit code it corresponds to. Owns the
 * rule that a remote failure is reported like the same failure embedded (same exit code), and that
 * authentication and authorisation failures are told apart from everything else.
 */
public enum ErrorCode {
  /** Malformed request (bad JSON, bad number, missing SQL): exit 2. */
  USAGE(400, 2),
  /** Missing, malformed, unknown or revoked token: exit 2 (fix the token). */
  UNAUTHORIZED(401, 2),
  /** The principal may not do this (an analyst on an officer endpoint): exit 2. */
  FORBIDDEN(403, 2),
  /** No such dataset for this principal, or no such endpoint: exit 2, like a missing dataset file. */
  NOT_FOUND(404, 2),
  /** The request body is too large: exit 2. */
  TOO_LARGE(413, 2),
  /** The query was rejected before any data was read: exit 3, nothing charged. */
  REJECTED(422, 3),
  /** The query's epsilon, delta or mechanism cannot be used (e.g. epsilon 0): exit 3, nothing charged. */
  INVALID_PARAMETER(422, 3),
  /** The dataset's budget or the analyst's allocation does not cover the cost: exit 4, nothing charged. */
  BUDGET_EXHAUSTED(409, 4),
  /** Too many requests from this principal: exit 5 (retry later). */
  RATE_LIMITED(429, 5),
  /** The backend or the data failed after the charge (the charge stands), or the dataset is invalid: exit 5. */
  BACKEND(500, 5),
  /** The ledger is unusable (fail closed) or the server is shutting down: exit 5. */
  UNAVAILABLE(503, 5),
  /** A bug: exit 1. */
  INTERNAL(500, 1);

  private final int httpStatus;
  private final int exitCode;

  ErrorCode(int httpStatus, int exitCode) {
    this.httpStatus = httpStatus;
    this.exitCode = exitCode;
  }

  public int httpStatus() {
    return httpStatus;
  }

  public int exitCode() {
    return exitCode;
  }

  /** The code as it appears in JSON, e.g. {@code budget_exhausted}. */
  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** The code for a wire name; an unknown one (a newer server) is {@link #INTERNAL}. */
  public static ErrorCode fromWire(String name) {
    return Arrays.stream(values()).filter(c -> c.wireName().equals(name)).findFirst().orElse(INTERNAL);
  }
}
