package org.dpq.engine.analysis;

/**
 * Refuses queries that are too large from their text alone, before Calcite parses them: more than
 * {@value #MAX_CHARS} characters, a parenthesised list (an IN list, a function's arguments) of more than
 * {@value #MAX_LIST_ITEMS} items, parentheses nested deeper than {@value #MAX_DEPTH}, or several statements. Owns part of
 * invariant 6: the decision depends only on the SQL text, never on data, and costs nothing.
 */
final class SqlTextGuard {
  static final int MAX_CHARS = 100_000;
  static final int MAX_LIST_ITEMS = 10_000;
  static final int MAX_DEPTH = 200;

  private SqlTextGuard() {}

  static void check(String sql) {
    if (sql == null || sql.isBlank()) {
      throw Reject.because("the query is empty", "give one SELECT statement with aggregates, e.g. SELECT COUNT(*) FROM <table>");
    }
    if (sql.length() > MAX_CHARS) {
      throw Reject.because("the query text is longer than " + MAX_CHARS + " characters",
          "shorten it, e.g. replace a long IN list by a range condition or a GROUP BY");
    }
    int[] commas = new int[MAX_DEPTH + 2];
    int depth = 0;
    int n = sql.length();
    for (int i = 0; i < n; i++) {
      char c = sql.charAt(i);
      int skipped = skipQuotedOrComment(sql, i);
      if (skipped != i) {
        i = skipped;
      } else if (c == ';') {
        if (!onlyCommentsAndSpaceAfter(sql, i + 1)) {
          throw Reject.because("several statements are not accepted", "send one SELECT statement per query");
        }
      } else if (c == '(') {
        depth++;
        if (depth > MAX_DEPTH) {
          throw Reject.because("the query nests parentheses deeper than " + MAX_DEPTH + " levels",
              "simplify the expression (e.g. flatten nested conditions with AND/OR or IN)");
        }
        commas[depth] = 0;
      } else if (c == ')') {
        if (depth > 0) {
          depth--;
        }
      } else if (c == ',' && depth > 0) {
        if (++commas[depth] >= MAX_LIST_ITEMS) {
          throw Reject.because("a parenthesised list (e.g. an IN list) has more than " + MAX_LIST_ITEMS + " items",
              "use fewer values, a range condition (BETWEEN), or GROUP BY the column instead");
        }
      }
    }
  }

  /** True when only whitespace, comments and semicolons follow {@code from}. */
  private static boolean onlyCommentsAndSpaceAfter(String sql, int from) {
    int n = sql.length();
    for (int i = from; i < n; i++) {
      char c = sql.charAt(i);
      if (Character.isWhitespace(c) || c == ';') {
        continue;
      }
      if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
        int eol = sql.indexOf('\n', i);
        i = eol < 0 ? n : eol;
      } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
        int end = sql.indexOf("*/", i + 2);
        i = end < 0 ? n : end + 1;
      } else {
        return false;
      }
    }
    return true;
  }

  /**
   * When a quoted string or name, or a comment, starts at {@code i}: the index of its last character (or the end
   * of the text); otherwise {@code i}. The lexical rules every scan of query text shares.
   */
  static int skipQuotedOrComment(String sql, int i) {
    int n = sql.length();
    char c = sql.charAt(i);
    if (c == '\'' || c == '"' || c == '`') {
      return skipQuoted(sql, i, c);
    } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
      int eol = sql.indexOf('\n', i);
      return eol < 0 ? n : eol;
    } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
      int end = sql.indexOf("*/", i + 2);
      return end < 0 ? n : end + 1;
    }
    return i;
  }

  /** Index of the closing quote (doubled quotes escape), or the end of the text. */
  private static int skipQuoted(String sql, int start, char quote) {
    int i = start + 1;
    while (i < sql.length()) {
      if (sql.charAt(i) == quote) {
        if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
          i += 2;
          continue;
        }
        return i;
      }
      i++;
    }
    return sql.length();
  }
}
