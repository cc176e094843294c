package org.dpq.engine.analysis;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.calcite.runtime.CalciteContextException;
import org.apache.calcite.sql.parser.SqlParseException;
import org.dpq.engine.catalog.Column;
import org.dpq.engine.catalog.Dataset;
import org.dpq.errors.QueryRejectedException;

/**
 * Turns Calcite's parse and validation errors into rejections with a fix. Calcite's messages quote only the
 * analyst's SQL (identifiers, tokens, literals) and types, never data, since no data has been read; this class
 * keeps their first line and position and drops the long "Was expecting" lists. Owns part of invariant 6.
 */
final class CalciteErrors {
  private static final Pattern POSITION = Pattern.compile(
      "^(?:From line (\\d+), column (\\d+) to line \\d+, column \\d+|At line (\\d+), column (\\d+)): ");
  private static final Pattern FIRST_WORD = Pattern.compile("^\\s*(?:--[^\\n]*\\n\\s*|/\\*.*?\\*/\\s*)*([A-Za-z]+)",
      Pattern.DOTALL);

  private CalciteErrors() {}

  static QueryRejectedException parse(SqlParseException e, String sql) {
    Matcher first = FIRST_WORD.matcher(sql);
    if (first.find()) {
      String word = first.group(1).toUpperCase(Locale.ROOT);
      switch (word) {
        case "CREATE", "DROP", "ALTER", "TRUNCATE", "GRANT", "REVOKE", "COPY", "ATTACH", "DETACH", "PRAGMA",
            "INSTALL", "LOAD", "SET", "RESET", "CALL", "EXPORT", "IMPORT", "VACUUM", "CHECKPOINT", "USE" ->
          throw Reject.because(word + " statement (DDL or administration) is not accepted: dpq answers read-only "
              + "aggregate queries", "send one SELECT statement");
        default -> { }
      }
    }
    if (e.getCause() instanceof StackOverflowError) {
      return tooDeep();
    }
    String message = e.getMessage() == null ? "syntax error" : e.getMessage();
    int cut = message.indexOf("\nWas expecting");
    if (cut >= 0) {
      message = message.substring(0, cut);
    }
    message = message.strip();
    if (message.endsWith(".")) {
      message = message.substring(0, message.length() - 1);
    }
    return Reject.because("the query could not be parsed: " + message,
        "write one SQL SELECT statement, e.g. SELECT col, COUNT(*) FROM <table> GROUP BY col");
  }

  static QueryRejectedException tooDeep() {
    return Reject.because("the query's expressions are nested too deeply to analyse (e.g. a very long chain of "
        + "OR or +)", "simplify it, e.g. write x IN (1, 2, 3) instead of x = 1 OR x = 2 OR x = 3");
  }

  static QueryRejectedException validation(Throwable e, Dataset dataset) {
    Throwable t = e;
    while (t != null && !(t instanceof CalciteContextException)) {
      t = t.getCause();
    }
    String raw = t != null ? t.getMessage() : e.getMessage();
    if (raw == null) {
      raw = "invalid query";
    }
    Matcher m = POSITION.matcher(raw);
    String where = "";
    if (m.find()) {
      where = m.group(1) != null ? " (line " + m.group(1) + ", column " + m.group(2) + ")"
          : " (line " + m.group(3) + ", column " + m.group(4) + ")";
      raw = raw.substring(m.end());
    }
    String problem = raw + where;
    if (raw.contains("not found in any table") || raw.matches("(?s)Column '.*' not found.*")) {
      return Reject.because("unknown column: " + problem, "use a column of " + dataset.table() + ": "
          + columnList(dataset));
    }
    if (raw.startsWith("Object '") && raw.contains("not found")) {
      return Reject.because("unknown table: " + problem, "the dataset's one table is '" + dataset.table() + "'");
    }
    if (raw.startsWith("No match found for function signature")) {
      return Reject.because("unknown or user-defined function: " + problem,
          "use built-in SQL functions and the aggregates COUNT, SUM, AVG, VAR_POP/VARIANCE, STDDEV");
    }
    if (raw.contains("is not being grouped")) {
      return Reject.because("non-aggregate output: " + problem, "every column outside an aggregate (in SELECT, "
          + "HAVING or ORDER BY) must appear in GROUP BY; dpq releases aggregates only");
    }
    if (raw.contains("cannot be nested")) {
      return Reject.because("nested aggregates: " + problem,
          "use one level of aggregates; combine them with arithmetic, e.g. SUM(income) / COUNT(*)");
    }
    return Reject.because("the query is not valid for this dataset: " + problem,
        "correct the SQL against the table " + dataset.table() + " (" + columnList(dataset) + ")");
  }

  private static String columnList(Dataset dataset) {
    StringBuilder out = new StringBuilder();
    for (Column c : dataset.columns()) {
      if (out.length() > 0) {
        out.append(", ");
      }
      out.append(c.name());
    }
    return out.toString();
  }
}
