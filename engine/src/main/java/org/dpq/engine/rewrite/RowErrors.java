package org.dpq.engine.rewrite;

import org.apache.calcite.rex.RexNode;
import org.apache.calcite.sql.SqlDialect;
import org.apache.calcite.sql.SqlFunction;
import org.apache.calcite.sql.SqlFunctionCategory;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.type.OperandTypes;
import org.apache.calcite.sql.type.ReturnTypes;
import org.apache.calcite.tools.RelBuilder;
import org.dpq.engine.execution.DuckDbDialect;

/**
 * Makes the analyst's WHERE condition total on the backend: a row on which it cannot be evaluated (a cast of a
 * malformed string, an integer overflow, MOD by zero, a substring of negative length) is filtered out instead of
 * failing the whole query. Owns the rule that whether a query fails never depends on the data: otherwise
 * {@code WHERE CASE WHEN name = 'x' THEN CAST(name AS INT) ELSE 0 END = 0} would answer "is x in the table?"
 * through the exit code, outside any noise. Dropping such a row depends on that row alone, like any filter.
 *
 * <p>DuckDB: {@code TRY(condition)} (NULL on error; the analyzer already rejects volatile functions in WHERE,
 * which TRY refuses). Other dialects need their own form before they can run analyst conditions safely.
 */
final class RowErrors {
  private static final SqlFunction TRY = new SqlFunction("TRY", SqlKind.OTHER_FUNCTION,
      ReturnTypes.ARG0_FORCE_NULLABLE, null, OperandTypes.ANY, SqlFunctionCategory.SYSTEM);

  private RowErrors() {}

  /** {@code condition} in a form whose evaluation errors filter the row out, where the dialect has one. */
  static RexNode asFilter(RelBuilder builder, SqlDialect dialect, RexNode condition) {
    if (dialect instanceof DuckDbDialect) {
      return builder.call(TRY, condition);
    }
    return condition;
  }
}
