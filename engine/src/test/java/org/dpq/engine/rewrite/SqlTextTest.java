package org.dpq.engine.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.JoinRelType;
import org.apache.calcite.rel.rel2sql.RelToSqlConverter;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.schema.SchemaPlus;
import org.apache.calcite.schema.impl.AbstractTable;
import org.apache.calcite.sql.SqlDialect;
import org.apache.calcite.sql.dialect.MysqlSqlDialect;
import org.apache.calcite.sql.dialect.PostgresqlSqlDialect;
import org.apache.calcite.sql.dialect.SparkSqlDialect;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.tools.Frameworks;
import org.apache.calcite.tools.RelBuilder;
import org.dpq.engine.execution.DuckDbDialect;
import org.junit.jupiter.api.Test;

/** {@link SqlText} writes exactly what Calcite's {@code RelToSqlConverter.visitRoot} writes, in every dialect. */
class SqlTextTest {
  /** A dialect without RIGHT and FULL joins, so that the two join rewrites are exercised too. */
  private static final SqlDialect NO_OUTER_JOINS = new PostgresqlSqlDialect(PostgresqlSqlDialect.DEFAULT_CONTEXT) {
    @Override
    public boolean supportsJoinType(JoinRelType joinType) {
      return joinType != JoinRelType.RIGHT && joinType != JoinRelType.FULL;
    }
  };
  private static final List<SqlDialect> DIALECTS = List.of(DuckDbDialect.INSTANCE, PostgresqlSqlDialect.DEFAULT,
      SparkSqlDialect.DEFAULT, MysqlSqlDialect.DEFAULT, NO_OUTER_JOINS);

  private static RelBuilder builder() {
    SchemaPlus root = Frameworks.createRootSchema(true);
    for (String name : List.of("t", "u")) {
      root.add(name, new AbstractTable() {
        @Override
        public RelDataType getRowType(RelDataTypeFactory types) {
          return types.builder().add("a", SqlTypeName.INTEGER).add("b", SqlTypeName.VARCHAR, 10).build();
        }
      });
    }
    return RelBuilder.create(Frameworks.newConfigBuilder().defaultSchema(root).build());
  }

  private static String calcites(RelNode rel, SqlDialect dialect) {
    return new RelToSqlConverter(dialect).visitRoot(rel).asStatement().toSqlString(dialect).getSql();
  }

  private static void sameInEveryDialect(Function<RelBuilder, RelNode> tree) {
    for (SqlDialect dialect : DIALECTS) {
      RelNode rel = tree.apply(builder());
      assertEquals(calcites(rel, dialect), SqlText.of(rel, dialect), dialect.getClass().getName());
    }
  }

  @Test
  void aGroupByLiteralBecomesAJoinWhereTheDialectNeedsIt() {
    Function<RelBuilder, RelNode> tree = b -> b.scan("t").project(b.literal(1), b.field("a"))
        .aggregate(b.groupKey(0), b.count()).build();
    sameInEveryDialect(tree);
    // the rewrite (a cross join with the literal's VALUES) happened for PostgreSQL, which cannot GROUP BY a
    // literal, and not for MySQL, which can
    String postgres = SqlText.of(tree.apply(builder()), PostgresqlSqlDialect.DEFAULT);
    assertTrue(postgres.toUpperCase(Locale.ROOT).contains("(VALUES (1))"), postgres);
    String mysql = SqlText.of(tree.apply(builder()), MysqlSqlDialect.DEFAULT);
    assertFalse(mysql.toUpperCase(Locale.ROOT).contains("VALUES"), mysql);
  }

  @Test
  void constantSortKeysAreRemovedWhereTheDialectNeedsIt() {
    Function<RelBuilder, RelNode> tree = b -> b.scan("t").filter(b.equals(b.field("a"), b.literal(3)))
        .sort(b.field("a"), b.field("b")).build();
    sameInEveryDialect(tree);
    String postgres = SqlText.of(tree.apply(builder()), PostgresqlSqlDialect.DEFAULT);
    assertFalse(postgres.substring(postgres.indexOf("ORDER BY")).contains("\"a\""), postgres);
  }

  @Test
  void rightAndFullJoinsAreRewrittenWhereTheDialectLacksThem() {
    for (JoinRelType type : List.of(JoinRelType.RIGHT, JoinRelType.FULL, JoinRelType.LEFT, JoinRelType.INNER)) {
      Function<RelBuilder, RelNode> tree = b -> b.scan("t").scan("u")
          .join(type, b.equals(b.field(2, 0, "a"), b.field(2, 1, "a"))).build();
      sameInEveryDialect(tree);
    }
    RelNode right = builder().scan("t").scan("u").join(JoinRelType.RIGHT,
        builder().literal(true)).build();
    assertFalse(SqlText.of(right, NO_OUTER_JOINS).toUpperCase(Locale.ROOT).contains("RIGHT"));
  }

  @Test
  void aTreeNoRuleTouchesIsConvertedAsItIs() {
    sameInEveryDialect(b -> b.scan("t").filter(b.greaterThan(b.field("a"), b.literal(0)))
        .aggregate(b.groupKey("b"), b.count(), b.sum(b.field("a"))).build());
  }
}
