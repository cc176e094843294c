package org.dpq.engine.execution;

import org.apache.calcite.config.NullCollation;
import org.apache.calcite.rel.type.DelegatingTypeSystem;
import org.apache.calcite.rel.type.RelDataTypeSystem;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.sql.SqlDialect;
import org.apache.calcite.sql.dialect.PostgresqlSqlDialect;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * DuckDB's SQL as emitted by the rewrite: PostgreSQL's syntax (which DuckDB runs as is) with DuckDB's NULL
 * ordering (NULLs last in both directions) and integer division written {@code //} (DuckDB's {@code /} divides
 * integers as reals, so {@code WHERE age / 10 = 3} would keep only age 30). Owns no privacy property; it keeps
 * the emitted bounded query meaning the same thing on DuckDB as it does in Calcite. DECIMAL casts keep their precision
 * up to DuckDB's 38 digits (Calcite's default writes at most 19), so a cast of a grid-step sum to DECIMAL(38, 0) is
 * written as such and cannot overflow past 10^19.
 */
public final class DuckDbDialect extends PostgresqlSqlDialect {
  /** Declared before {@link #INSTANCE}, whose constructor reads it. */
  private static final RelDataTypeSystem TYPES = new DelegatingTypeSystem(PostgresqlSqlDialect.POSTGRESQL_TYPE_SYSTEM) {
    @Override
    public int getMaxPrecision(SqlTypeName typeName) {
      return typeName == SqlTypeName.DECIMAL ? 38 : super.getMaxPrecision(typeName);
    }

    @Override
    public int getMaxScale(SqlTypeName typeName) {
      return typeName == SqlTypeName.DECIMAL ? 38 : super.getMaxScale(typeName);
    }
  };

  /** The shared instance. */
  public static final SqlDialect INSTANCE = new DuckDbDialect();

  private static final IntegerDivision.Operator DIV = new IntegerDivision.Operator("//");

  private DuckDbDialect() {
    super(PostgresqlSqlDialect.DEFAULT_CONTEXT.withNullCollation(NullCollation.LAST).withDataTypeSystem(TYPES));
  }

  @Override
  public RexNode prepareUnparse(RexNode node) {
    return IntegerDivision.rewrite(super.prepareUnparse(node), DIV);
  }
}
