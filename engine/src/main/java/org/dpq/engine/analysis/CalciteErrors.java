package org.dpq.engine.analysis;

import java.util.List;
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

  /** Calcite's 'Encountered "token" at line L, column C' (the token the parser stopped at). */
  private static final Pattern ENCOUNTERED = Pattern.compile("Encountered \"(.*?)\" at line (\\d+), column (\\d+)");
  /** Column 'x' or Object 'x' in a validation message. */
  private static final Pattern NAMED = Pattern.compile("^(?:Column|Object|Table) '([^']*)'");

  static QueryRejectedException parse(SqlParseException e, String sql, Dataset dataset) {
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
    Matcher at = ENCOUNTERED.matcher(message);
    if (at.find()) {
      String token = at.group(1).strip();
      // The token and position of the parser's stop, in the analyst's words; the rest of Calcite's text after it.
      message = "stopped at '" + token + "' (line " + at.group(2) + ", column " + at.group(3) + ")";
      String word = token.replace("\"", "");
      if (word.matches("[A-Za-z_][A-Za-z0-9_]*") && Identifiers.reserved(word)) {
        return Reject.because("the query could not be parsed: it " + message + ": " + word.toUpperCase(Locale.ROOT)
            + " is a reserved word in SQL", "to use '" + word + "' as a name (a column or an alias), quote it: \""
            + word + "\" or `" + word + "`; otherwise check the SQL just before it");
      }
      return Reject.because("the query could not be parsed: it " + message, "check the SQL at that point; write "
          + "one SELECT statement, e.g. SELECT col, COUNT(*) FROM " + dataset.table() + " GROUP BY col");
    }
    return Reject.because("the query could not be parsed: " + message,
        "write one SQL SELECT statement, e.g. SELECT col, COUNT(*) FROM <table> GROUP BY col");
  }

  /**
   * The catalog name closest to {@code name} by edit distance (case-insensitive), when it is close enough to be a
   * misspelling: at most 1 edit for names of up to 4 characters, 2 up to 8, and 3 beyond. Names only (schema, never
   * data).
   */
  static java.util.Optional<String> closest(String name, java.util.Collection<String> candidates) {
    String wanted = name.toLowerCase(Locale.ROOT);
    int limit = wanted.length() <= 4 ? 1 : wanted.length() <= 8 ? 2 : 3;
    org.apache.commons.text.similarity.LevenshteinDistance distance =
        new org.apache.commons.text.similarity.LevenshteinDistance(limit);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : candidates) {
      int d = distance.apply(wanted, candidate.toLowerCase(Locale.ROOT));
      if (d >= 0 && d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    return java.util.Optional.ofNullable(best);
  }

  /** "did you mean 'x'? " for a misspelt name, or "". */
  private static String didYouMean(String raw, java.util.Collection<String> candidates) {
    Matcher named = NAMED.matcher(raw);
    if (!named.find()) {
      return "";
    }
    return closest(named.group(1), candidates).map(c -> "did you mean '" + c + "'? ").orElse("");
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
      List<String> columns = dataset.columns().stream().map(Column::name).toList();
      return Reject.because("unknown column: " + problem, didYouMean(raw, columns) + "use a column of "
          + dataset.table() + ": " + columnList(dataset));
    }
    if ((raw.startsWith("Object '") || raw.startsWith("Table '")) && raw.contains("not found")) {
      return Reject.because("unknown table: " + problem, didYouMean(raw, List.of(dataset.table()))
          + "the dataset's one table is '" + dataset.table() + "'");
    }
    if (raw.startsWith("No match found for function signature")) {
      return Reject.because("unknown or user-defined function: " + problem,
          "use built-in SQL functions and the aggregates COUNT, SUM, AVG, AVG_PER_UNIT, VAR_POP/VARIANCE, STDDEV");
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
