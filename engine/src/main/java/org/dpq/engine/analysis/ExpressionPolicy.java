package org.dpq.engine.analysis;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.type.SqlTypeFamily;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.sql.type.SqlTypeUtil;
import org.apache.calcite.util.Sarg;
import org.dpq.errors.QueryRejectedException;

/**
 * The one policy for row-level expressions (WHERE, CASE, and any expression evaluated once per row), the same for
 * every backend and decided at analysis time, before any charge. Owns invariant 7 for row expressions: how long a
 * query runs and how much memory it takes may depend on one unit's rows only through a small constant factor of
 * those rows' own sizes, so that no row expression can turn "this person's row matches" into seconds of work or
 * an out-of-memory failure (the REPLACE/REPEAT timing and memory oracles of issue 12).
 *
 * <h2>The cost model</h2>
 *
 * Every allowed function has a rule giving an upper bound of its output size and of its per-row work as an affine
 * function {@code g * S + c} of <em>S</em>, the size in bytes of the largest input value of the row (a string
 * column's value; numbers, booleans and dates count as constants). Output sizes compose (a concatenation adds, a
 * CASE takes the larger branch), work adds up over the whole tree (every branch of a CASE counts, whether or not
 * a row reaches it). A row expression is accepted only when
 * <ul>
 *   <li>every function and operator in it is on {@link #rules() the list} (anything else is rejected, naming it);
 *   <li>its output grows at most {@value #MAX_GROWTH} times S plus {@value #MAX_CONSTANT_BYTES} bytes;
 *   <li>its per-row work is at most {@value #MAX_WORK_GROWTH} times S plus {@value #MAX_CONSTANT_WORK};
 *   <li>it is at most {@value #MAX_DEPTH} calls deep, and no literal is longer than {@value #MAX_LITERAL_CHARS}
 *       characters (a LIKE pattern: {@value #MAX_PATTERN_CHARS}, with at most {@value #MAX_PATTERN_WILDCARDS}
 *       {@code %} wildcards).
 * </ul>
 * Functions whose output or work grows with a parameter rather than with the input (REPLACE, REPEAT, LPAD, RPAD,
 * OVERLAY, TRANSLATE, SPACE), regular expressions (PostgreSQL's and Java's engines backtrack: one row can take
 * exponential time), set-returning and collection functions (a row expanded into many: a cross join in disguise)
 * and anything not listed are rejected with exit code 3, free of charge, naming the function and why.
 *
 * <h2>Row errors</h2>
 *
 * Each rule also says whether the function can fail on some rows only ({@link Failure}). DuckDB evaluates the
 * WHERE inside {@code TRY}, so a failing row is filtered out; PostgreSQL and Spark have no such form, and there
 * {@link #firstRowError(RexNode)} names the first operation that could fail, which the rewrite rejects before the
 * charge. One list serves both decisions.
 *
 * <h2>Spellings</h2>
 *
 * Each rule carries the name each backend knows the function by ({@link Spelling}); Calcite's dialects
 * ({@code DuckDbDialect}, PostgreSQL, {@code SparkDialect}) emit these names; {@code PolicySamples} (engine test-jar)
 * holds one condition per rule, which {@code ExpressionPolicyTest} runs on DuckDB, {@code PostgresHostileTest} on
 * PostgreSQL and {@code SparkCostOracleTest} on Spark, to keep the list and the engines in step.
 *
 * <h2>Using it</h2>
 *
 * Anything that lets the analyst write a new row-level expression (an expression inside an aggregate, a GROUP BY
 * expression) calls {@link #check(RexNode, String)} on it before building the plan; the returned {@link Cost}
 * can be summed with {@link Cost#plus} when several expressions run on the same row, and checked again with
 * {@link #checkTotal(Cost, String)}.
 */
public final class ExpressionPolicy {
  /** Deepest row expression accepted, in nested calls. */
  public static final int MAX_DEPTH = 48;
  /** Longest literal (characters of a string, digits of a number) in a row expression. */
  public static final int MAX_LITERAL_CHARS = 1_024;
  /** Longest LIKE pattern. */
  public static final int MAX_PATTERN_CHARS = 256;
  /** Most {@code %} wildcards in one LIKE pattern. */
  public static final int MAX_PATTERN_WILDCARDS = 8;
  /** Output size: at most this many times the largest input value of the row... */
  public static final long MAX_GROWTH = 8;
  /** ... plus this many bytes. */
  public static final long MAX_CONSTANT_BYTES = 16_384;
  /** Per-row work: at most this many byte operations per byte of the largest input value of the row... */
  public static final long MAX_WORK_GROWTH = 4_096;
  /** ... plus this many operations. */
  public static final long MAX_CONSTANT_WORK = 1_000_000;

  /** Size of a number, boolean or date value in the model (bytes). */
  private static final long SCALAR = 16;
  /** Size bound of a number or date written as text. */
  private static final long SCALAR_TEXT = 40;

  private ExpressionPolicy() {}

  /** Whether a function can fail on some rows only (so whether the query fails would depend on the data). */
  public enum Failure {
    /** Never fails on any row. */
    NEVER,
    /** Cannot fail under a condition on its operands that {@link #firstRowError} checks (e.g. a literal divisor). */
    CONDITIONAL,
    /** May fail on some rows (overflow, a malformed string); allowed only where the backend catches row errors. */
    MAY_FAIL
  }

  /**
   * The name each backend knows a function by.
   *
   * @param duckdb DuckDB's spelling
   * @param postgresql PostgreSQL's spelling
   * @param spark Spark SQL's spelling
   */
  public record Spelling(String duckdb, String postgresql, String spark) {
    static Spelling same(String name) {
      return new Spelling(name, name, name);
    }
  }

  /**
   * One allowed function or operator.
   *
   * @param name the SQL name analysts write
   * @param spelling how each backend spells it
   * @param size how its output size and per-row work follow from its inputs', in words
   * @param failure whether it can fail on some rows only
   */
  public record Rule(String name, Spelling spelling, String size, Failure failure) {}

  /**
   * An upper bound of a row expression's output size ({@code growth * S + bytes}) and per-row work
   * ({@code workGrowth * S + work}), where S is the size of the row's largest input value; {@code depth} is its
   * nesting in calls. Saturates instead of overflowing.
   */
  public record Cost(long growth, long bytes, long workGrowth, long work, int depth) {
    /** The cost of evaluating both expressions on the same row (sizes and work add, depth is the larger). */
    public Cost plus(Cost other) {
      return new Cost(add(growth, other.growth), add(bytes, other.bytes), add(workGrowth, other.workGrowth),
          add(work, other.work), Math.max(depth, other.depth));
    }
  }

  private static final Map<String, Rule> RULES = new LinkedHashMap<>();

  /** The rule of FLOOR to a time unit ({@code date_trunc}), which differs from the numeric FLOOR. */
  public static final String TIME_FLOOR = "FLOOR to a time unit";

  /** The units EXTRACT and FLOOR/CEIL to a unit accept: those whose meaning every backend shares. */
  private static final java.util.Set<org.apache.calcite.avatica.util.TimeUnitRange> DATE_UNITS = java.util.EnumSet.of(
      org.apache.calcite.avatica.util.TimeUnitRange.YEAR, org.apache.calcite.avatica.util.TimeUnitRange.QUARTER,
      org.apache.calcite.avatica.util.TimeUnitRange.MONTH, org.apache.calcite.avatica.util.TimeUnitRange.DAY);

  /** The time unit of FLOOR/CEIL(d TO unit), or null for the numeric FLOOR/CEIL and any other call. */
  static org.apache.calcite.avatica.util.TimeUnitRange timeUnit(RexCall call) {
    if ((call.getKind() == SqlKind.FLOOR || call.getKind() == SqlKind.CEIL) && call.getOperands().size() == 2
        && call.getOperands().get(1) instanceof RexLiteral flag
        && flag.getValue() instanceof org.apache.calcite.avatica.util.TimeUnitRange unit) {
      return unit;
    }
    return null;
  }

  private static void rule(String name, String size, Failure failure) {
    RULES.put(name, new Rule(name, Spelling.same(name), size, failure));
  }

  static {
    String bool = "a boolean; work: its operands' sizes (comparing strings is linear)";
    for (String op : List.of("AND", "OR", "NOT", "IS NULL", "IS NOT NULL", "IS TRUE", "IS NOT TRUE", "IS FALSE",
        "IS NOT FALSE", "=", "<>", "<", "<=", ">", ">=", "IS DISTINCT FROM", "IS NOT DISTINCT FROM")) {
      rule(op, bool, Failure.NEVER);
    }
    rule("IN / BETWEEN (SEARCH)", "a boolean; work: twice the operand's size per row (engines hash or "
        + "binary-search constant lists)", Failure.NEVER);
    rule("CASE", "the largest branch; work: every branch, reached or not", Failure.NEVER);
    rule("COALESCE", "the largest operand; work: all operands", Failure.NEVER);
    rule("NULLIF", "the first operand", Failure.NEVER);
    rule("LEAST", "the largest operand; work: all operands", Failure.NEVER);
    rule("GREATEST", "the largest operand; work: all operands", Failure.NEVER);
    rule("LIKE", "a boolean; pattern a literal of at most " + MAX_PATTERN_CHARS + " characters and "
        + MAX_PATTERN_WILDCARDS + " wildcards; work: operand size times pattern length", Failure.CONDITIONAL);
    rule("CAST", "to text: the operand's size (a number: 40 bytes); to a number, boolean or date: 16 bytes",
        Failure.CONDITIONAL);
    for (String op : List.of("+", "-", "*")) {
      rule(op, "a number", Failure.MAY_FAIL);
    }
    rule("/", "a number", Failure.CONDITIONAL);
    rule("MOD", "a number", Failure.CONDITIONAL);
    rule("unary -", "a number", Failure.CONDITIONAL);
    rule("unary +", "a number", Failure.NEVER);
    for (String f : List.of("ABS", "FLOOR", "CEIL", "SIGN", "ROUND", "TRUNCATE", "SQRT", "LN", "EXP", "POWER")) {
      rule(f, "a number", Failure.MAY_FAIL);
    }
    rule("EXTRACT", "a number (the year, quarter, month or day of a date)", Failure.NEVER);
    RULES.put(TIME_FLOOR, new Rule(TIME_FLOOR, new Spelling("date_trunc", "date_trunc", "date_trunc"),
        "a date (the first day of its year, quarter, month, week or day; written date_trunc('month', d) or "
            + "FLOOR(d TO MONTH))", Failure.NEVER));
    rule("||", "the sum of its operands (capped overall at " + MAX_GROWTH + " S + " + MAX_CONSTANT_BYTES
        + " bytes)", Failure.NEVER);
    rule("UPPER", "at most 3 times the operand (Unicode case mapping)", Failure.NEVER);
    rule("LOWER", "at most 3 times the operand (Unicode case mapping)", Failure.NEVER);
    rule("TRIM", "at most the operand; characters to trim: a literal", Failure.NEVER);
    rule("CHAR_LENGTH", "a number; work: the operand's size", Failure.NEVER);
    rule("CHARACTER_LENGTH", "a number; work: the operand's size", Failure.NEVER);
    rule("SUBSTRING", "at most the operand", Failure.MAY_FAIL);
    rule("POSITION", "a number; the string searched for: a literal; work: operand size times its length",
        Failure.MAY_FAIL);
  }

  /** Functions rejected with a specific reason (everything not in {@link #rules()} is rejected too). */
  private static final Map<String, String> REFUSED = Map.ofEntries(
      Map.entry("REPLACE", grows("the replacement is repeated once per match")),
      Map.entry("REPEAT", grows("the output is the input times the count")),
      Map.entry("LPAD", grows("the output is as wide as the width argument")),
      Map.entry("RPAD", grows("the output is as wide as the width argument")),
      Map.entry("OVERLAY", grows("the placed string and position are arguments")),
      Map.entry("TRANSLATE", grows("the replacement follows its arguments")),
      Map.entry("SPACE", grows("the output is as wide as the argument")),
      Map.entry("SIMILAR TO", regex()),
      Map.entry("NOT SIMILAR TO", regex()),
      Map.entry("REGEXP_LIKE", regex()),
      Map.entry("REGEXP_REPLACE", regex()),
      Map.entry("REGEXP_CONTAINS", regex()),
      Map.entry("REGEXP_EXTRACT", regex()),
      Map.entry("RLIKE", regex()),
      Map.entry("POSIX REGEX (CASE SENSITIVE)", regex()),
      Map.entry("POSIX REGEX (CASE INSENSITIVE)", regex()),
      Map.entry("UNNEST", expands()),
      Map.entry("ARRAY", expands()),
      Map.entry("MAP", expands()),
      Map.entry("MULTISET", expands()));

  /** The allowed functions and operators, in the order they are documented. */
  public static List<Rule> rules() {
    return List.copyOf(RULES.values());
  }

  /**
   * Checks one row-level expression against the policy.
   *
   * @param expr the expression over the table's columns
   * @param clause where the analyst wrote it ("WHERE", "GROUP BY", "SUM's argument"), for the message
   * @return its cost, to be added to other expressions evaluated on the same row
   * @throws QueryRejectedException naming the function and why, when the expression is not allowed
   */
  public static Cost check(RexNode expr, String clause) {
    Cost cost = new Walk(clause).cost(expr, 1);
    checkTotal(cost, clause);
    return cost;
  }

  /**
   * Checks the combined cost of several expressions evaluated on the same row.
   *
   * @throws QueryRejectedException when the total exceeds the caps
   */
  public static void checkTotal(Cost cost, String clause) {
    checkSize(cost, clause);
    if (cost.workGrowth() > MAX_WORK_GROWTH || cost.work() > MAX_CONSTANT_WORK) {
      throw Reject.because(clause + " costs up to " + describe(cost.workGrowth(), cost.work())
          + " operations per row, more than the expression policy allows (" + describe(MAX_WORK_GROWTH,
          MAX_CONSTANT_WORK) + "): its run time would depend on which rows reach it",
          "simplify the expression: fewer and shorter LIKE patterns, shorter literals");
    }
  }

  private static void checkSize(Cost cost, String clause) {
    if (cost.growth() > MAX_GROWTH || cost.bytes() > MAX_CONSTANT_BYTES) {
      throw Reject.because(clause + " builds strings up to " + describe(cost.growth(), cost.bytes())
          + " per row, more than the expression policy allows (" + describe(MAX_GROWTH, MAX_CONSTANT_BYTES)
          + ", S being the row's largest input value): a long concatenation chain would make a query's time and "
          + "memory depend on which rows match", "concatenate fewer or shorter values, or compare the parts "
          + "separately (a = 'x' AND b = 'y')");
    }
  }

  private static String describe(long growth, long constant) {
    return (growth == Long.MAX_VALUE ? "unbounded" : growth + " S") + " + "
        + (constant == Long.MAX_VALUE ? "unbounded" : String.valueOf(constant));
  }

  private static String grows(String why) {
    return "its output and work grow with an argument, not with the input (" + why + "), so one matching row "
        + "could take seconds or exhaust memory";
  }

  private static String regex() {
    return "regular expressions can take exponential time on one row (PostgreSQL's and Java's engines "
        + "backtrack)";
  }

  private static String expands() {
    return "it builds a collection per row (a cross join in disguise), whose size the query chooses";
  }

  /** The name analysts know an operator by, for messages. */
  static String nameOf(RexCall call) {
    return call.getOperator().getName().toUpperCase(Locale.ROOT);
  }

  /** Walks an expression, computing its cost; rejects what is not allowed. */
  private static final class Walk {
    private final String clause;

    Walk(String clause) {
      this.clause = clause;
    }

    /** The cost of {@code node}; every intermediate value is held to the size caps, not only the result. */
    Cost cost(RexNode node, int depth) {
      Cost cost = costOf(node, depth);
      checkSize(cost, clause);
      return cost;
    }

    private Cost costOf(RexNode node, int depth) {
      if (depth > MAX_DEPTH) {
        throw Reject.because(clause + " nests expressions deeper than " + MAX_DEPTH + " calls",
            "simplify it (e.g. x IN (1, 2, 3) instead of nested OR; fewer nested CASE)");
      }
      if (node instanceof RexInputRef ref) {
        return SqlTypeUtil.inCharFamily(ref.getType()) ? new Cost(1, 0, 0, 1, 0) : new Cost(0, SCALAR, 0, 1, 0);
      }
      if (node instanceof RexLiteral literal) {
        return literal(literal);
      }
      if (!(node instanceof RexCall call)) {
        throw Reject.because(clause + " uses " + node.getKind() + ", which is not on dpq's list of row "
            + "expressions", "use plain conditions on columns");
      }
      String name = nameOf(call);
      String refused = REFUSED.get(name);
      if (refused == null && call.getKind() == SqlKind.SIMILAR) {
        refused = regex();
      }
      if (refused != null) {
        throw Reject.because(clause + " uses " + name + ", which the expression policy refuses: " + refused,
            "compare columns with =, LIKE (a literal pattern), IN or BETWEEN instead");
      }
      List<Cost> operands = new ArrayList<>();
      for (RexNode operand : call.getOperands()) {
        operands.add(cost(operand, depth + 1));
      }
      Cost sum = operands.stream().reduce(new Cost(0, 0, 0, 0, 0), Cost::plus);
      int d = sum.depth() + 1;
      switch (call.getKind()) {
        case AND, OR, NOT, IS_NULL, IS_NOT_NULL, IS_TRUE, IS_NOT_TRUE, IS_FALSE, IS_NOT_FALSE, EQUALS, NOT_EQUALS,
            LESS_THAN, LESS_THAN_OR_EQUAL, GREATER_THAN, GREATER_THAN_OR_EQUAL, IS_DISTINCT_FROM,
            IS_NOT_DISTINCT_FROM -> {
          return bool(sum, sum.growth(), sum.bytes(), d);
        }
        case SEARCH -> {
          Cost arg = operands.get(0);
          return bool(sum, mul(arg.growth(), 2), add(mul(arg.bytes(), 2), 64), d);
        }
        case LEAST, GREATEST -> {
          long growth = 0;
          long bytes = 0;
          for (Cost operand : operands) {
            growth = Math.max(growth, operand.growth());
            bytes = Math.max(bytes, operand.bytes());
          }
          return new Cost(growth, bytes, add(sum.workGrowth(), sum.growth()), add(sum.work(), sum.bytes()), d);
        }
        case CASE, COALESCE -> {
          long growth = 0;
          long bytes = 0;
          for (int i = 0; i < operands.size(); i++) {
            boolean value = call.getKind() == SqlKind.COALESCE || i % 2 == 1 || i == operands.size() - 1;
            if (value) {
              growth = Math.max(growth, operands.get(i).growth());
              bytes = Math.max(bytes, operands.get(i).bytes());
            }
          }
          return new Cost(growth, bytes, sum.workGrowth(), add(sum.work(), operands.size()), d);
        }
        case NULLIF -> {
          Cost first = operands.get(0);
          return new Cost(first.growth(), first.bytes(), add(sum.workGrowth(), sum.growth()),
              add(sum.work(), sum.bytes()), d);
        }
        case LIKE -> {
          return like(call, sum, operands.get(0), d);
        }
        case CAST -> {
          return cast(call, operands.get(0), d);
        }
        case FLOOR, CEIL -> {
          org.apache.calcite.avatica.util.TimeUnitRange unit = timeUnit(call);
          if (unit != null && call.getKind() == SqlKind.CEIL) {
            throw Reject.because(clause + " uses CEIL to " + unit + ", which not every backend offers",
                "truncate with date_trunc('" + unit.toString().toLowerCase(Locale.ROOT) + "', d) (FLOOR(d TO "
                + unit + ")), adding one period in a CASE if needed");
          }
          if (unit != null && !DATE_UNITS.contains(unit) && unit != org.apache.calcite.avatica.util.TimeUnitRange.WEEK) {
            throw Reject.because(clause + " uses " + name + " to " + unit + ", which dpq does not offer (its meaning "
                + "differs between backends)", "truncate to YEAR, QUARTER, MONTH, WEEK or DAY, e.g. "
                + "date_trunc('month', d)");
          }
          return scalar(call, sum, d);
        }
        case EXTRACT -> {
          org.apache.calcite.avatica.util.TimeUnitRange unit = call.getOperands().get(0) instanceof RexLiteral flag
              && flag.getValue() instanceof org.apache.calcite.avatica.util.TimeUnitRange u ? u : null;
          if (unit == null || !DATE_UNITS.contains(unit)) {
            throw Reject.because(clause + " uses EXTRACT(" + unit + " FROM ...), which dpq does not offer (its "
                + "meaning differs between backends)", "extract YEAR, QUARTER, MONTH or DAY, e.g. "
                + "EXTRACT(YEAR FROM d)");
          }
          return scalar(call, sum, d);
        }
        case PLUS, MINUS, TIMES, DIVIDE, MOD, MINUS_PREFIX, PLUS_PREFIX -> {
          return scalar(call, sum, d);
        }
        case TRIM -> {
          if (!(call.getOperands().get(1) instanceof RexLiteral)) {
            throw Reject.because(clause + " uses TRIM with characters to trim that are not a literal",
                "write the characters as a literal, e.g. TRIM(BOTH ' ' FROM name)");
          }
          Cost arg = operands.get(2);
          return new Cost(arg.growth(), arg.bytes(), add(sum.workGrowth(), arg.growth()), add(sum.work(),
              arg.bytes()), d);
        }
        case POSITION -> {
          if (!(call.getOperands().get(0) instanceof RexLiteral needle)) {
            throw Reject.because(clause + " uses POSITION with a string to find that is not a literal (its work "
                + "would grow with the product of two values)", "write the string to find as a literal");
          }
          long length = literalChars(needle) + 1;
          Cost hay = operands.get(1);
          return new Cost(0, SCALAR, add(sum.workGrowth(), mul(hay.growth(), length)),
              add(sum.work(), mul(hay.bytes(), length)), d);
        }
        default -> {
          return byName(call, name, operands, sum, d);
        }
      }
    }

    private Cost byName(RexCall call, String name, List<Cost> operands, Cost sum, int d) {
      switch (name) {
        case "||" -> {
          return new Cost(sum.growth(), sum.bytes(), add(sum.workGrowth(), sum.growth()),
              add(sum.work(), sum.bytes()), d);
        }
        case "UPPER", "LOWER" -> {
          Cost arg = operands.get(0);
          return new Cost(mul(arg.growth(), 3), mul(arg.bytes(), 3), add(sum.workGrowth(), mul(arg.growth(), 3)),
              add(sum.work(), mul(arg.bytes(), 3)), d);
        }
        case "CHAR_LENGTH", "CHARACTER_LENGTH" -> {
          return new Cost(0, SCALAR, add(sum.workGrowth(), sum.growth()), add(sum.work(), sum.bytes()), d);
        }
        case "SUBSTRING" -> {
          Cost arg = operands.get(0);
          return new Cost(arg.growth(), arg.bytes(), add(sum.workGrowth(), arg.growth()),
              add(sum.work(), arg.bytes()), d);
        }
        case "ABS", "SIGN", "ROUND", "TRUNCATE", "SQRT", "LN", "EXP", "POWER" -> {
          return scalar(call, sum, d);
        }
        default -> throw Reject.because(clause + " uses " + name + ", which is not on dpq's list of row "
            + "functions with a bounded per-row cost (the same list for every backend)",
            "use comparisons, AND/OR/NOT, IN, BETWEEN, LIKE with a literal pattern, CASE, COALESCE, arithmetic, "
                + "CAST, ||, UPPER/LOWER/TRIM/SUBSTRING/CHAR_LENGTH");
      }
    }

    private Cost scalar(RexCall call, Cost sum, int d) {
      if (SqlTypeUtil.inCharFamily(call.getType())) {
        throw Reject.because(clause + " uses " + nameOf(call) + " on text", "use it on numbers");
      }
      return new Cost(0, SCALAR, sum.workGrowth(), add(sum.work(), 1), d);
    }

    private Cost bool(Cost sum, long compareGrowth, long compareBytes, int d) {
      return new Cost(0, 1, add(sum.workGrowth(), compareGrowth), add(add(sum.work(), compareBytes), 1), d);
    }

    private Cost like(RexCall call, Cost sum, Cost arg, int d) {
      for (int i = 1; i < call.getOperands().size(); i++) {
        if (!(call.getOperands().get(i) instanceof RexLiteral)) {
          throw Reject.because(clause + " uses LIKE with a pattern or escape that is not a literal (the work "
              + "of matching would grow with the product of two values)", "write the pattern as a literal, e.g. "
              + "name LIKE 'a%'");
        }
      }
      RexLiteral pattern = (RexLiteral) call.getOperands().get(1);
      String text = pattern.getValueAs(String.class);
      int length = text == null ? 0 : text.length();
      long wildcards = text == null ? 0 : text.chars().filter(c -> c == '%').count();
      if (length > MAX_PATTERN_CHARS || wildcards > MAX_PATTERN_WILDCARDS) {
        throw Reject.because(clause + " uses a LIKE pattern of " + length + " characters and " + wildcards
            + " % wildcards; the expression policy allows " + MAX_PATTERN_CHARS + " characters and "
            + MAX_PATTERN_WILDCARDS + " wildcards (matching costs up to their product per row)",
            "use a shorter pattern with fewer %");
      }
      long factor = length + 1L;
      return new Cost(0, 1, add(sum.workGrowth(), mul(arg.growth(), factor)), add(sum.work(),
          mul(arg.bytes(), factor)), d);
    }

    private Cost cast(RexCall call, Cost arg, int d) {
      RelDataType to = call.getType();
      RelDataType from = call.getOperands().get(0).getType();
      if (!SqlTypeUtil.inCharFamily(to)) {
        if (!(SqlTypeUtil.isNumeric(to) || SqlTypeUtil.isBoolean(to) || SqlTypeUtil.isDatetime(to))) {
          throw Reject.because(clause + " uses CAST to " + to.getSqlTypeName() + ", which is not on dpq's list",
              "cast to a number, boolean, date or text");
        }
        return new Cost(0, SCALAR, add(arg.workGrowth(), arg.growth()), add(add(arg.work(), arg.bytes()), 1), d);
      }
      long growth = SqlTypeUtil.inCharFamily(from) ? arg.growth() : 0;
      long bytes = SqlTypeUtil.inCharFamily(from) ? arg.bytes() : add(arg.bytes(), SCALAR_TEXT);
      if (to.getPrecision() > 0 && to.getPrecision() != RelDataType.PRECISION_NOT_SPECIFIED
          && to.getPrecision() < Integer.MAX_VALUE / 4) {
        if (SqlTypeFamily.CHARACTER.contains(to) && to.getSqlTypeName() == SqlTypeName.CHAR
            && to.getPrecision() > MAX_LITERAL_CHARS) {
          throw Reject.because(clause + " casts to CHAR(" + to.getPrecision() + "), padding every value to that "
              + "width", "cast to VARCHAR, or to CHAR of at most " + MAX_LITERAL_CHARS);
        }
        long cap = 4L * to.getPrecision();
        if (to.getSqlTypeName() == SqlTypeName.CHAR) {
          return new Cost(0, Math.max(cap, 1), add(arg.workGrowth(), growth), add(arg.work(), add(bytes, cap)), d);
        }
      }
      return new Cost(growth, bytes, add(arg.workGrowth(), growth), add(arg.work(), bytes), d);
    }

    private Cost literal(RexLiteral literal) {
      long chars = literalChars(literal);
      if (chars > MAX_LITERAL_CHARS) {
        throw Reject.because(clause + " has a literal of " + chars + " characters; the expression policy allows "
            + MAX_LITERAL_CHARS, "use shorter literals (a long literal makes every comparison with it cost more)");
      }
      return new Cost(0, Math.max(chars, 1), 0, 1, 0);
    }
  }

  /** Characters of a literal: a string's length, a Sarg's longest point, a number's digits. */
  static long literalChars(RexLiteral literal) {
    Comparable<?> value = literal.getValue();
    if (value instanceof Sarg<?> sarg) {
      long longest = 0;
      for (Object range : sarg.rangeSet.asRanges()) {
        longest = Math.max(longest, String.valueOf(range).length() / 2);
      }
      return longest;
    }
    if (SqlTypeUtil.inCharFamily(literal.getType())) {
      String s = literal.getValueAs(String.class);
      return s == null ? 0 : s.length();
    }
    if (value instanceof BigDecimal number) {
      return number.unscaledValue().abs().toString().length();
    }
    return value == null ? 0 : String.valueOf(value).length();
  }

  // ------------------------------------------------------------------------------------------------ row errors

  /**
   * A description of the first operation in {@code node} that could fail on some rows only, or empty when none
   * can: what a backend without {@code TRY} (PostgreSQL, Spark) must refuse. Operations marked {@link
   * Failure#CONDITIONAL} are safe under a condition on their operands: LIKE with a literal pattern not ending in a
   * backslash, a widening CAST or a cast of a literal, integer division or MOD by an integer literal of magnitude at
   * least 2, unary minus of a literal.
   */
  public static Optional<String> firstRowError(RexNode node) {
    return Optional.ofNullable(RowErrorWalk.firstUnsafe(node));
  }

  /** The rule for {@code name}, if it is on the list. */
  public static Optional<Rule> rule(String name) {
    Rule exact = RULES.get(name);
    return Optional.ofNullable(exact != null ? exact : RULES.get(name.toUpperCase(Locale.ROOT)));
  }

  private static final class RowErrorWalk {
    private RowErrorWalk() {}

    static String firstUnsafe(RexNode node) {
      if (node instanceof RexInputRef || node instanceof RexLiteral) {
        return null;
      }
      if (!(node instanceof RexCall call)) {
        return "the expression " + node.getKind();
      }
      String name = call.getOperator().getName();
      switch (call.getKind()) {
        case AND, OR, NOT, IS_NULL, IS_NOT_NULL, IS_TRUE, IS_NOT_TRUE, IS_FALSE, IS_NOT_FALSE, EQUALS, NOT_EQUALS,
            LESS_THAN, LESS_THAN_OR_EQUAL, GREATER_THAN, GREATER_THAN_OR_EQUAL, IS_DISTINCT_FROM,
            IS_NOT_DISTINCT_FROM, SEARCH, CASE, COALESCE -> {
          return firstUnsafeOperand(call);
        }
        case LIKE -> {
          for (int i = 1; i < call.getOperands().size(); i++) {
            if (!(call.getOperands().get(i) instanceof RexLiteral literal)
                || !SqlTypeUtil.inCharFamily(literal.getType()) || literal.getValueAs(String.class) == null
                || literal.getValueAs(String.class).endsWith("\\")) {
              return name + " with a pattern or escape that is not a literal (or that ends with a backslash)";
            }
          }
          return firstUnsafe(call.getOperands().get(0));
        }
        case CAST -> {
          RexNode operand = call.getOperands().get(0);
          if (operand instanceof RexLiteral || widening(operand.getType(), call.getType())) {
            return firstUnsafe(operand);
          }
          return "CAST to " + call.getType().getSqlTypeName() + " from " + operand.getType().getSqlTypeName();
        }
        case FLOOR, CEIL -> {
          if (timeUnit(call) != null) {
            return firstUnsafe(call.getOperands().get(0)); // a date truncated to a unit: never fails
          }
          return name;
        }
        case MINUS_PREFIX, PLUS_PREFIX -> {
          return number(node) != null ? null
              : "unary " + name + " of a column (-x overflows for the smallest integer)";
        }
        case DIVIDE, MOD -> {
          BigDecimal divisor = number(call.getOperands().get(1));
          if (isInteger(call.getOperands().get(0).getType()) && divisor != null
              && divisor.stripTrailingZeros().scale() <= 0
              && divisor.abs().compareTo(BigDecimal.valueOf(2)) >= 0) {
            return firstUnsafe(call.getOperands().get(0));
          }
          return name + " other than of an integer by an integer literal of magnitude at least 2";
        }
        default -> {
          Rule rule = RULES.get(name.toUpperCase(Locale.ROOT));
          if (rule != null && rule.failure() == Failure.NEVER) {
            return firstUnsafeOperand(call);
          }
          return name;
        }
      }
    }

    /** The value of a numeric literal, possibly signed ({@code -4} may arrive as a unary minus), or null. */
    private static BigDecimal number(RexNode node) {
      if (node instanceof RexLiteral literal) {
        return SqlTypeUtil.isNumeric(literal.getType()) ? literal.getValueAs(BigDecimal.class) : null;
      }
      if (node instanceof RexCall call && call.getOperands().size() == 1
          && call.getOperands().get(0) instanceof RexLiteral literal && SqlTypeUtil.isNumeric(literal.getType())
          && literal.getValueAs(BigDecimal.class) != null) {
        BigDecimal v = literal.getValueAs(BigDecimal.class);
        return switch (call.getKind()) {
          case MINUS_PREFIX -> v.negate();
          case PLUS_PREFIX -> v;
          default -> null;
        };
      }
      return null;
    }

    private static String firstUnsafeOperand(RexCall call) {
      for (RexNode operand : call.getOperands()) {
        String unsafe = firstUnsafe(operand);
        if (unsafe != null) {
          return unsafe;
        }
      }
      return null;
    }

    /** True for casts that cannot fail: to a character type, to the same type, or to a wider number. */
    private static boolean widening(RelDataType from, RelDataType to) {
      SqlTypeName source = from.getSqlTypeName();
      SqlTypeName target = to.getSqlTypeName();
      if (SqlTypeFamily.CHARACTER.contains(to)) {
        return true; // explicit casts to text never fail (a bounded length truncates)
      }
      if (source == target) {
        if (source == SqlTypeName.DECIMAL) {
          return to.getPrecision() - to.getScale() >= from.getPrecision() - from.getScale();
        }
        return !target.allowsPrec() || to.getPrecision() >= from.getPrecision();
      }
      if (isInteger(from)) {
        return switch (target) {
          case DOUBLE, FLOAT, REAL, BIGINT -> true;
          case INTEGER -> source == SqlTypeName.TINYINT || source == SqlTypeName.SMALLINT;
          case DECIMAL -> to.getPrecision() - to.getScale() >= digits(source);
          default -> false;
        };
      }
      return source == SqlTypeName.REAL && target == SqlTypeName.DOUBLE
          || source == SqlTypeName.DECIMAL && (target == SqlTypeName.DOUBLE || target == SqlTypeName.FLOAT);
    }

    private static boolean isInteger(RelDataType type) {
      return switch (type.getSqlTypeName()) {
        case TINYINT, SMALLINT, INTEGER, BIGINT -> true;
        default -> false;
      };
    }

    private static int digits(SqlTypeName integer) {
      return switch (integer) {
        case TINYINT -> 3;
        case SMALLINT -> 5;
        case INTEGER -> 10;
        default -> 19;
      };
    }
  }

  private static long add(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
  }

  private static long mul(long a, long b) {
    long hi = Math.multiplyHigh(a, b);
    long lo = a * b;
    return hi != 0 || lo < 0 ? Long.MAX_VALUE : lo;
  }

  /** For tests: the list as text, one rule a line. */
  static List<String> describeRules() {
    List<String> lines = new ArrayList<>();
    for (Rule r : RULES.values()) {
      lines.add(r.name() + ": " + r.size() + " (" + r.failure() + ")");
    }
    return Collections.unmodifiableList(lines);
  }
}
