package org.dpq.engine.analysis;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.calcite.sql.parser.SqlAbstractParserImpl;
import org.dpq.engine.catalog.Column;
import org.dpq.engine.catalog.Dataset;

/**
 * Names as DuckDB and PostgreSQL users write them, turned into names Calcite's parser reads, before parsing:
 * backtick-quoted names ({@code `month`}) become double-quoted ones, and a catalog column, the table or a SELECT
 * alias whose name is a reserved word in Calcite but an ordinary name in DuckDB and PostgreSQL ({@code month},
 * {@code year}, {@code day}, {@code date}, {@code value}, {@code user}...) is quoted where it is used as a name.
 * Where the same word is used as a keyword it stays one: a function call ({@code YEAR(d)}), a typed literal
 * ({@code DATE '2024-01-01'}), an interval unit ({@code INTERVAL '1' DAY}, {@code YEAR TO MONTH}), the unit of
 * {@code EXTRACT}, {@code TIMESTAMPADD} and {@code TIMESTAMPDIFF}, and a type after {@code AS} inside
 * {@code CAST}.
 *
 * <p>Owns no privacy property and weakens no rejection: it only turns some words into quoted names, which the
 * validator then resolves against the catalog and the query's own aliases like any other name; strings, quoted
 * names and comments are copied unchanged, and the text checks ({@link SqlTextGuard}) run on the analyst's text
 * before it. A word taken for a name by mistake gives a validation error, never another query.
 */
final class Identifiers {
  private enum Kind { WORD, STRING, NAME, NUMBER, SYMBOL }

  /** A significant token and the whitespace and comments after it (copied unchanged). */
  private record Token(Kind kind, String text, String gap) {}

  private static final SqlAbstractParserImpl.Metadata KEYWORDS =
      CatalogSchema.PARSER.parserFactory().getParser(new StringReader("")).getMetadata();

  /** Functions whose first argument may be a time unit keyword. */
  private static final Set<String> UNIT_FUNCTIONS = Set.of("EXTRACT", "TIMESTAMPADD", "TIMESTAMPDIFF");
  /** Functions in which {@code AS} is followed by a type. */
  private static final Set<String> CASTS = Set.of("CAST", "TRY_CAST", "SAFE_CAST");

  private Identifiers() {}

  /** True when {@code word} is reserved in dpq's parser (so it must be quoted to be read as a name). */
  static boolean reserved(String word) {
    return KEYWORDS.isReservedWord(word.toUpperCase(Locale.ROOT));
  }

  /**
   * {@code sql} with backtick-quoted names double-quoted and reserved words that name a column, the table or a
   * SELECT alias quoted where they are names; the text itself when nothing changes.
   */
  static String normalise(String sql, Dataset dataset) {
    return normalised(sql, dataset).text();
  }

  /**
   * The normalised text and how to map a parser position in it back to the analyst's text: each quoted word is
   * two characters longer, so without the mapping every error after one would point two columns too far right.
   *
   * @param text the text to parse
   * @param original the analyst's text
   * @param spans per token of {@code text}: its start there, its start in {@code original}, and both lengths
   */
  record Normalised(String text, String original, List<int[]> spans) {
    /**
     * {@code message} with every "line L, column C" (a position in {@link #text}) replaced by the same place in
     * {@link #original}.
     */
    String originalPositions(String message) {
      if (text.equals(original) || message == null) {
        return message;
      }
      Matcher m = LINE_COLUMN.matcher(message);
      StringBuilder out = new StringBuilder();
      while (m.find()) {
        int[] lc = original(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
        m.appendReplacement(out, "line " + lc[0] + ", column " + lc[1]);
      }
      m.appendTail(out);
      return out.toString();
    }

    private int[] original(int line, int column) {
      int offset = offset(text, line, column);
      if (offset < 0) {
        return new int[] {line, column};
      }
      int mapped = offset;
      for (int[] span : spans) { // {outStart, inStart, outLength, inLength}, in order
        if (span[0] > offset) {
          break;
        }
        mapped = offset < span[0] + span[2] ? span[1] + Math.min(offset - span[0], Math.max(span[3] - 1, 0))
            : span[1] + span[3] + (offset - span[0] - span[2]);
      }
      return lineColumn(original, Math.min(mapped, original.length()));
    }

    private static int offset(String s, int line, int column) {
      int at = 0;
      for (int l = 1; l < line; l++) {
        at = s.indexOf('\n', at);
        if (at < 0) {
          return -1;
        }
        at++;
      }
      return at + column - 1;
    }

    private static int[] lineColumn(String s, int offset) {
      int line = 1;
      int start = 0;
      for (int i = 0; i < offset; i++) {
        if (s.charAt(i) == '\n') {
          line++;
          start = i + 1;
        }
      }
      return new int[] {line, offset - start + 1};
    }
  }

  private static final Pattern LINE_COLUMN = Pattern.compile("line (\\d+), column (\\d+)");

  /** {@link #normalise}, with the positions of its tokens in both texts. */
  static Normalised normalised(String sql, Dataset dataset) {
    List<Token> tokens = tokens(sql);
    Set<String> names = new HashSet<>();
    for (Column c : dataset.columns()) {
      names.add(c.name().toLowerCase(Locale.ROOT));
    }
    names.add(dataset.table().toLowerCase(Locale.ROOT));
    for (org.dpq.engine.catalog.TableSpec t : dataset.hasSeveralTables() ? dataset.allTables()
        : java.util.List.<org.dpq.engine.catalog.TableSpec>of()) {
      names.add(t.name().toLowerCase(Locale.ROOT));
      t.columns().forEach(c -> names.add(c.name().toLowerCase(Locale.ROOT)));
    }
    // SELECT aliases: a word after AS outside CAST
    Deque<String> calls = new ArrayDeque<>();
    for (int i = 0; i < tokens.size(); i++) {
      track(tokens, i, calls);
      Token t = tokens.get(i);
      if (t.kind == Kind.WORD && i > 0 && isWord(tokens.get(i - 1), "AS") && !inCast(calls)) {
        names.add(t.text.toLowerCase(Locale.ROOT));
      }
    }
    names.removeIf(n -> !reserved(n));

    StringBuilder out = new StringBuilder(sql.length() + 16);
    out.append(sql, 0, gapEnd(sql, 0));
    boolean changed = false;
    calls.clear();
    List<int[]> spans = new ArrayList<>();
    int in = gapEnd(sql, 0);
    for (int i = 0; i < tokens.size(); i++) {
      track(tokens, i, calls);
      Token t = tokens.get(i);
      int outStart = out.length();
      if (t.kind == Kind.NAME && t.text.startsWith("`")) {
        out.append(backtickAsDoubleQuote(t.text));
        changed = true;
      } else if (t.kind == Kind.WORD && names.contains(t.text.toLowerCase(Locale.ROOT))
          && !keywordUse(tokens, i, calls)) {
        out.append('"').append(t.text).append('"');
        changed = true;
      } else {
        out.append(t.text);
      }
      spans.add(new int[] {outStart, in, out.length() - outStart, t.text.length()});
      in += t.text.length() + t.gap.length();
      out.append(t.gap);
    }
    return new Normalised(changed ? out.toString() : sql, sql, spans);
  }

  /** True when the word at {@code i} is used as a keyword, not as a name. */
  private static boolean keywordUse(List<Token> tokens, int i, Deque<String> calls) {
    Token prev = i > 0 ? tokens.get(i - 1) : null;
    Token next = next(tokens, i);
    if (prev != null && prev.kind == Kind.SYMBOL && prev.text.equals(".")) {
      return false; // t.year
    }
    if (next != null && (next.kind == Kind.STRING || isSymbol(next, "("))) {
      return true; // DATE '2024-01-01', YEAR(d)
    }
    if (prev == null) {
      return false;
    }
    if (prev.kind == Kind.STRING || isWord(prev, "TO") || isWord(prev, "INTERVAL")) {
      return true; // INTERVAL '1' DAY, YEAR TO MONTH, FLOOR(d TO MONTH)
    }
    Token before = previous(tokens, i, 2);
    if (isSymbol(prev, "(") && before != null && before.kind == Kind.WORD
        && UNIT_FUNCTIONS.contains(before.text.toUpperCase(Locale.ROOT))) {
      return true; // EXTRACT(YEAR FROM d)
    }
    return isWord(prev, "AS") && inCast(calls); // CAST(x AS DATE)
  }

  /** Keeps {@code calls} as the stack of open parentheses, each with the word before it (or "" for none). */
  private static void track(List<Token> tokens, int i, Deque<String> calls) {
    Token t = tokens.get(i);
    if (isSymbol(t, "(")) {
      Token prev = i > 0 ? tokens.get(i - 1) : null;
      calls.push(prev != null && prev.kind == Kind.WORD ? prev.text.toUpperCase(Locale.ROOT) : "");
    } else if (isSymbol(t, ")") && !calls.isEmpty()) {
      calls.pop();
    }
  }

  private static boolean inCast(Deque<String> calls) {
    return !calls.isEmpty() && CASTS.contains(calls.peek());
  }

  private static Token next(List<Token> tokens, int i) {
    return i + 1 < tokens.size() ? tokens.get(i + 1) : null;
  }

  private static Token previous(List<Token> tokens, int i, int back) {
    return i - back >= 0 ? tokens.get(i - back) : null;
  }

  private static boolean isWord(Token t, String word) {
    return t != null && t.kind == Kind.WORD && t.text.equalsIgnoreCase(word);
  }

  private static boolean isSymbol(Token t, String symbol) {
    return t != null && t.kind == Kind.SYMBOL && t.text.equals(symbol);
  }

  /** {@code `a``b"c`} as {@code "a`b""c"}; an unterminated name is left as it is (the parser reports it). */
  private static String backtickAsDoubleQuote(String quoted) {
    if (quoted.length() < 2 || !quoted.endsWith("`")) {
      return quoted;
    }
    String inner = quoted.substring(1, quoted.length() - 1).replace("``", "`").replace("\"", "\"\"");
    return "\"" + inner + "\"";
  }

  /** The end of the whitespace and comments that start at {@code from}. */
  private static int gapEnd(String sql, int from) {
    int i = from;
    while (i < sql.length()) {
      char c = sql.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '-' || c == '/') {
        int end = SqlTextGuard.skipQuotedOrComment(sql, i);
        if (end == i) {
          break;
        }
        i = Math.min(end + 1, sql.length());
      } else {
        break;
      }
    }
    return i;
  }

  /** The significant tokens of the text after its leading gap, each with the gap that follows it. */
  private static List<Token> tokens(String sql) {
    List<Token> out = new ArrayList<>();
    int n = sql.length();
    int i = gapEnd(sql, 0);
    while (i < n) {
      char c = sql.charAt(i);
      Kind kind;
      int end;
      if (c == '\'' || c == '"' || c == '`') {
        kind = c == '\'' ? Kind.STRING : Kind.NAME;
        end = Math.min(SqlTextGuard.skipQuotedOrComment(sql, i) + 1, n);
      } else if (Character.isLetter(c) || c == '_') {
        kind = Kind.WORD;
        end = i + 1;
        while (end < n && (Character.isLetterOrDigit(sql.charAt(end)) || sql.charAt(end) == '_'
            || sql.charAt(end) == '$')) {
          end++;
        }
      } else if (Character.isDigit(c)) {
        kind = Kind.NUMBER;
        end = i + 1;
        while (end < n && (Character.isLetterOrDigit(sql.charAt(end)) || sql.charAt(end) == '.')) {
          end++;
        }
      } else {
        kind = Kind.SYMBOL;
        end = i + 1;
      }
      String text = sql.substring(i, end);
      int next = gapEnd(sql, end);
      out.add(new Token(kind, text, sql.substring(end, next)));
      i = next;
    }
    return out;
  }
}
