package org.dpq.engine.execution;

import org.apache.calcite.config.NullCollation;
import org.apache.calcite.sql.SqlBinaryOperator;
import org.apache.calcite.sql.SqlDialect;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlOperator;
import org.apache.calcite.sql.dialect.PostgresqlSqlDialect;
import org.apache.calcite.sql.type.InferTypes;
import org.apache.calcite.sql.type.OperandTypes;
import org.apache.calcite.sql.type.ReturnTypes;

/**
 * DuckDB's SQL as emitted by the rewrite: PostgreSQL's syntax (which DuckDB runs as is) with DuckDB's NULL
 * ordering (NULLs last in both directions), and integer division written {@code //}. Owns no privacy property; it
 * keeps the emitted bounded query meaning the same thing on DuckDB as it does in Calcite.
 */
public final class DuckDbDialect extends PostgresqlSqlDialect {
  /** The shared instance. */
  public static final SqlDialect INSTANCE = new DuckDbDialect();

  /**
   * DuckDB's integer division {@code a // b}: truncates towards zero like Calcite and PostgreSQL, whereas
   * DuckDB's {@code /} divides integers as floating-point numbers. Same precedence and associativity as
   * {@code /} (DuckDB parses it so). The rewrite puts it in place of {@code /} when both operands are integers.
   */
  public static final SqlOperator INTEGER_DIVIDE = new SqlBinaryOperator("//", SqlKind.OTHER, 60, true,
      ReturnTypes.QUOTIENT_NULLABLE, InferTypes.FIRST_KNOWN, OperandTypes.DIVISION_OPERATOR);

  private DuckDbDialect() {
    super(PostgresqlSqlDialect.DEFAULT_CONTEXT.withNullCollation(NullCollation.LAST));
  }
}
