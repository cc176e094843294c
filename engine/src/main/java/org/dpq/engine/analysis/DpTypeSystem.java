package org.dpq.engine.analysis;

import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.rel.type.RelDataTypeSystem;
import org.apache.calcite.rel.type.RelDataTypeSystemImpl;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.sql.type.SqlTypeUtil;

/**
 * Calcite's default type system with the result types dpq releases: AVG, VAR and STDDEV are DOUBLE (a noisy
 * mean of integers is not an integer), SUM of integers is BIGINT, SUM of
 * whole decimals DECIMAL(38, 0) (the rewrite's exact grid-step sums) and SUM of anything else DOUBLE; and a CASE or
 * union yielding strings of different lengths is VARCHAR rather than blank-padded CHAR. Owns no privacy
 * property; it keeps filters and post-processing over noisy values meaning what the analyst wrote.
 */
final class DpTypeSystem extends RelDataTypeSystemImpl {
  static final RelDataTypeSystem INSTANCE = new DpTypeSystem();

  private DpTypeSystem() {}

  @Override
  public boolean shouldConvertRaggedUnionTypesToVarying() {
    return true;
  }

  @Override
  public RelDataType deriveAvgAggType(RelDataTypeFactory factory, RelDataType argumentType) {
    return nullableAs(factory, argumentType, SqlTypeName.DOUBLE);
  }

  /** DECIMAL up to 38 digits (as DuckDB, PostgreSQL and Spark allow): exact grid-step sums are DECIMAL(38, 0). */
  @Override
  public int getMaxPrecision(SqlTypeName typeName) {
    return typeName == SqlTypeName.DECIMAL ? 38 : super.getMaxPrecision(typeName);
  }

  @Override
  public RelDataType deriveSumType(RelDataTypeFactory factory, RelDataType argumentType) {
    if (SqlTypeUtil.isDecimal(argumentType) && argumentType.getScale() == 0) {
      // a sum of whole grid steps stays an exact integer (the rewrite's DECIMAL(38, 0))
      return factory.createTypeWithNullability(factory.createSqlType(SqlTypeName.DECIMAL, 38, 0),
          argumentType.isNullable());
    }
    SqlTypeName type = SqlTypeUtil.isExactNumeric(argumentType) && !SqlTypeUtil.isDecimal(argumentType)
        ? SqlTypeName.BIGINT : SqlTypeName.DOUBLE;
    return nullableAs(factory, argumentType, type);
  }

  private static RelDataType nullableAs(RelDataTypeFactory factory, RelDataType argumentType, SqlTypeName type) {
    return factory.createTypeWithNullability(factory.createSqlType(type), argumentType.isNullable());
  }
}
