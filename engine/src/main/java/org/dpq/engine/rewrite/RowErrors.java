package org.dpq.engine.rewrite;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.sql.SqlDialect;
import org.apache.calcite.sql.SqlFunction;
import org.apache.calcite.sql.SqlFunctionCategory;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.type.OperandTypes;
import org.apache.calcite.sql.type.ReturnTypes;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.tools.RelBuilder;
import org.dpq.engine.analysis.ConstantFolding;
import org.dpq.engine.analysis.ExpressionPolicy;
import org.dpq.engine.analysis.Measurement;
import org.dpq.engine.execution.DuckDbDialect;
import org.dpq.errors.QueryRejectedException;

/**
 * Keeps the analyst's WHERE condition from failing on some rows only: otherwise
 * {@code WHERE CASE WHEN name = 'x' THEN CAST(name AS INT) ELSE 0 END = 0} would answer "is x in the table?"
 * through the exit code, outside any noise (and a tiny epsilon per probe would make such probes nearly free).
 * Owns the rule that whether a query fails never depends on the data.
 *
 * <p>DuckDB: {@code TRY(conjunct)} around each conjunct of the condition, so a row on which the condition cannot be evaluated (a cast of a malformed
 * string, an integer overflow, MOD by zero, a substring of negative length) is filtered out, which depends on that
 * row alone like any filter (the analyzer already rejects volatile functions in WHERE, which TRY refuses).
 *
 * <p>On every dialect ROUND and TRUNCATE are emitted in the one form of {@link Rounding}.
 *
 * <p>Other dialects (PostgreSQL, Spark) have no such form, so their conditions are held to operations that cannot
 * fail on any row: column references and literals, comparisons, AND/OR/NOT, IS [NOT] NULL, IN and BETWEEN, LIKE
 * with a literal pattern, CASE, COALESCE, UPPER/LOWER/TRIM/CHAR_LENGTH/||, widening casts, and integer division or
 * MOD by an integer literal of magnitude at least 2. Anything else (arithmetic that can overflow, casts of strings,
 * most functions) is rejected before the charge, naming the construct. Which functions can fail is part of the one
 * list in {@link ExpressionPolicy} (its {@code Failure} column), the same list that bounds every row expression's
 * cost on every backend.
 */
final class RowErrors {
  private static final SqlFunction TRY = new SqlFunction("TRY", SqlKind.OTHER_FUNCTION,
      ReturnTypes.ARG0_FORCE_NULLABLE, null, OperandTypes.ANY, SqlFunctionCategory.SYSTEM);

  private RowErrors() {}

  /**
   * {@code node} with every constant subexpression replaced by its value, computed here with Calcite before any
   * charge; rejects one that cannot be evaluated ({@code MOD(0, 0)}, {@code CAST('x' AS INTEGER)}). DuckDB folds
   * constants while optimising, outside {@code TRY}, and whether it gets to fold them can depend on statistics of
   * the data (an empty or pruned scan skips them), so a failure there would reveal something about the rows. Its
   * typing of constants also differs from Calcite's (a comparison's implicit {@code CAST(-9223372036854775808 AS
   * DECIMAL(19, 3))} overflows in DuckDB but not in Calcite), so checking a constant is not enough: the backend
   * gets the value, never the constant expression, and the outcome depends on the query text alone.
   */
  static RexNode foldConstants(RelBuilder builder, RexNode node) {
    return node.accept(new org.apache.calcite.rex.RexShuttle() {
      @Override
      public RexNode visitCall(RexCall call) {
        if (!org.apache.calcite.rex.RexUtil.isConstant(call)) {
          return super.visitCall(call);
        }
        // Calcite's executor swallows evaluation errors and hands back the expression unreduced: anything that is
        // not a literal afterwards could not be evaluated (rejecting a constant Calcite cannot evaluate costs nothing).
        // The planner's folding remembers what it folded, so a repeated constant compiles no new class.
        List<RexNode> reduced = new ArrayList<>();
        try {
          ConstantFolding.INSTANCE.reduce(builder.getRexBuilder(), List.of(call), reduced);
        } catch (RuntimeException | Error e) {
          reduced.clear();
        }
        if (reduced.size() != 1 || !(reduced.get(0) instanceof RexLiteral literal)) {
          throw new QueryRejectedException("the query has a constant expression that cannot be evaluated (e.g. a "
              + "division by zero or a cast of a malformed literal). Fix: correct or remove that expression");
        }
        return literal;
      }
    });
  }

  /**
   * {@code condition} in a form whose evaluation cannot fail on some rows only.
   *
   * @throws QueryRejectedException when the dialect has no error-free form and the condition could fail
   */
  static RexNode asFilter(RelBuilder builder, SqlDialect dialect, RexNode condition) {
    if (dialect instanceof DuckDbDialect) {
      // One TRY per conjunct, not around the whole condition: a filter keeps a row exactly when every conjunct
      // evaluates to TRUE without error, in either form (an error, NULL and FALSE all drop the row), so the rows
      // kept are the same; but DuckDB cannot push one TRY spanning several tables below a join, and each
      // conjunct's TRY usually reads one table (TPC-H Q3, Q5, Q10, Q12: bounded queries 2.4x to 5.8x faster).
      RexNode folded = foldConstants(builder, Rounding.standard(builder.getRexBuilder(), condition));
      List<RexNode> guarded = new ArrayList<>();
      List<RexNode> conjuncts = org.apache.calcite.plan.RelOptUtil.conjunctions(folded);
      for (RexNode conjunct : conjuncts.isEmpty() ? List.of(folded) : conjuncts) { // TRUE has no conjuncts
        guarded.add(builder.call(TRY, conjunct));
      }
      return guarded.size() == 1 ? guarded.get(0)
          : builder.getRexBuilder().makeCall(org.apache.calcite.sql.fun.SqlStdOperatorTable.AND, guarded);
    }
    String unsafe = firstUnsafe(condition);
    if (unsafe != null) {
      throw new QueryRejectedException("WHERE uses " + unsafe + ", which this backend could fail to evaluate on "
          + "some rows only; whether the query failed would then reveal those rows. Fix: write the condition with "
          + "comparisons, AND/OR/NOT, IN, BETWEEN, IS NULL, LIKE with a literal pattern, CASE and COALESCE over "
          + "columns and literals (integer division by a literal such as 10 is fine)");
    }
    return Rounding.standard(builder.getRexBuilder(), condition);
  }

  /**
   * An aggregate argument in a form whose evaluation cannot fail on some rows only (like {@link #asFilter}): on
   * DuckDB wrapped in {@code TRY} (a failing row gives NULL, which the aggregate ignores) when some part could
   * fail; elsewhere rejected unless every part is safe. Arithmetic over clamped columns and literals is safe:
   * the analysis derived its range and checked that it fits its type and never divides by zero.
   *
   * @param expand turns the analysed argument into the expression the backend evaluates (column clamps)
   * @param what names the expression in a rejection, e.g. "an aggregate's argument"
   * @throws QueryRejectedException when the dialect has no error-free form and the argument could fail
   */
  static RexNode asValue(RelBuilder builder, SqlDialect dialect, RexNode argument,
      java.util.function.UnaryOperator<RexNode> expand, String what) {
    String unsafe = firstUnsafeValue(argument);
    argument = Rounding.standard(builder.getRexBuilder(), argument);
    if (dialect instanceof DuckDbDialect) {
      RexNode expanded = expand.apply(foldConstants(builder, argument));
      return unsafe == null ? expanded : builder.call(TRY, expanded);
    }
    if (unsafe != null) {
      throw new QueryRejectedException(what + " uses " + unsafe + ", which this backend could "
          + "fail to evaluate on some rows only; whether the query failed would then reveal those rows. Fix: use "
          + "arithmetic, CASE, CAST, ABS, LEAST/GREATEST or ROUND over bounded columns, and conditions with "
          + "comparisons, AND/OR/NOT, IN, BETWEEN, IS NULL and LIKE with a literal pattern");
    }
    return expand.apply(argument);
  }

  /**
   * The first operation in an aggregate argument that could fail on some rows, or null: conditions by the WHERE
   * rules, values are safe when they read only clamped columns and literals (their range was checked), and by the
   * WHERE rules otherwise.
   */
  static String firstUnsafeValue(RexNode node) {
    if (node instanceof RexInputRef || node instanceof RexLiteral) {
      return null;
    }
    if (!(node instanceof RexCall call)) {
      return "the expression " + node.getKind();
    }
    if (call.getOperator() == Measurement.CLAMP) {
      return null;
    }
    if (call.getKind() == SqlKind.CASE) {
      for (int i = 0; i < call.getOperands().size(); i++) {
        boolean condition = i % 2 == 0 && i < call.getOperands().size() - 1;
        RexNode op = call.getOperands().get(i);
        String unsafe = condition ? firstUnsafe(op) : firstUnsafeValue(op);
        if (unsafe != null) {
          return unsafe;
        }
      }
      return null;
    }
    if (call.getKind() == SqlKind.CAST
        && call.getOperands().get(0).getType().getSqlTypeName() == SqlTypeName.BOOLEAN) {
      return firstUnsafe(call.getOperands().get(0));
    }
    if (!readsOnlyClampedValues(call)) {
      return firstUnsafe(call);
    }
    for (RexNode op : call.getOperands()) {
      String unsafe = firstUnsafeValue(op);
      if (unsafe != null) {
        return unsafe;
      }
    }
    return null;
  }

  /** True when every column {@code node} reads as a value (outside conditions) is clamped. */
  private static boolean readsOnlyClampedValues(RexNode node) {
    if (node instanceof RexInputRef) {
      return false;
    }
    if (!(node instanceof RexCall call) || call.getOperator() == Measurement.CLAMP) {
      return true;
    }
    if (call.getKind() == SqlKind.CAST
        && call.getOperands().get(0).getType().getSqlTypeName() == SqlTypeName.BOOLEAN) {
      return true;
    }
    for (int i = 0; i < call.getOperands().size(); i++) {
      boolean condition = call.getKind() == SqlKind.CASE && i % 2 == 0 && i < call.getOperands().size() - 1;
      if (!condition && !readsOnlyClampedValues(call.getOperands().get(i))) {
        return false;
      }
    }
    return true;
  }

  /** A description of the first operation in {@code node} that could fail on some rows, or null. */
  static String firstUnsafe(RexNode node) {
    return ExpressionPolicy.firstRowError(node).orElse(null);
  }
}
