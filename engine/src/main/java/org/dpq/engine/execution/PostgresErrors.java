package org.dpq.engine.execution;

import java.sql.SQLException;
import java.util.Map;
import org.dpq.errors.BackendException;

/**
 * Maps PostgreSQL failures to {@link BackendException}s built only from the SQLState (a five-character code from
 * a closed list, matched exactly or by its two-character class). Owns the rule that no server or driver text
 * reaches a message: PostgreSQL's messages and details echo values ({@code invalid input syntax for type
 * integer: "x"}, the failing row of a constraint) and the driver's echo the user name of the connection URL.
 */
final class PostgresErrors {
  /** Exact SQLStates worth telling apart, and what each means for a dpq user. */
  private static final Map<String, String> STATES = Map.ofEntries(
      Map.entry("22012", "a division by zero"),
      Map.entry("22003", "a value was out of range for its type (overflow)"),
      Map.entry("22P02", "a value could not be converted to the type the query needs"),
      Map.entry("25006", "the query tried to write in a read-only transaction"),
      Map.entry("28P01", "the server refused the password (check the credentials in source.jdbc.url)"),
      Map.entry("3D000", "the database named in source.jdbc.url does not exist"),
      Map.entry("3F000", "a schema does not exist"),
      Map.entry("42P01", "the table does not exist or is not visible to this user"),
      Map.entry("42703", "a column does not exist"),
      Map.entry("42883", "the query uses a function or operator PostgreSQL does not have for these types"),
      Map.entry("42601", "PostgreSQL could not parse the SQL"),
      Map.entry("42501", "the user lacks a privilege the query needs (e.g. SELECT on the table)"),
      Map.entry("53300", "the server has too many connections"),
      Map.entry("57014", "the query was cancelled (e.g. by a statement timeout)"));

  /** SQLState classes and their meaning. */
  private static final Map<String, String> CLASSES = Map.ofEntries(
      Map.entry("08", "could not connect to the PostgreSQL server (check host, port and that it is running)"),
      Map.entry("0A", "the query uses a feature PostgreSQL does not support"),
      Map.entry("22", "a data exception (a value invalid for an operation)"),
      Map.entry("25", "an invalid transaction state"),
      Map.entry("28", "the server refused the connection's credentials (check source.jdbc.url)"),
      Map.entry("40", "the transaction was rolled back by the server"),
      Map.entry("42", "the query does not match the database (a syntax error or access rule violation)"),
      Map.entry("53", "the server ran out of a resource (memory, disk or connections)"),
      Map.entry("54", "the query exceeds a server limit"),
      Map.entry("55", "an object is not in the state the query needs (e.g. locked)"),
      Map.entry("57", "the server stopped the query (cancelled or shutting down)"),
      Map.entry("58", "a system error on the server"),
      Map.entry("XX", "an internal PostgreSQL error"));

  private PostgresErrors() {}

  /** A failure while running a bounded query. */
  static BackendException running(SQLException e) {
    return new BackendException("the PostgreSQL backend failed while running the bounded query: " + describe(e)
        + ". No data value is shown; the query's cost stands.");
  }

  /** A failure while connecting or inspecting the source table. */
  static BackendException opening(SQLException e, String datasetName) {
    return new BackendException("the PostgreSQL source of dataset '" + datasetName + "' could not be opened: "
        + describe(e) + ". No data value or credential is shown; check source.jdbc in the dataset YAML.");
  }

  /** A non-SQL failure inside the driver (its message is not kept either). */
  static BackendException unexpected(RuntimeException e) {
    return new BackendException("the PostgreSQL backend failed while running the bounded query ("
        + e.getClass().getSimpleName() + "). No data value is shown.");
  }

  /** The category and SQLState, never the message text. */
  static String describe(SQLException e) {
    String state = e.getSQLState();
    if (state == null || !state.matches("[0-9A-Z]{5}")) {
      return "an unclassified error";
    }
    String meaning = STATES.get(state);
    if (meaning == null) {
      meaning = CLASSES.getOrDefault(state.substring(0, 2), "an unclassified error");
    }
    return meaning + " [SQLState " + state + "]";
  }
}
