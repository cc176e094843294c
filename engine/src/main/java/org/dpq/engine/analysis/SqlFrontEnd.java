package org.dpq.engine.analysis;

import java.util.Objects;
import org.apache.calcite.adapter.java.JavaTypeFactory;
import org.apache.calcite.config.CalciteConnectionConfig;
import org.apache.calcite.config.CalciteConnectionConfigImpl;
import org.apache.calcite.config.CalciteConnectionProperty;
import org.apache.calcite.jdbc.CalciteSchema;
import org.apache.calcite.jdbc.JavaTypeFactoryImpl;
import org.apache.calcite.plan.ConventionTraitDef;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelOptPlanner;
import org.apache.calcite.plan.RelOptTable;
import org.apache.calcite.plan.volcano.VolcanoPlanner;
import org.apache.calcite.prepare.CalciteCatalogReader;
import org.apache.calcite.prepare.CalciteSqlValidator;
import org.apache.calcite.rel.RelRoot;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.schema.SchemaPlus;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.sql.parser.SqlParser;
import org.apache.calcite.sql.util.SqlOperatorTables;
import org.apache.calcite.sql.validate.SqlValidator;
import org.apache.calcite.sql2rel.RelDecorrelator;
import org.apache.calcite.sql2rel.SqlToRelConverter;
import org.apache.calcite.sql2rel.TopDownGeneralDecorrelator;
import org.apache.calcite.tools.FrameworkConfig;
import org.apache.calcite.tools.RelBuilder;
import org.apache.calcite.tools.ValidationException;

/**
 * Calcite's front end for one statement: parse, validate, convert to relational algebra. It does what Calcite's
 * {@code Planner} ({@code Frameworks.getPlanner}) does for these three steps, with the same parser, catalog
 * reader, validator and converter settings, but without what dpq never uses: the planner's optimisation rules
 * (Calcite registers its whole default rule set, about 1,300 classes to load and initialise, in every fresh JVM
 * before the first parse) and the collation trait (whose derivation on each new projection compiled a Janino
 * metadata handler on the first query of a JVM). dpq plans nothing with Calcite; it reads the converted tree.
 *
 * <p>Owns no privacy property: it turns the analyst's text into a tree; what may be released is decided by the
 * {@link Analyzer} reading that tree. One instance per statement (not thread-safe), like Calcite's Planner.
 */
final class SqlFrontEnd {
  private final FrameworkConfig config;
  private final CalciteConnectionConfig connection;
  private final JavaTypeFactory typeFactory;
  private final RelOptPlanner planner;
  private SqlValidator validator;

  SqlFrontEnd(FrameworkConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    this.connection = connectionConfig(config);
    this.typeFactory = new JavaTypeFactoryImpl(config.getTypeSystem());
    // The cluster's planner: its traits (Convention only) and constant folding; no rules, it never optimises.
    this.planner = new VolcanoPlanner(config.getCostFactory(), config.getContext());
    planner.setExecutor(config.getExecutor());
    planner.addRelTraitDef(ConventionTraitDef.INSTANCE);
  }

  /** Parses one statement with the configured parser. */
  SqlNode parse(String sql) throws SqlParseException {
    return SqlParser.create(sql, config.getParserConfig()).parseStmt();
  }

  /**
   * Validates {@code parsed}; any failure of the validator is a {@link ValidationException}, as in Calcite's
   * Planner.
   */
  SqlNode validate(SqlNode parsed) throws ValidationException {
    CalciteCatalogReader catalog = catalogReader();
    validator = new CalciteSqlValidator(SqlOperatorTables.chain(config.getOperatorTable(), catalog), catalog,
        typeFactory, config.getSqlValidatorConfig()
            .withDefaultNullCollation(connection.defaultNullCollation())
            .withLenientOperatorLookup(connection.lenientOperatorLookup())
            .withConformance(connection.conformance())
            .withIdentifierExpansion(true));
    try {
      return validator.validate(parsed);
    } catch (RuntimeException e) {
      throw new ValidationException(e);
    }
  }

  /**
   * {@code validated} (from {@link #validate}) as relational algebra, flattened and decorrelated as Calcite's
   * Planner does.
   */
  RelRoot rel(SqlNode validated) {
    if (validator == null) {
      throw new IllegalStateException("validate the statement first");
    }
    RelOptCluster cluster = RelOptCluster.create(planner, new RexBuilder(typeFactory));
    SqlToRelConverter.Config converterConfig = config.getSqlToRelConverterConfig().withTrimUnusedFields(false)
        .withTopDownGeneralDecorrelationEnabled(connection.topDownGeneralDecorrelationEnabled());
    RelOptTable.ViewExpander noViews = (rowType, queryString, schemaPath, viewPath) -> {
      throw new UnsupportedOperationException("a dpq catalog has no views");
    };
    SqlToRelConverter converter = new SqlToRelConverter(noViews, validator, catalogReader(), cluster,
        config.getConvertletTable(), converterConfig);
    RelRoot root = converter.convertQuery(validated, false, true);
    root = root.withRel(converter.flattenTypes(root.rel, true));
    RelBuilder relBuilder = converterConfig.getRelBuilderFactory().create(cluster, null);
    if (converterConfig.isTopDownGeneralDecorrelationEnabled()) {
      root = root.withRel(TopDownGeneralDecorrelator.decorrelateQuery(root.rel, relBuilder));
    }
    return root.withRel(RelDecorrelator.decorrelateQuery(root.rel, relBuilder));
  }

  private CalciteCatalogReader catalogReader() {
    SchemaPlus defaultSchema = Objects.requireNonNull(config.getDefaultSchema(), "defaultSchema");
    SchemaPlus root = defaultSchema;
    while (root.getParentSchema() != null) {
      root = root.getParentSchema();
    }
    return new CalciteCatalogReader(CalciteSchema.from(root), CalciteSchema.from(defaultSchema).path(null),
        typeFactory, connection);
  }

  /** The context's connection settings, with case sensitivity and conformance from the parser when unset. */
  private static CalciteConnectionConfig connectionConfig(FrameworkConfig config) {
    CalciteConnectionConfigImpl c = config.getContext().maybeUnwrap(CalciteConnectionConfigImpl.class)
        .orElse(CalciteConnectionConfig.DEFAULT);
    if (!c.isSet(CalciteConnectionProperty.CASE_SENSITIVE)) {
      c = c.set(CalciteConnectionProperty.CASE_SENSITIVE, String.valueOf(config.getParserConfig().caseSensitive()));
    }
    if (!c.isSet(CalciteConnectionProperty.CONFORMANCE)) {
      c = c.set(CalciteConnectionProperty.CONFORMANCE, String.valueOf(config.getParserConfig().conformance()));
    }
    return c;
  }
}
