package org.dpq.server.jdbc;

import java.sql.Types;
import org.dpq.engine.catalog.ColumnType;

/** The JDBC type a declared dataset column is shown with by {@code DatabaseMetaData.getColumns}. */
final class JdbcTypes {
  private JdbcTypes() {}

  /** A JDBC type: its {@link Types} code, name, display size and radix (null where they do not apply). */
  record Type(int sqlType, String name, Integer size, Integer radix) {}

  static Type of(ColumnType type) {
    return switch (type) {
      case INT -> new Type(Types.INTEGER, "INTEGER", 10, 10);
      case LONG -> new Type(Types.BIGINT, "BIGINT", 19, 10);
      case DOUBLE -> new Type(Types.DOUBLE, "DOUBLE", 15, 2);
      case STRING -> new Type(Types.VARCHAR, "VARCHAR", null, null);
      case BOOLEAN -> new Type(Types.BOOLEAN, "BOOLEAN", 1, null);
      case DATE -> new Type(Types.DATE, "DATE", 10, null);
    };
  }
}
