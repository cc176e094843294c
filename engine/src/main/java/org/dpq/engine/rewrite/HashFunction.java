package org.dpq.engine.rewrite;

import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.sql.SqlDialect;
import org.apache.calcite.sql.SqlFunction;
import org.apache.calcite.sql.SqlFunctionCategory;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.dialect.PostgresqlSqlDialect;
import org.apache.calcite.sql.dialect.SparkSqlDialect;
import org.apache.calcite.sql.fun.SqlLibraryOperators;
import org.apache.calcite.sql.type.OperandTypes;
import org.apache.calcite.sql.type.ReturnTypes;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.tools.RelBuilder;
import org.dpq.engine.execution.DuckDbDialect;

/**
 * A deterministic hash of (per-query secret, unit, group keys), rendered in one backend's SQL. The rewrite
 * orders a unit's groups by it to keep at most G of them: the choice depends only on that unit's own rows
 * (so the G-groups bound of invariant 3 holds for any data) and, through the secret, cannot be predicted by the
 * analyst. The one place that knows each dialect's hash function; a new backend adds one case to
 * {@link #forDialect}.
 */
interface HashFunction {
  /** The hash expression over {@code values}, with {@code secret} mixed in. */
  RexNode hash(RelBuilder builder, long secret, List<RexNode> values);

  /** The hash function for {@code dialect}. */
  static HashFunction forDialect(SqlDialect dialect) {
    if (dialect instanceof DuckDbDialect) {
      return HashFunction::duckDb;
    }
    if (dialect instanceof PostgresqlSqlDialect) {
      return HashFunction::postgres;
    }
    if (dialect instanceof SparkSqlDialect) {
      return HashFunction::spark;
    }
    throw new IllegalArgumentException("no hash function known for SQL dialect " + dialect.getClass().getSimpleName()
        + "; add one to HashFunction.forDialect");
  }

  /** DuckDB: {@code hash(secret, unit, key...)}, variadic, 64-bit. */
  private static RexNode duckDb(RelBuilder builder, long secret, List<RexNode> values) {
    return builder.call(function("hash", SqlTypeName.BIGINT), withSecret(builder, secret, values));
  }

  /**
   * Spark: {@code xxhash64(secret, unit, unit IS NULL, key, key IS NULL, ...)}. Spark's hash skips NULL arguments,
   * so without the flags the keys (NULL, 'a') and ('a', NULL) of one unit would hash alike, and which one the unit
   * keeps would be left to row order.
   */
  private static RexNode spark(RelBuilder builder, long secret, List<RexNode> values) {
    List<RexNode> args = new ArrayList<>();
    args.add(builder.literal(secret));
    for (RexNode v : values) {
      args.add(v);
      args.add(builder.isNull(v));
    }
    return builder.call(function("xxhash64", SqlTypeName.BIGINT), args);
  }

  /**
   * PostgreSQL: {@code hashtextextended(concat_ws('|', quote_nullable(unit::text), quote_nullable(key::text), ...),
   * secret)}, 64-bit and seeded by the secret. Quoting makes the text injective: concat_ws alone skips NULLs and
   * cannot tell ('x|y', 'z') from ('x', 'y|z'). Measured on 1M rows (200k units, 16 groups), the group-limit window
   * took 1.5 s with this hash and 4.3 s with md5 over the same text (0.96 s without any hash).
   */
  private static RexNode postgres(RelBuilder builder, long secret, List<RexNode> values) {
    List<RexNode> args = new ArrayList<>();
    args.add(builder.literal("|"));
    for (RexNode v : values) {
      args.add(builder.call(function("quote_nullable", SqlTypeName.VARCHAR), builder.cast(v, SqlTypeName.VARCHAR)));
    }
    return builder.call(function("hashtextextended", SqlTypeName.BIGINT),
        builder.call(SqlLibraryOperators.CONCAT_WS_POSTGRESQL, args), builder.literal(secret));
  }

  private static List<RexNode> withSecret(RelBuilder builder, long secret, List<RexNode> values) {
    List<RexNode> args = new ArrayList<>();
    args.add(builder.literal(secret));
    args.addAll(values);
    return args;
  }

  private static SqlFunction function(String name, SqlTypeName returns) {
    return new SqlFunction(name, SqlKind.OTHER_FUNCTION, ReturnTypes.explicit(returns), null,
        OperandTypes.VARIADIC, SqlFunctionCategory.SYSTEM);
  }
}
