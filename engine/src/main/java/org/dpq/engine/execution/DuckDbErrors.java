package org.dpq.engine.execution;

import java.sql.SQLException;
import java.util.Map;
import org.dpq.errors.BackendException;

/**
 * Maps DuckDB failures to {@link BackendException}s built only from the failure's category (DuckDB's fixed error
 * type names, matched against a closed list) and SQLState. Owns the rule that no driver text, which echoes data
 * values (e.g. {@code Could not convert string 'x' to INT32}), ever reaches a message.
 */
final class DuckDbErrors {
  /** DuckDB error types (the fixed text before " Error:") and what each means for a dpq user. */
  private static final Map<String, String> CATEGORIES = Map.ofEntries(
      Map.entry("Conversion", "a value could not be converted to the type the query needs"),
      Map.entry("Invalid Input", "invalid input: a malformed source file, or an operation such as an integer "
          + "division by zero"),
      Map.entry("Out of Range", "a value was out of range for its type (overflow)"),
      Map.entry("Divide by Zero", "a division by zero"),
      Map.entry("Catalog", "the query names a table, column or function that does not exist"),
      Map.entry("Binder", "the query does not match the table (an unknown column or mismatched types)"),
      Map.entry("Parser", "DuckDB could not parse the SQL"),
      Map.entry("Syntax", "DuckDB could not parse the SQL"),
      Map.entry("Not implemented", "the query uses a feature DuckDB does not implement"),
      Map.entry("IO", "the source could not be read (check that the file exists and is readable)"),
      Map.entry("Permission", "the query tried to reach a file or setting outside the dataset"),
      Map.entry("Out of Memory", "DuckDB ran out of memory"),
      Map.entry("INTERRUPT", "the query was interrupted"),
      Map.entry("Interrupt", "the query was interrupted"),
      Map.entry("Constraint", "a constraint was violated"),
      Map.entry("Dependency", "a dependency between database objects prevented the statement"),
      Map.entry("Missing Extension", "the query needs a DuckDB extension that is not available"),
      Map.entry("Serialization", "an internal serialization failure"),
      Map.entry("TransactionContext", "a transaction conflict"),
      Map.entry("Mismatch Type", "mismatched types"),
      Map.entry("INTERNAL", "an internal DuckDB error"),
      Map.entry("FATAL", "a fatal DuckDB error (the database must be reopened)"));

  private DuckDbErrors() {}

  /** A failure while running a bounded query. */
  static BackendException running(SQLException e) {
    return new BackendException("the backend failed while running the bounded query: " + describe(e)
        + ". No data value is shown; the query's cost stands.");
  }

  /** A failure while exposing the dataset's source as its table. */
  static BackendException opening(SQLException e, String table) {
    return new BackendException("the backend could not expose the source of table '" + table + "': " + describe(e)
        + ". No data value is shown; check the dataset's source file and declared columns.");
  }

  /** A non-SQL failure inside the driver (its message is not kept either). */
  static BackendException unexpected(RuntimeException e) {
    return new BackendException("the backend failed while running the bounded query ("
        + e.getClass().getSimpleName() + "). No data value is shown.");
  }

  /** The category and SQLState, never the driver's message text. */
  static String describe(SQLException e) {
    String type = errorType(e.getMessage());
    StringBuilder b = new StringBuilder();
    if (type == null) {
      b.append("an unclassified error");
    } else {
      b.append(CATEGORIES.get(type)).append(" (DuckDB ").append(type).append(" Error)");
    }
    String state = e.getSQLState();
    if (state != null && state.matches("[0-9A-Z]{5}")) {
      b.append(" [SQLState ").append(state).append(']');
    }
    return b.toString();
  }

  /** The known error type the message starts with, or null: unknown text is never returned. */
  static String errorType(String message) {
    if (message == null) {
      return null;
    }
    int end = message.indexOf(" Error:");
    if (end <= 0) {
      return null;
    }
    String prefix = message.substring(0, end);
    return CATEGORIES.containsKey(prefix) ? prefix : null;
  }
}
