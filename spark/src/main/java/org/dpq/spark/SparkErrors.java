package org.dpq.spark;

import java.util.regex.Pattern;
import org.apache.spark.SparkThrowable;
import org.dpq.errors.BackendException;

/**
 * Maps Spark failures to {@link BackendException}s built only from Spark's error class and SQLSTATE (fixed
 * identifiers such as {@code DIVIDE_BY_ZERO} or {@code CAST_INVALID_INPUT}, checked against their shape) and the
 * exception's type. Owns the rule that no Spark message text reaches a message: Spark's messages quote values
 * ({@code The value 'x' of the type "STRING" cannot be cast to "INT"}) and file paths.
 */
final class SparkErrors {
  private static final Pattern ERROR_CLASS = Pattern.compile("[A-Z][A-Z0-9_]{0,80}(\\.[A-Z][A-Z0-9_]{0,80}){0,3}");
  private static final Pattern SQL_STATE = Pattern.compile("[0-9A-Z]{5}");

  private SparkErrors() {}

  /** A failure while running a bounded query. */
  static BackendException running(Throwable e) {
    return new BackendException("the Spark backend failed while running the bounded query: " + describe(e)
        + ". No data value is shown; the query's cost stands.");
  }

  /** A failure while exposing the dataset's source as its view. */
  static BackendException opening(Throwable e, String datasetName) {
    return new BackendException("the Spark source of dataset '" + datasetName + "' could not be opened: "
        + describe(e) + ". No data value is shown; check source.spark in the dataset YAML.");
  }

  /**
   * The error class and SQLSTATE of the innermost classified Spark failure (a failed job wraps the task's failure),
   * else the exception's type; never a message.
   */
  static String describe(Throwable e) {
    String errorClass = null;
    String state = null;
    int depth = 0;
    for (Throwable t = e; t != null && depth < 20; t = t.getCause(), depth++) {
      if (t instanceof SparkThrowable s && s.getErrorClass() != null
          && ERROR_CLASS.matcher(s.getErrorClass()).matches()) {
        errorClass = s.getErrorClass();
        state = s.getSqlState();
      }
    }
    if (errorClass == null) {
      return "an unclassified error (" + e.getClass().getSimpleName() + ")";
    }
    StringBuilder b = new StringBuilder("Spark error ").append(errorClass);
    if (state != null && SQL_STATE.matcher(state).matches()) {
      b.append(" [SQLSTATE ").append(state).append(']');
    }
    return b.toString();
  }
}
