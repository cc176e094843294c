package org.dpq.server.jdbc;

import org.dpq.client.ErrorCode;

/**
 * The SQLState of each dpq failure over JDBC (the README lists them); the vendor code of the SQLException is the
 * HTTP status the API gives for the same failure.
 */
final class SqlStates {
  private SqlStates() {}

  static String of(ErrorCode code) {
    return switch (code) {
      case REJECTED -> "42000";          // syntax error or access rule violation: the engine cannot bound the query
      case INVALID_PARAMETER -> "22023"; // invalid parameter value: epsilon, delta or mechanism
      case BUDGET_EXHAUSTED -> "53P01";  // insufficient resources, implementation-defined: privacy budget
      case USAGE -> "HY000";
      case UNAUTHORIZED -> "28000";      // invalid authorization specification
      case FORBIDDEN -> "42501";         // insufficient privilege
      case NOT_FOUND -> "3F000";         // invalid schema name: no such dataset served to you
      case TOO_LARGE -> "54000";         // program limit exceeded
      case RATE_LIMITED -> "53P02";      // insufficient resources, implementation-defined: request rate
      case BACKEND, UNAVAILABLE, INTERNAL -> "58000"; // system error
    };
  }
}
