package org.dpq.engine.analysis;

import org.dpq.errors.QueryRejectedException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexUtil;
import org.apache.calcite.sql.SqlFunction;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.sql.type.SqlTypeUtil;
import org.dpq.engine.catalog.Column;
import org.dpq.engine.catalog.ColumnType;
import org.dpq.engine.catalog.Dataset;

/**
 * Range propagation (interval arithmetic, as in Qrlew) for the value of an aggregate's argument: from the declared
 * bounds of the columns it reads, a finite interval that holds the expression's value on every row. Owns the
 * value half of invariant 3 for expressions: every numeric column read as a value is clamped to its declared
 * bounds first (marked with {@link Measurement#CLAMP}, which the rewrite expands with the NULL/NaN/infinity policy), so the
 * expression cannot leave the derived interval, cannot overflow its SQL type and cannot divide by zero; the
 * rewrite then clamps the expression's value to the interval as well. Anything without a finite bound (an
 * unbounded column, a division by a range containing 0, a function dpq cannot bound) is rejected with the reason,
 * before any data access (invariant 6).
 *
 * <p>Conditions (the WHEN of a CASE, a FILTER, the operand of a CAST from BOOLEAN) read columns as they are;
 * whether they can fail on some rows is decided where WHERE conditions are.
 */
final class ExpressionBounds {
  /** The marker of a column clamped to its declared bounds. */
  static final SqlFunction CLAMP = Measurement.CLAMP;

  /**
   * An aggregate argument with its bound.
   *
   * @param argument the expression to measure, its bounded columns wrapped in {@link Measurement#CLAMP}
   * @param lower lower end of the derived interval (the per-row clamp)
   * @param upper upper end
   * @param integer true when every value is an integer (an exact numeric type and integer bounds)
   * @param text the expression as the analyst would read it, with column names
   * @param origin how the bound was derived: the columns' declared bounds it rests on
   */
  record Bounded(RexNode argument, double lower, double upper, boolean integer, String text, String origin) {}

  /**
   * Largest |x| * 10^d accepted in ROUND(x, d) or TRUNCATE(x, d): 2^52, below which the rewrite's one rounding form
   * (rewrite/Rounding) is exact in DOUBLE on every backend.
   */
  static final double MAX_SCALED = 0x1p52;

  /** Marks the refusal of {@link #MAX_SCALED} in messages (a GROUP BY key keeps it rather than falling back). */
  static final String PRECISION = "precision";

  /** Largest magnitude accepted for a DOUBLE result: far from overflow in every backend. */
  private static final double MAX_DOUBLE = 1e300;

  private record Range(double lo, double hi) {
    static Range of(double a, double b) {
      return new Range(Math.min(a, b), Math.max(a, b));
    }

    Range union(Range o) {
      return o == null ? this : new Range(Math.min(lo, o.lo), Math.max(hi, o.hi));
    }

    boolean contains(double x) {
      return lo <= x && x <= hi;
    }
  }

  /** One bounded subexpression: the rewritten node, its range (null when it is always NULL) and its text. */
  private record Node(RexNode rex, Range range, String text) {}

  private final Dataset dataset;
  private final List<String> fieldNames;
  private final RexBuilder rex;
  private final Map<String, String> leaves = new LinkedHashMap<>();
  private String function;

  ExpressionBounds(Dataset dataset, List<String> fieldNames, RexBuilder rex) {
    this.dataset = dataset;
    this.fieldNames = fieldNames;
    this.rex = rex;
  }

  /**
   * Bounds {@code expression} as the argument of {@code function}.
   *
   * @throws QueryRejectedException when the expression has no finite bound, with the reason
   */
  Bounded bound(String function, RexNode expression) {
    this.function = function;
    leaves.clear();
    Node node = value(expression);
    Range range = node.range == null ? new Range(0, 0) : node.range;
    boolean integer = isExact(expression.getType()) && range.lo == Math.rint(range.lo)
        && range.hi == Math.rint(range.hi);
    String origin = leaves.isEmpty() ? "literal values"
        : String.join(", ", leaves.values());
    return new Bounded(node.rex, range.lo, range.hi, integer, node.text, origin);
  }

  /** Text of a row expression with column names, for labels and messages (SQL constructs only, no data). */
  String text(RexNode expression) {
    return render(expression);
  }

  private Node value(RexNode e) {
    if (e instanceof RexInputRef ref) {
      return column(ref);
    }
    if (e instanceof RexLiteral literal) {
      if (literal.isNull()) {
        return new Node(e, null, "NULL");
      }
      if (SqlTypeUtil.isNumeric(literal.getType())) {
        BigDecimal v = literal.getValueAs(BigDecimal.class);
        double d = v.doubleValue();
        return new Node(e, new Range(d, d), v.stripTrailingZeros().toPlainString());
      }
      throw noBound("the literal of type " + literal.getType().getSqlTypeName() + " is not a number",
          "aggregate a numeric expression");
    }
    if (!(e instanceof RexCall call)) {
      throw noBound("the construct " + e.getKind() + " has no bound", "aggregate columns, literals and arithmetic");
    }
    List<RexNode> ops = call.getOperands();
    return switch (call.getKind()) {
      case PLUS, MINUS, TIMES, DIVIDE -> arithmetic(call);
      case MOD -> mod(call);
      case MINUS_PREFIX -> {
        Node x = value(ops.get(0));
        yield checked(call, rebuild(call, x.rex), x.range == null ? null : Range.of(-x.range.hi, -x.range.lo),
            "-" + x.text);
      }
      case PLUS_PREFIX -> value(ops.get(0));
      case CASE -> caseWhen(call);
      case COALESCE -> {
        List<RexNode> out = new ArrayList<>();
        Range range = null;
        List<String> texts = new ArrayList<>();
        for (RexNode op : ops) {
          Node x = value(op);
          out.add(x.rex);
          range = x.range == null ? range : x.range.union(range);
          texts.add(x.text);
        }
        yield checked(call, rebuild(call, out), range, "COALESCE(" + String.join(", ", texts) + ")");
      }
      case CAST -> cast(call);
      case LEAST, GREATEST -> leastGreatest(call);
      case FLOOR, CEIL -> {
        Node x = value(ops.get(0));
        if (ops.size() != 1) {
          throw noBound(call.getOperator().getName() + " with a time unit has no numeric bound", "use FLOOR(x)");
        }
        boolean floor = call.getKind() == SqlKind.FLOOR;
        Range r = x.range == null ? null : floor ? new Range(Math.floor(x.range.lo), Math.floor(x.range.hi))
            : new Range(Math.ceil(x.range.lo), Math.ceil(x.range.hi));
        yield checked(call, rebuild(call, x.rex), r, call.getOperator().getName() + "(" + x.text + ")");
      }
      default -> function(call);
    };
  }

  private Node column(RexInputRef ref) {
    String name = fieldNames.get(ref.getIndex());
    Column declared = dataset.column(name).orElse(null);
    if (declared == null || !declared.type().isNumeric()) {
      throw noBound("'" + name + "' is " + (declared == null ? "not a declared column" : declared.type())
          + ", not a number", "aggregate numeric columns (compare other columns in a CASE WHEN condition)");
    }
    if (!declared.isBounded()) {
      throw noBound("'" + name + "' has no declared bounds, so no finite bound exists",
          "declare lower and upper for '" + name + "' in the dataset YAML (values are clamped to them)");
    }
    double lo = declared.lower().getAsDouble();
    double hi = declared.upper().getAsDouble();
    if (declared.type() != ColumnType.DOUBLE) {
      lo = Math.ceil(lo);
      hi = Math.floor(hi);
    }
    leaves.put(name, name + " in [" + fmt(lo) + ", " + fmt(hi) + "] (declared)");
    RexNode clamped = rex.makeCall(ref.getType(), CLAMP, List.of(ref, number(lo), number(hi)));
    return checked(ref, clamped, new Range(lo, hi), name);
  }

  private Node arithmetic(RexCall call) {
    Node a = value(call.getOperands().get(0));
    Node b = value(call.getOperands().get(1));
    String op = switch (call.getKind()) {
      case PLUS -> "+";
      case MINUS -> "-";
      case TIMES -> "*";
      default -> "/";
    };
    String text = "(" + a.text + " " + op + " " + b.text + ")";
    if (a.range == null || b.range == null) {
      return new Node(rebuild(call, a.rex, b.rex), null, text);
    }
    Range x = a.range;
    Range y = b.range;
    Range r = switch (call.getKind()) {
      case PLUS -> new Range(x.lo + y.lo, x.hi + y.hi);
      case MINUS -> new Range(x.lo - y.hi, x.hi - y.lo);
      case TIMES -> corners(x, y, (p, q) -> p * q);
      default -> {
        if (y.contains(0)) {
          throw noBound("the division by " + b.text + " has no finite bound: its range [" + fmt(y.lo) + ", "
              + fmt(y.hi) + "] contains 0", "divide by an expression whose range excludes 0, e.g. "
              + "GREATEST(" + b.text + ", 1), or divide outside the aggregate");
        }
        Range q = corners(x, y, (p, s) -> p / s);
        // Integer division truncates toward zero: the result lies between 0 and the real quotient.
        yield isExact(call.getType()) ? new Range(Math.floor(Math.min(q.lo, 0)), Math.ceil(Math.max(q.hi, 0))) : q;
      }
    };
    return checked(call, rebuild(call, a.rex, b.rex), r, text);
  }

  private Node mod(RexCall call) {
    Node a = value(call.getOperands().get(0));
    Node b = value(call.getOperands().get(1));
    String text = "MOD(" + a.text + ", " + b.text + ")";
    if (a.range == null || b.range == null) {
      return new Node(rebuild(call, a.rex, b.rex), null, text);
    }
    if (b.range.contains(0)) {
      throw noBound("MOD by " + b.text + " has no finite bound: its range contains 0",
          "take MOD by an expression whose range excludes 0");
    }
    double m = Math.max(Math.abs(b.range.lo), Math.abs(b.range.hi));
    double bound = Math.min(m, Math.max(Math.abs(a.range.lo), Math.abs(a.range.hi)));
    Range r = new Range(a.range.lo >= 0 ? 0 : -bound, a.range.hi <= 0 ? 0 : bound);
    return checked(call, rebuild(call, a.rex, b.rex), r, text);
  }

  private Node caseWhen(RexCall call) {
    List<RexNode> ops = call.getOperands();
    List<RexNode> out = new ArrayList<>();
    Range range = null;
    StringBuilder text = new StringBuilder("CASE");
    for (int i = 0; i < ops.size(); i++) {
      boolean condition = i % 2 == 0 && i < ops.size() - 1;
      if (condition) {
        RexNode when = condition(ops.get(i));
        out.add(when);
        text.append(" WHEN ").append(render(when));
      } else {
        Node x = value(ops.get(i));
        out.add(x.rex);
        range = x.range == null ? range : x.range.union(range);
        text.append(i == ops.size() - 1 ? " ELSE " : " THEN ").append(x.text);
      }
    }
    return checked(call, rebuild(call, out), range, text.append(" END").toString());
  }

  private Node cast(RexCall call) {
    RexNode operand = call.getOperands().get(0);
    RelDataType target = call.getType();
    if (!SqlTypeUtil.isNumeric(target)) {
      throw noBound("CAST to " + target.getSqlTypeName() + " is not a number", "aggregate a numeric expression");
    }
    if (operand.getType().getSqlTypeName() == SqlTypeName.BOOLEAN) {
      RexNode when = condition(operand);
      return checked(call, rebuild(call, when), new Range(0, 1), "CAST(" + render(when) + " AS "
          + target.getSqlTypeName() + ")");
    }
    if (!SqlTypeUtil.isNumeric(operand.getType())) {
      throw noBound("CAST of " + operand.getType().getSqlTypeName() + " to a number has no bound (any text could "
          + "become any number)", "declare the column as a number with bounds in the dataset YAML");
    }
    Node x = value(operand);
    Range r = x.range;
    if (r != null && isExact(target)) {
      r = new Range(Math.floor(r.lo), Math.ceil(r.hi));
    }
    return checked(call, rebuild(call, x.rex), r, "CAST(" + x.text + " AS " + target.getSqlTypeName() + ")");
  }

  private Node leastGreatest(RexCall call) {
    List<RexNode> out = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    Range range = null;
    for (RexNode op : call.getOperands()) {
      Node x = value(op);
      out.add(x.rex);
      texts.add(x.text);
      // Backends that skip NULL arguments may return any one operand's value: the union covers every reading.
      range = x.range == null ? range : x.range.union(range);
    }
    return checked(call, rebuild(call, out), range, call.getOperator().getName() + "(" + String.join(", ", texts)
        + ")");
  }

  private Node function(RexCall call) {
    String name = call.getOperator().getName().toUpperCase(Locale.ROOT);
    List<RexNode> ops = call.getOperands();
    switch (name) {
      case "ABS" -> {
        Node x = value(ops.get(0));
        Range r = x.range == null ? null : x.range.lo >= 0 ? x.range : x.range.hi <= 0
            ? Range.of(-x.range.lo, -x.range.hi) : new Range(0, Math.max(-x.range.lo, x.range.hi));
        return checked(call, rebuild(call, x.rex), r, "ABS(" + x.text + ")");
      }
      case "SIGN" -> {
        Node x = value(ops.get(0));
        return checked(call, rebuild(call, x.rex), x.range == null ? null : new Range(-1, 1), "SIGN(" + x.text
            + ")");
      }
      case "ROUND", "TRUNCATE", "TRUNC" -> {
        Node x = value(ops.get(0));
        int digits = 0;
        if (ops.size() == 2) {
          if (!(ops.get(1) instanceof RexLiteral d) || d.getValueAs(Integer.class) == null
              || Math.abs(d.getValueAs(Integer.class)) > 15) {
            throw noBound(name + " with digits that are not a literal integer between -15 and 15",
                "write e.g. " + name + "(x, 2)");
          }
          digits = d.getValueAs(Integer.class);
        }
        if (x.range != null && Math.max(Math.abs(x.range.lo), Math.abs(x.range.hi)) * Math.pow(10, digits)
            >= MAX_SCALED) {
          throw Reject.because(name + "(" + x.text + ", " + digits + ") could scale a value in [" + fmt(x.range.lo)
              + ", " + fmt(x.range.hi) + "] beyond 2^52 (" + PRECISION + "), where " + name + " is no longer "
              + "exact in DOUBLE", "round to fewer digits, or declare tighter bounds for its columns");
        }
        double unit = Math.pow(10, -digits);
        Range r = x.range == null ? null : new Range(Math.floor(x.range.lo / unit) * unit - unit,
            Math.ceil(x.range.hi / unit) * unit + unit);
        List<RexNode> out = new ArrayList<>(ops);
        out.set(0, x.rex);
        return checked(call, rebuild(call, out), r, name + "(" + x.text + (ops.size() == 2 ? ", " + digits : "")
            + ")");
      }
      case "POWER" -> {
        Node x = value(ops.get(0));
        if (!(ops.get(1) instanceof RexLiteral p) || p.getValueAs(BigDecimal.class) == null
            || p.getValueAs(BigDecimal.class).stripTrailingZeros().scale() > 0
            || p.getValueAs(BigDecimal.class).intValue() < 0 || p.getValueAs(BigDecimal.class).intValue() > 8) {
          throw noBound("POWER with an exponent that is not a literal integer between 0 and 8",
              "write e.g. POWER(x, 2), or x * x");
        }
        int n = p.getValueAs(BigDecimal.class).intValue();
        Range r = x.range == null ? null : power(x.range, n);
        return checked(call, rebuild(call, x.rex, ops.get(1)), r, "POWER(" + x.text + ", " + n + ")");
      }
      case "SQRT" -> {
        Node x = value(ops.get(0));
        if (x.range != null && x.range.lo < 0) {
          throw noBound("SQRT of " + x.text + " whose range [" + fmt(x.range.lo) + ", " + fmt(x.range.hi)
              + "] reaches below 0", "take SQRT of a non-negative expression, e.g. SQRT(GREATEST(x, 0))");
        }
        Range r = x.range == null ? null : new Range(Math.sqrt(x.range.lo), Math.sqrt(x.range.hi));
        return checked(call, rebuild(call, x.rex), r, "SQRT(" + x.text + ")");
      }
      default -> throw noBound("the function " + name + " has no bound dpq can derive",
          "use arithmetic (+ - * /), CASE, CAST, ABS, LEAST/GREATEST, ROUND, FLOOR/CEIL, POWER or COALESCE "
              + "over bounded columns");
    }
  }

  private static Range power(Range x, int n) {
    if (n == 0) {
      return new Range(1, 1);
    }
    double a = Math.pow(x.lo, n);
    double b = Math.pow(x.hi, n);
    Range r = Range.of(a, b);
    if (n % 2 == 0 && x.contains(0)) {
      r = new Range(0, r.hi);
    }
    return r;
  }

  /** A condition: read as written (never clamped), deterministic, without subqueries or windows. */
  private RexNode condition(RexNode when) {
    if (!RexUtil.isDeterministic(when) || RexUtil.SubQueryFinder.find(when) != null
        || org.apache.calcite.rex.RexOver.containsOver(when)) {
      throw noBound("a condition inside " + function + "(...) uses a non-deterministic function, a subquery or a "
          + "window", "use deterministic conditions on columns");
    }
    return when;
  }

  /** Checks that the range is finite and fits the node's SQL type, so the backend cannot overflow. */
  private Node checked(RexNode original, RexNode rewritten, Range range, String text) {
    if (range != null) {
      double limit = limit(original.getType());
      if (!Double.isFinite(range.lo) || !Double.isFinite(range.hi) || Math.abs(range.lo) > limit
          || Math.abs(range.hi) > limit) {
        throw noBound(text + " can reach [" + fmt(range.lo) + ", " + fmt(range.hi) + "], beyond what "
            + original.getType().getSqlTypeName() + " holds", "CAST an operand to DOUBLE, or narrow the "
            + "declared bounds");
      }
    }
    return new Node(rewritten, range, text);
  }

  private static double limit(RelDataType type) {
    return switch (type.getSqlTypeName()) {
      case TINYINT -> Byte.MAX_VALUE;
      case SMALLINT -> Short.MAX_VALUE;
      case INTEGER -> Integer.MAX_VALUE;
      case BIGINT -> 0x1p62;
      case DECIMAL -> Math.min(Math.pow(10, type.getPrecision() - type.getScale()) - 1, 0x1p62);
      default -> MAX_DOUBLE;
    };
  }

  private static boolean isExact(RelDataType type) {
    return switch (type.getSqlTypeName()) {
      case TINYINT, SMALLINT, INTEGER, BIGINT -> true;
      default -> false;
    };
  }

  private RexNode rebuild(RexNode original, RexNode... operands) {
    return rebuild(original, List.of(operands));
  }

  private RexNode rebuild(RexNode original, List<RexNode> operands) {
    return original instanceof RexCall call ? call.clone(call.getType(), operands) : original;
  }

  private RexNode number(double value) {
    return rex.makeApproxLiteral(BigDecimal.valueOf(value));
  }

  private interface Op {
    double apply(double a, double b);
  }

  private static Range corners(Range x, Range y, Op op) {
    double a = op.apply(x.lo, y.lo);
    double b = op.apply(x.lo, y.hi);
    double c = op.apply(x.hi, y.lo);
    double d = op.apply(x.hi, y.hi);
    return new Range(Math.min(Math.min(a, b), Math.min(c, d)), Math.max(Math.max(a, b), Math.max(c, d)));
  }

  private QueryRejectedException noBound(String problem, String fix) {
    return Reject.because(function + "(...) cannot be bounded: " + problem, fix);
  }

  /** Infix text of a row expression with column names (constructs and literals of the query only). */
  private String render(RexNode e) {
    if (e instanceof RexInputRef ref) {
      return fieldNames.get(ref.getIndex());
    }
    if (e instanceof RexLiteral literal) {
      if (literal.isNull()) {
        return "NULL";
      }
      if (literal.getTypeName() == org.apache.calcite.sql.type.SqlTypeName.SARG) {
        // the ranges of an IN list or a range condition (SEARCH), whose type is the compared values' type
        return String.valueOf(literal.getValue());
      }
      if (SqlTypeUtil.inCharFamily(literal.getType())) {
        return "'" + literal.getValueAs(String.class).replace("'", "''") + "'";
      }
      return String.valueOf(literal.getValue2());
    }
    if (e instanceof RexCall call) {
      List<String> ops = new ArrayList<>();
      for (RexNode op : call.getOperands()) {
        ops.add(render(op));
      }
      if (call.getOperator() == CLAMP) {
        return ops.get(0);
      }
      SqlKind kind = call.getKind();
      if (call.getOperands().size() == 2 && (kind.belongsTo(SqlKind.BINARY_ARITHMETIC)
          || kind.belongsTo(SqlKind.BINARY_COMPARISON) || kind == SqlKind.AND || kind == SqlKind.OR)) {
        return "(" + ops.get(0) + " " + call.getOperator().getName() + " " + ops.get(1) + ")";
      }
      if (kind == SqlKind.CAST) {
        return "CAST(" + ops.get(0) + " AS " + call.getType().getSqlTypeName() + ")";
      }
      return call.getOperator().getName() + "(" + String.join(", ", ops) + ")";
    }
    return e.toString();
  }

  static String fmt(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
  }
}
