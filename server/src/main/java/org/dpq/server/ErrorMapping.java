package org.dpq.server;

import java.util.Map;
import org.dpq.client.ErrorCode;
import org.dpq.client.Wire;

/**
 * Turns any failure into dpq's JSON error body and HTTP status, matching the CLI's exit codes. Owns the server's
 * half of the no-data-in-errors rule: only messages of dpq's own exceptions (which the engine keeps free of data
 * values) and of the server's own refusals are sent; anything else is reported by its class name only, and no
 * stack trace ever leaves the server.
 */
final class ErrorMapping {
  // By simple class name, so that the mapping survives the exceptions moving between packages.
  private static final Map<String, ErrorCode> KINDS = Map.of(
      "QueryRejectedException", ErrorCode.REJECTED,
      "InvalidPrivacyParameterException", ErrorCode.INVALID_PARAMETER,
      "BudgetExhaustedException", ErrorCode.BUDGET_EXHAUSTED,
      "BackendException", ErrorCode.BACKEND,
      "LedgerException", ErrorCode.UNAVAILABLE,
      "DatasetValidationException", ErrorCode.BACKEND);

  private static final int MAX_CAUSE_DEPTH = 16;

  private ErrorMapping() {}

  static Wire.ErrorBody map(Throwable failure) {
    Throwable t = failure;
    for (int depth = 0; t != null && depth < MAX_CAUSE_DEPTH; depth++, t = t.getCause()) {
      if (t instanceof ApiException a) {
        return Wire.ErrorBody.of(a.code(), a.getMessage());
      }
      ErrorCode code = KINDS.get(t.getClass().getSimpleName());
      if (code != null && t.getClass().getName().startsWith("org.dpq.")) {
        return Wire.ErrorBody.of(code, t.getMessage() == null ? "(no details)" : t.getMessage());
      }
    }
    return Wire.ErrorBody.of(ErrorCode.INTERNAL, "internal error (" + failure.getClass().getName()
        + "); please report it");
  }
}
