package org.dpq.engine.analysis;

import org.dpq.errors.QueryRejectedException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.calcite.avatica.util.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlCharStringLiteral;
import org.apache.calcite.sql.SqlIntervalQualifier;
import org.apache.calcite.sql.SqlFunction;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlOperator;
import org.apache.calcite.sql.SqlUnresolvedFunction;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.util.SqlShuttle;

/**
 * Spellings analysts bring from other SQL engines, turned into the standard forms dpq analyses, before validation:
 * {@code SELECT TOP n ...} (SQL Server, SmartNoise) as {@code ... LIMIT n}, and the aggregates {@code VAR},
 * {@code STD} and {@code STDEV} as {@code VARIANCE} and {@code STDDEV}, and {@code MEDIAN(x)} as
 * {@code PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY x)}, and {@code date_trunc('month', d)} (DuckDB, PostgreSQL) as
 * {@code FLOOR(d TO MONTH)}. Owns no privacy property: each rewrite gives
 * exactly the query the standard spelling would, and every rejection rule then applies to it unchanged.
 */
final class DialectHabits {
  private static final Pattern TOP = Pattern.compile(
      "^((?:\\s|--[^\\n]*\\n|/\\*.*?\\*/)*SELECT\\s+)TOP\\s*(?:\\(\\s*(\\d{1,9})\\s*\\)|(\\d{1,9}))\\s+",
      Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
  private static final Pattern LIMIT = Pattern.compile("(?i)\\b(LIMIT|FETCH)\\b");
  private static final Pattern DIFFERENTIAL_PRIVACY = Pattern.compile(
      "^(?:\\s|--[^\\n]*\\n|/\\*.*?\\*/)*SELECT\\s+WITH\\s+DIFFERENTIAL_PRIVACY\\b",
      Pattern.CASE_INSENSITIVE | Pattern.DOTALL);

  private DialectHabits() {}

  /**
   * Rejects BigQuery's {@code SELECT WITH DIFFERENTIAL_PRIVACY OPTIONS(...)} form, saying where each of its options
   * lives in dpq: epsilon and delta are the query's own options, and the contribution bounds and the privacy unit
   * are the dataset's, set by its owner (a query cannot loosen them).
   */
  static void rejectDifferentialPrivacyClause(String sql) {
    if (DIFFERENTIAL_PRIVACY.matcher(sql).find()) {
      throw Reject.because("BigQuery's SELECT WITH DIFFERENTIAL_PRIVACY OPTIONS(...) form is not accepted: in dpq "
          + "every query is differentially private, and its options live elsewhere: epsilon and delta are the "
          + "query's options (dpq query --epsilon E --delta D; QueryOptions.withEpsilon/withDelta in Java; the "
          + "dataset's defaults when omitted), max_groups_contributed and max_rows_contributed are the dataset "
          + "YAML's max_groups_contributed and max_rows_per_group, and privacy_unit_column is its privacy_unit "
          + "(both set by the data owner; a query cannot change them)",
          "drop WITH DIFFERENTIAL_PRIVACY OPTIONS(...) and write SELECT ... directly, giving epsilon and delta as "
          + "query options");
    }
  }

  /**
   * {@code SELECT TOP n rest} as {@code SELECT rest LIMIT n}; other text unchanged. The words {@code TOP n} are
   * blanked (each character but a line break becomes a space) rather than removed, so every position in the
   * rewritten text up to the analyst's last character is the same line and column as in the analyst's text: parse
   * and validation errors point where the analyst wrote the token. The LIMIT goes on a line of its own when the
   * text has a line comment, which would otherwise swallow it.
   */
  static String topAsLimit(String sql) {
    Matcher m = TOP.matcher(sql);
    if (!m.find()) {
      return sql;
    }
    String n = m.group(2) != null ? m.group(2) : m.group(3);
    String rest = sql.substring(m.end());
    if (LIMIT.matcher(rest).find()) {
      throw Reject.because("SELECT TOP together with LIMIT or FETCH", "write one of them, e.g. ... LIMIT " + n);
    }
    String blank = sql.substring(m.end(1), m.end()).replaceAll("[^\\r\\n]", " ");
    return m.group(1) + blank + rest + (rest.contains("--") ? "\n" : " ") + "LIMIT " + n;
  }

  private static final Pattern LINE_COLUMN = Pattern.compile("line (\\d+), column (\\d+)");

  /**
   * {@code message} with every "line L, column C" past the end of {@code analystText} (in the LIMIT that
   * {@link #topAsLimit} appended) moved to the analyst's last character, and that LIMIT, which the analyst did not
   * write, named as the end of the query.
   */
  static String withinText(String message, String analystText) {
    if (message == null) {
      return null;
    }
    String[] lines = analystText.split("\n", -1);
    Matcher m = LINE_COLUMN.matcher(message);
    StringBuilder out = new StringBuilder();
    boolean past = false;
    while (m.find()) {
      int line = Integer.parseInt(m.group(1));
      int column = Integer.parseInt(m.group(2));
      int lastColumn = Math.max(lines[lines.length - 1].length(), 1);
      if (line > lines.length || (line == lines.length && column > lastColumn)) {
        line = lines.length;
        column = lastColumn;
        past = true;
      }
      m.appendReplacement(out, "line " + line + ", column " + column);
    }
    m.appendTail(out);
    return past ? out.toString().replace("the keyword 'LIMIT'", "the end of the query")
        .replace("'LIMIT'", "the end of the query") : out.toString();
  }

  /** The units {@code date_trunc} accepts, as Calcite's time units. */
  private static final Map<String, TimeUnit> TRUNC_UNITS = Map.of("year", TimeUnit.YEAR, "quarter",
      TimeUnit.QUARTER, "month", TimeUnit.MONTH, "week", TimeUnit.WEEK, "day", TimeUnit.DAY);

  /**
   * DuckDB's and PostgreSQL's {@code date_trunc('month', d)} as the standard {@code FLOOR(d TO MONTH)}; a unit that
   * is not a literal or not one of year, quarter, month, week and day is rejected, naming them.
   */
  private static SqlNode dateTrunc(SqlCall c) {
    String allowed = "'year', 'quarter', 'month', 'week' or 'day'";
    if (c.operandCount() != 2) {
      throw Reject.because("date_trunc takes two arguments, a unit and a date",
          "write e.g. date_trunc('month', d), with the unit " + allowed);
    }
    SqlNode unit = c.operand(0);
    TimeUnit timeUnit = unit instanceof SqlCharStringLiteral literal
        ? TRUNC_UNITS.get(literal.getValueAs(String.class).strip().toLowerCase(Locale.ROOT)) : null;
    if (timeUnit == null) {
      throw Reject.because("date_trunc's unit must be the literal " + allowed,
          "write e.g. date_trunc('month', d), or FLOOR(d TO MONTH)");
    }
    return SqlStdOperatorTable.FLOOR.createCall(c.getParserPosition(), c.operand(1),
        new SqlIntervalQualifier(timeUnit, null, unit.getParserPosition()));
  }

  /** Renames the aggregate spellings of other engines to the standard ones, throughout the statement. */
  static SqlNode standardFunctions(SqlNode statement) {
    return statement.accept(new SqlShuttle() {
      @Override
      public SqlNode visit(SqlCall call) {
        SqlNode visited = super.visit(call);
        if (visited instanceof SqlCall c && c.getOperator().getName().equalsIgnoreCase("DATE_TRUNC")) {
          return dateTrunc(c); // parsed as BigQuery's DATE_TRUNC(d, MONTH), which dpq's validator does not know
        }
        if (!(visited instanceof SqlCall c) || !(c.getOperator() instanceof SqlUnresolvedFunction f)) {
          return visited;
        }
        if (f.getName().equalsIgnoreCase("MEDIAN") && c.operandCount() == 1) {
          // MEDIAN(x) = PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY x)
          SqlNode percentile = SqlStdOperatorTable.PERCENTILE_CONT.createCall(c.getParserPosition(),
              SqlLiteral.createExactNumeric("0.5", c.getParserPosition()));
          return SqlStdOperatorTable.WITHIN_GROUP.createCall(c.getParserPosition(), percentile,
              new SqlNodeList(List.of(c.operand(0)), c.getParserPosition()));
        }
        SqlFunction standard = switch (f.getName().toUpperCase(Locale.ROOT)) {
          case "VAR" -> SqlStdOperatorTable.VARIANCE;
          case "STD", "STDEV" -> SqlStdOperatorTable.STDDEV;
          default -> null;
        };
        if (standard == null) {
          return visited;
        }
        SqlOperator op = standard;
        return op.createCall(c.getFunctionQuantifier(), c.getParserPosition(), c.getOperandList().toArray(
            new SqlNode[0]));
      }
    });
  }
}
