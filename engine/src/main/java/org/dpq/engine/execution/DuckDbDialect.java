package org.dpq.engine.execution;

import org.apache.calcite.config.NullCollation;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.sql.SqlDialect;
import org.apache.calcite.sql.dialect.PostgresqlSqlDialect;

/**
 * DuckDB's SQL as emitted by the rewrite: PostgreSQL's syntax (which DuckDB runs as is) with DuckDB's NULL
 * ordering (NULLs last in both directions) and integer division written {@code //} (DuckDB's {@code /} divides
 * integers as reals, so {@code WHERE age / 10 = 3} would keep only age 30). Owns no privacy property; it keeps
 * the emitted bounded query meaning the same thing on DuckDB as it does in Calcite.
 */
public final class DuckDbDialect extends PostgresqlSqlDialect {
  /** The shared instance. */
  public static final SqlDialect INSTANCE = new DuckDbDialect();

  private static final IntegerDivision.Operator DIV = new IntegerDivision.Operator("//");

  private DuckDbDialect() {
    super(PostgresqlSqlDialect.DEFAULT_CONTEXT.withNullCollation(NullCollation.LAST));
  }

  @Override
  public RexNode prepareUnparse(RexNode node) {
    return IntegerDivision.rewrite(super.prepareUnparse(node), DIV);
  }
}
