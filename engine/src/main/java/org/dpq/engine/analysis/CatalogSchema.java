package org.dpq.engine.analysis;

import org.apache.calcite.avatica.util.Casing;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.schema.SchemaPlus;
import org.apache.calcite.schema.impl.AbstractTable;
import org.apache.calcite.sql.SqlOperatorTable;
import org.apache.calcite.sql.fun.SqlLibraryOperators;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.parser.SqlParser;
import org.apache.calcite.sql.util.SqlOperatorTables;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.sql2rel.SqlToRelConverter;
import org.apache.calcite.tools.FrameworkConfig;
import org.apache.calcite.tools.Frameworks;
import org.dpq.engine.catalog.Column;
import org.dpq.engine.catalog.ColumnType;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.PrivacyUnit;

/**
 * The Calcite view of one dataset: a schema with exactly one table (the dataset's {@code table}) whose columns
 * are the declared ones, plus the parser, validator and converter settings dpq relies on. The table has no
 * scan implementation, so Calcite can plan against it but never read a row: analysis happens before any data
 * access (invariant 6).
 */
final class CatalogSchema {
  /** Names as written, compared case-insensitively (the default would upper-case unquoted names). */
  static final SqlParser.Config PARSER = SqlParser.config()
      .withUnquotedCasing(Casing.UNCHANGED)
      .withQuotedCasing(Casing.UNCHANGED)
      .withCaseSensitive(false);

  /**
   * Calcite's standard operators plus the few library functions that DuckDB, PostgreSQL and Spark all spell the
   * same way and whose results dpq can bound (LEAST, GREATEST).
   */
  static final SqlOperatorTable OPERATORS = SqlOperatorTables.chain(SqlStdOperatorTable.instance(),
      SqlOperatorTables.of(SqlLibraryOperators.LEAST, SqlLibraryOperators.GREATEST));

  private CatalogSchema() {}

  /** A planner configuration for {@code dataset}; immutable and shareable between threads. */
  static FrameworkConfig config(Dataset dataset) {
    SchemaPlus root = Frameworks.createRootSchema(false);
    root.add(dataset.table(), new DatasetTable(dataset));
    return Frameworks.newConfigBuilder()
        .defaultSchema(root)
        .parserConfig(PARSER)
        .sqlToRelConverterConfig(SqlToRelConverter.config().withInSubQueryThreshold(Integer.MAX_VALUE))
        .typeSystem(DpTypeSystem.INSTANCE)
        .operatorTable(OPERATORS)
        .build();
  }

  /** The declared columns (and the privacy unit column, as VARCHAR, if it was not declared). */
  private static final class DatasetTable extends AbstractTable {
    private final Dataset dataset;

    DatasetTable(Dataset dataset) {
      this.dataset = dataset;
    }

    @Override
    public RelDataType getRowType(RelDataTypeFactory factory) {
      RelDataTypeFactory.Builder row = factory.builder();
      for (Column column : dataset.columns()) {
        row.add(column.name(), nullable(factory, sqlType(column.type())));
      }
      if (dataset.unit() instanceof PrivacyUnit.ByColumn unit && dataset.column(unit.column()).isEmpty()) {
        row.add(unit.column(), nullable(factory, SqlTypeName.VARCHAR));
      }
      return row.build();
    }

    private static RelDataType nullable(RelDataTypeFactory factory, SqlTypeName type) {
      return factory.createTypeWithNullability(factory.createSqlType(type), true);
    }

    private static SqlTypeName sqlType(ColumnType type) {
      return switch (type) {
        case INT -> SqlTypeName.INTEGER;
        case LONG -> SqlTypeName.BIGINT;
        case DOUBLE -> SqlTypeName.DOUBLE;
        case STRING -> SqlTypeName.VARCHAR;
        case BOOLEAN -> SqlTypeName.BOOLEAN;
        case DATE -> SqlTypeName.DATE;
      };
    }
  }
}
