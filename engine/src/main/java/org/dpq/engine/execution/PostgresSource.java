package org.dpq.engine.execution;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.dpq.engine.catalog.Column;
import org.dpq.engine.catalog.ColumnType;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.Source;
import org.dpq.engine.catalog.TableSpec;
import org.dpq.errors.BackendException;

/**
 * Finds the PostgreSQL relation behind a dataset ({@code source.jdbc.table}) and writes the common table
 * expression that exposes it under the dataset's table name: exactly the declared columns, under their declared
 * names, as the types DuckDB gives them (int and long as {@code bigint}, double as {@code double precision},
 * string as {@code text}). Owns the rule that the bounded query reads only the declared columns of the one
 * declared relation, typed as the rewrite assumes. A dataset of several tables gets one expression per table
 * ({@code tables.<name>.source.jdbc.table}), each named after its table and checked alike; messages then name the
 * table.
 *
 * <p>Names. {@code source.jdbc.table} ({@code table}, {@code schema.table} or {@code database.schema.table})
 * resolves as PostgreSQL resolves an unquoted name, i.e. folded to lower case (without a schema, through the
 * connection's {@code search_path}); when no relation has the folded name, a single relation whose name
 * matches case-insensitively is used (so a table created as {@code "Pums"} is found too). Declared columns
 * match the relation's columns case-insensitively, as for CSV headers; two columns differing only in case are
 * an error. The rewrite then quotes the declared names exactly as written in the YAML, which the expression
 * defines, so PostgreSQL's case folding never applies to them.
 *
 * <p>Types. int and long need an integer column ({@code smallint}, {@code integer}, {@code bigint}); double
 * accepts integer, {@code real}, {@code double precision} and {@code numeric} columns; boolean needs
 * {@code boolean} and date needs {@code date}; string accepts any column (its text form). A mismatch is
 * reported when the backend opens, before any budget is charged; expose a view that converts the column instead.
 */
final class PostgresSource {
  private static final Set<String> INTEGERS = Set.of("int2", "int4", "int8");
  private static final Set<String> REALS = Set.of("int2", "int4", "int8", "float4", "float8", "numeric");

  private PostgresSource() {}

  /** The found relation: its schema and name as stored in PostgreSQL's catalog. */
  record Relation(long oid, String schema, String name) {
    String quoted() {
      return quote(schema) + "." + quote(name);
    }
  }

  /**
   * {@code WITH "<table>" AS (SELECT <typed declared columns> FROM <relation>) } (with a trailing blank); for a
   * dataset of several tables, one such definition per table, in declaration order.
   */
  static String exposure(Connection c, Dataset d) throws SQLException {
    List<String> definitions = new ArrayList<>();
    if (d.hasSeveralTables()) {
      for (TableSpec t : d.allTables()) {
        definitions.add(definition(c, d.single(t), "table '" + t.name() + "' of dataset '" + d.name() + "'"));
      }
    } else {
      definitions.add(definition(c, d, "dataset '" + d.name() + "'"));
    }
    return "WITH " + String.join(", ", definitions) + " ";
  }

  /** {@code "<table>" AS (SELECT ... FROM <relation>)} for the one table of {@code d}; {@code what} names it. */
  private static String definition(Connection c, Dataset d, String what) throws SQLException {
    Relation relation = resolve(c, d, what);
    List<String[]> columns = columns(c, relation);
    List<String> items = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    List<String> ambiguous = new ArrayList<>();
    List<String> mistyped = new ArrayList<>();
    for (Column col : d.columns()) {
      String[] found = null;
      int count = 0;
      for (String[] candidate : columns) {
        if (candidate[0].equalsIgnoreCase(col.name())) {
          found = found == null ? candidate : found;
          count++;
        }
      }
      if (count == 0) {
        missing.add(col.name());
      } else if (count > 1) {
        ambiguous.add(col.name());
      } else if (!accepts(col.type(), found[1])) {
        mistyped.add(col.name() + " (declared " + col.type().name().toLowerCase(Locale.ROOT) + ", PostgreSQL type "
            + found[1] + ")");
      } else {
        items.add("CAST(" + quote(found[0]) + " AS " + sqlType(col.type()) + ") AS " + quote(col.name()));
      }
    }
    if (!missing.isEmpty()) {
      throw new BackendException("the PostgreSQL table of " + what + " has no column named "
          + String.join(", ", missing) + "; declare only columns the table has (names are compared "
          + "case-insensitively)");
    }
    if (!ambiguous.isEmpty()) {
      throw new BackendException("the PostgreSQL table of " + what + " has more than one column "
          + "named " + String.join(", ", ambiguous) + " (names are compared case-insensitively); expose a view "
          + "with one of them");
    }
    if (!mistyped.isEmpty()) {
      throw new BackendException("in the PostgreSQL table of " + what + ", these columns do not have "
          + "a type their declaration accepts: " + String.join(", ", mistyped) + "; fix the declared type, or "
          + "expose a view that converts the column");
    }
    return quote(d.table()) + " AS (SELECT " + String.join(", ", items) + " FROM " + relation.quoted() + ")";
  }

  /** The relation named by {@code source.jdbc.table} of the one table of {@code d}; {@code what} names it. */
  private static Relation resolve(Connection c, Dataset d, String what) throws SQLException {
    String written = ((Source.Jdbc) d.source()).table();
    String[] parts = written.split("\\.");
    String schema = parts.length >= 2 ? parts[parts.length - 2] : null;
    String name = parts[parts.length - 1];
    if (parts.length == 3) {
      try (PreparedStatement s = c.prepareStatement("SELECT pg_catalog.current_database()");
          ResultSet r = s.executeQuery()) {
        r.next();
        if (!r.getString(1).equalsIgnoreCase(parts[0])) {
          throw new BackendException("source.jdbc.table of " + what + " names database " + parts[0]
              + ", but source.jdbc.url connects to another database; give schema.table");
        }
      }
    }
    String sql = "SELECT c.oid, n.nspname, c.relname FROM pg_catalog.pg_class c "
        + "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        + "WHERE c.relkind IN ('r', 'v', 'm', 'f', 'p') AND lower(c.relname) = lower(?) "
        + (schema == null ? "AND pg_catalog.pg_table_is_visible(c.oid)" : "AND lower(n.nspname) = lower(?)");
    List<Relation> candidates = new ArrayList<>();
    try (PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, name);
      if (schema != null) {
        s.setString(2, schema);
      }
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          candidates.add(new Relation(r.getLong(1), r.getString(2), r.getString(3)));
        }
      }
    }
    String foldedName = name.toLowerCase(Locale.ROOT);
    String foldedSchema = schema == null ? null : schema.toLowerCase(Locale.ROOT);
    for (Relation rel : candidates) {
      if (rel.name().equals(foldedName) && (foldedSchema == null || rel.schema().equals(foldedSchema))) {
        return rel;
      }
    }
    if (candidates.size() == 1) {
      return candidates.get(0);
    }
    if (candidates.isEmpty()) {
      throw new BackendException("source.jdbc.table of " + what + " (" + written + ") names no table "
          + "or view this user can see in the database of source.jdbc.url; check the name and the search_path");
    }
    throw new BackendException("source.jdbc.table of " + what + " (" + written + ") matches several "
        + "relations that differ only in case; rename one, or give the name in lower case");
  }

  /** Each column of the relation as {name, base type name}, in order. */
  private static List<String[]> columns(Connection c, Relation relation) throws SQLException {
    String sql = "SELECT a.attname, COALESCE(b.typname, t.typname) FROM pg_catalog.pg_attribute a "
        + "JOIN pg_catalog.pg_type t ON t.oid = a.atttypid "
        + "LEFT JOIN pg_catalog.pg_type b ON t.typtype = 'd' AND b.oid = t.typbasetype "
        + "WHERE a.attrelid = CAST(? AS oid) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum";
    List<String[]> out = new ArrayList<>();
    try (PreparedStatement s = c.prepareStatement(sql)) {
      s.setLong(1, relation.oid());
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          out.add(new String[] {r.getString(1), r.getString(2)});
        }
      }
    }
    return out;
  }

  private static boolean accepts(ColumnType declared, String pgType) {
    return switch (declared) {
      case INT, LONG -> INTEGERS.contains(pgType);
      case DOUBLE -> REALS.contains(pgType);
      case STRING -> true;
      case BOOLEAN -> pgType.equals("bool");
      case DATE -> pgType.equals("date");
    };
  }

  private static String sqlType(ColumnType type) {
    return switch (type) {
      case INT, LONG -> "bigint";
      case DOUBLE -> "double precision";
      case STRING -> "text";
      case BOOLEAN -> "boolean";
      case DATE -> "date";
    };
  }

  /** A double-quoted identifier, exactly as given. */
  static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }
}
