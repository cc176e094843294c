package org.dpq.engine.analysis;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.sql.SqlDynamicParam;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.sql.parser.SqlParser;
import org.apache.calcite.sql.util.SqlBasicVisitor;
import org.dpq.errors.QueryRejectedException;

/**
 * Binds {@code ?} parameters as SQL literals before analysis, so that a parameterised query is analysed,
 * keyed for stored answers and recorded in the ledger exactly as the query with those constants written in.
 * Owns the rule that a parameter is an analyst-supplied constant with the standing of SQL text: it becomes part
 * of the query text (and so of the stored-answer key and the ledger's record), it is rendered as a literal that
 * cannot change the query's structure (strings quoted with {@code ''} doubled, negative numbers parenthesised),
 * and it is never echoed in an error message.
 */
public final class BindParameters {
  private BindParameters() {}

  /**
   * The query text with each {@code ?} (outside strings, quoted names and comments) replaced by its parameter.
   *
   * @param parameters Long, Integer, Short, Byte, BigInteger, BigDecimal, Double or Float (finite), String,
   *     Boolean or LocalDate
   * @throws QueryRejectedException when the count of parameters differs from the count of {@code ?}, or a
   *     parameter is null or of another type (nothing is charged)
   */
  public static String bind(String sql, Object... parameters) {
    SqlTextGuard.check(sql);
    List<Integer> marks = marks(sql);
    int expected = parsedCount(sql);
    if (expected >= 0 && expected != marks.size()) {
      throw Reject.because("the query's parameter markers ('?') could not be located", "write each ? on its own, "
          + "outside strings and comments");
    }
    if (marks.size() != parameters.length) {
      throw Reject.because("the query has " + marks.size() + " parameter marker(s) ('?') but " + parameters.length
          + " parameter(s) were given", "give one parameter per ?, in order");
    }
    StringBuilder out = new StringBuilder(sql.length() + 16 * parameters.length);
    int from = 0;
    for (int i = 0; i < marks.size(); i++) {
      out.append(sql, from, marks.get(i)).append(literal(i + 1, parameters[i]));
      from = marks.get(i) + 1;
    }
    return out.append(sql, from, sql.length()).toString();
  }

  /** The SQL literal for one parameter (its position is named in errors, never its value). */
  static String literal(int position, Object value) {
    if (value == null) {
      throw Reject.because("parameter " + position + " is null", "write IS NULL / IS NOT NULL in the query instead");
    }
    if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte
        || value instanceof BigInteger) {
      return signed(value.toString());
    }
    if (value instanceof BigDecimal d) {
      return signed(d.toPlainString());
    }
    if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      if (!Double.isFinite(d)) {
        throw Reject.because("parameter " + position + " is not a finite number", "give a finite number");
      }
      return signed(new BigDecimal(Double.toString(d)).toPlainString());
    }
    if (value instanceof String s) {
      return "'" + s.replace("'", "''") + "'";
    }
    if (value instanceof Boolean b) {
      return b ? "TRUE" : "FALSE";
    }
    if (value instanceof LocalDate date) {
      return "DATE '" + date + "'";
    }
    throw Reject.because("parameter " + position + " is a " + value.getClass().getSimpleName()
        + ", which cannot be bound", "give a number, String, Boolean or LocalDate");
  }

  private static String signed(String number) {
    return number.startsWith("-") ? "(" + number + ")" : number;
  }

  /** Offsets of {@code ?} outside quoted text and comments (the lexical rules of {@link SqlTextGuard}). */
  private static List<Integer> marks(String sql) {
    List<Integer> marks = new ArrayList<>();
    int n = sql.length();
    for (int i = 0; i < n; i++) {
      int skipped = SqlTextGuard.skipQuotedOrComment(sql, i);
      if (skipped != i) {
        i = skipped;
      } else if (sql.charAt(i) == '?') {
        marks.add(i);
      }
    }
    return marks;
  }

  /** How many dynamic parameters Calcite's parser sees, or -1 when the text does not parse (analysis says why). */
  private static int parsedCount(String sql) {
    SqlNode node;
    try {
      String s = sql.stripTrailing();
      node = SqlParser.create(s.endsWith(";") ? s.substring(0, s.length() - 1) : s, CatalogSchema.PARSER).parseQuery();
    } catch (SqlParseException | RuntimeException e) {
      return -1;
    }
    int[] count = {0};
    node.accept(new SqlBasicVisitor<Void>() {
      @Override
      public Void visit(SqlDynamicParam param) {
        count[0]++;
        return null;
      }
    });
    return count[0];
  }
}
