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
import org.apache.calcite.sql.validate.SqlConformance;
import org.apache.calcite.sql.validate.SqlConformanceEnum;
import org.apache.calcite.sql.validate.SqlDelegatingConformance;
import org.apache.calcite.config.CalciteConnectionConfigImpl;
import org.apache.calcite.config.CalciteConnectionProperty;
import org.apache.calcite.plan.Contexts;
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
   * same way and whose results dpq can bound (LEAST, GREATEST), and dpq's own aggregate {@link AvgPerUnit}.
   */
  static final SqlOperatorTable OPERATORS = SqlOperatorTables.chain(SqlStdOperatorTable.instance(),
      SqlOperatorTables.of(SqlLibraryOperators.LEAST, SqlLibraryOperators.GREATEST, AvgPerUnit.INSTANCE));

  /**
   * Standard SQL plus what DuckDB and PostgreSQL users write: SELECT aliases and ordinals in GROUP BY, aliases in
   * HAVING. Calcite resolves them while validating, so the plan dpq analyses is the same as with the names spelt
   * out.
   */
  static final SqlConformance CONFORMANCE = new SqlDelegatingConformance(SqlConformanceEnum.DEFAULT) {
    @Override
    public boolean isGroupByAlias() {
      return true;
    }

    @Override
    public boolean isGroupByOrdinal() {
      return true;
    }

    @Override
    public boolean isHavingAlias() {
      return true;
    }
  };

  /**
   * Where the Planner reads its validator's conformance. Both properties it would otherwise fill in are set, so it
   * uses this object as it is (it copies it, dropping the override, when one is missing).
   */
  private static final CalciteConnectionConfigImpl CONNECTION = new CalciteConnectionConfigImpl(connectionProperties()) {
    @Override
    public SqlConformance conformance() {
      return CONFORMANCE;
    }
  };

  private static java.util.Properties connectionProperties() {
    java.util.Properties p = new java.util.Properties();
    p.setProperty(CalciteConnectionProperty.CASE_SENSITIVE.camelName(), "false");
    p.setProperty(CalciteConnectionProperty.CONFORMANCE.camelName(), SqlConformanceEnum.DEFAULT.name());
    return p;
  }

  private CatalogSchema() {}

  /** A planner configuration for {@code dataset}; immutable and shareable between threads. */
  static FrameworkConfig config(Dataset dataset) {
    SchemaPlus root = Frameworks.createRootSchema(false);
    if (dataset.hasSeveralTables()) {
      for (org.dpq.engine.catalog.TableSpec t : dataset.allTables()) {
        root.add(t.name(), new DatasetTable(dataset.single(t), false));
      }
    } else {
      root.add(dataset.table(), new DatasetTable(dataset, true));
    }
    return Frameworks.newConfigBuilder()
        .defaultSchema(root)
        .parserConfig(PARSER)
        .sqlToRelConverterConfig(SqlToRelConverter.config().withInSubQueryThreshold(Integer.MAX_VALUE))
        .typeSystem(DpTypeSystem.INSTANCE)
        .operatorTable(OPERATORS)
        .context(Contexts.of(CONNECTION))
        .executor(ConstantFolding.INSTANCE)
        .build();
  }

  /** The declared columns (and the privacy unit column, as VARCHAR, if it was not declared). */
  private static final class DatasetTable extends AbstractTable {
    private final Dataset dataset;
    /** False for the tables of a dataset of several tables: each has exactly its declared columns. */
    private final boolean addUnit;

    DatasetTable(Dataset dataset, boolean addUnit) {
      this.dataset = dataset;
      this.addUnit = addUnit;
    }

    @Override
    public RelDataType getRowType(RelDataTypeFactory factory) {
      RelDataTypeFactory.Builder row = factory.builder();
      for (Column column : dataset.columns()) {
        row.add(column.name(), nullable(factory, sqlType(column.type())));
      }
      if (addUnit && dataset.unit() instanceof PrivacyUnit.ByColumn unit && dataset.column(unit.column()).isEmpty()) {
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
