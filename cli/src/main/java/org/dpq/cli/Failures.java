package org.dpq.cli;

import java.io.PrintWriter;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.dpq.client.DpqRemoteException;
import org.dpq.client.ErrorCode;
import org.dpq.errors.BackendException;
import org.dpq.errors.BudgetExhaustedException;
import org.dpq.errors.DatasetValidationException;
import org.dpq.errors.DpqException;
import org.dpq.errors.InvalidPrivacyParameterException;
import org.dpq.errors.LedgerException;
import org.dpq.errors.QueryParameter;
import org.dpq.errors.QueryRejectedException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns a failure into an exit code and a one-line (or one-block) message. Owns the CLI's half of the
 * no-data-in-errors rule: only the messages of dpq's own exceptions, which the engine keeps free of data
 * values, are printed; any other failure prints its class name only, never its message or stack trace.
 */
public final class Failures implements IExecutionExceptionHandler {

  /** How a failure is reported. */
  public record Failure(int exitCode, String message) {}

  private record Kind(int exitCode, String prefix) {}

  /** The command-line spelling of each query parameter a fix may involve (the engine names none). */
  private static final Map<QueryParameter, String> FLAGS = new EnumMap<>(Map.of(
      QueryParameter.EPSILON, "--epsilon", QueryParameter.DELTA, "--delta", QueryParameter.MECHANISM, "--mechanism"));

  private static Kind kind(DpqException e) {
    // The family is sealed: these six cases are every kind there is.
    if (e instanceof QueryRejectedException) {
      return new Kind(ExitCodes.REJECTED, "query rejected: ");
    } else if (e instanceof InvalidPrivacyParameterException) {
      return new Kind(ExitCodes.REJECTED, "invalid privacy parameter: ");
    } else if (e instanceof BudgetExhaustedException) {
      return new Kind(ExitCodes.BUDGET_EXHAUSTED, "budget exhausted: ");
    } else if (e instanceof BackendException) {
      return new Kind(ExitCodes.BACKEND, "backend error: ");
    } else if (e instanceof LedgerException) {
      return new Kind(ExitCodes.BACKEND, "ledger error: ");
    } else {
      return new Kind(ExitCodes.USAGE, "invalid dataset: ");
    }
  }

  // A failure reported by a dpq server is printed as the same failure embedded would be.
  private static final Map<ErrorCode, String> REMOTE_PREFIXES = Map.of(
      ErrorCode.REJECTED, "query rejected: ",
      ErrorCode.INVALID_PARAMETER, "invalid privacy parameter: ",
      ErrorCode.BUDGET_EXHAUSTED, "budget exhausted: ",
      ErrorCode.BACKEND, "backend error: ",
      ErrorCode.UNAVAILABLE, "server unavailable: ",
      ErrorCode.UNAUTHORIZED, "not authenticated: ",
      ErrorCode.FORBIDDEN, "not allowed: ",
      ErrorCode.RATE_LIMITED, "rate limited: ");

  private static final int MAX_CAUSE_DEPTH = 16;

  @Override
  public int handleExecutionException(Exception ex, CommandLine commandLine, ParseResult parseResult) {
    Failure failure = classify(ex);
    PrintWriter err = commandLine.getErr();
    err.println("dpq: " + failure.message());
    err.flush();
    return failure.exitCode();
  }

  /** The exit code and message for a failure (the first dpq exception in its cause chain decides). */
  public static Failure classify(Throwable failure) {
    Throwable t = failure;
    for (int depth = 0; t != null && depth < MAX_CAUSE_DEPTH; depth++, t = t.getCause()) {
      if (t instanceof DpqException e) {
        Kind kind = kind(e);
        return new Failure(kind.exitCode(), kind.prefix() + describe(t) + options(e));
      }
      if (t instanceof java.io.UncheckedIOException) {
        // File I/O (a missing or unreadable source file): messages name the path, never file contents.
        return new Failure(ExitCodes.BACKEND, "data error: " + describe(t));
      }
      if (t instanceof DpqRemoteException r) {
        return new Failure(r.code().exitCode(), REMOTE_PREFIXES.getOrDefault(r.code(), "") + r.getMessage());
      }
      if (t instanceof CliUsageException) {
        return new Failure(ExitCodes.USAGE, t.getMessage());
      }
    }
    return new Failure(ExitCodes.INTERNAL,
        "internal error (" + failure.getClass().getName() + "); please report it");
  }

  private static String describe(Throwable t) {
    String message = t.getMessage() == null ? "(no details)" : t.getMessage();
    // A dataset validation failure lists its problems in its message; add any the message left out.
    StringBuilder sb = new StringBuilder(message);
    for (String p : problems(t)) {
      if (!message.contains(p)) {
        sb.append(System.lineSeparator()).append("  - ").append(p);
      }
    }
    return sb.toString();
  }

  /** The flags that carry the fix, e.g. {@code " (options: --delta, --mechanism)"}, or nothing. */
  private static String options(DpqException e) {
    List<String> flags = e.parameters().stream().sorted().map(FLAGS::get).toList();
    return flags.isEmpty() ? "" : " (options: " + String.join(", ", flags) + ")";
  }

  /** The problems of a dataset validation failure (none for other failures). */
  private static List<String> problems(Throwable t) {
    return t instanceof DatasetValidationException d ? d.problems() : List.of();
  }
}
