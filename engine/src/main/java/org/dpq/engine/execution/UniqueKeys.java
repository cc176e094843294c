package org.dpq.engine.execution;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.dpq.engine.catalog.ColumnRef;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.PrivacyUnit;
import org.dpq.engine.catalog.TableSpec;
import org.dpq.errors.BackendException;

/**
 * The keys of a dataset of several tables that must not repeat for its rows to belong to one unit each: every public
 * table's {@code key} (so that a join on it cannot multiply a private row), and every private column a child table
 * reaches its unit through ({@code unit_via}), the unit column itself excepted (several rows of one unit may share
 * it). Owns, for every backend (DuckDB when it loads the files, PostgreSQL and Spark when they open and before each
 * query), one rule: a dataset whose keys repeat is refused, by a count that never returns a value, with a message that
 * names tables and columns only.
 */
public final class UniqueKeys {
  /**
   * One key that must be unique.
   *
   * @param table the table that holds it
   * @param column its column
   * @param child for a {@code unit_via} target, a table that links through it; null for a public key
   */
  public record Key(String table, String column, String child) {
    /** The refusal for a dataset where this key repeats: tables and columns only, never a value. */
    public String refusal(String datasetName) {
      if (child == null) {
        return "the public table '" + table + "' of dataset '" + datasetName + "' has rows that share a value of its "
            + "key column '" + column + "'; a public table's key must be unique, so that a join on it cannot "
            + "multiply a private row. Fix the table, or declare a unique column as key";
      }
      return "the table '" + table + "' of dataset '" + datasetName + "' has rows that share a value of its column '"
          + column + "', which table '" + child + "' reaches its privacy unit through (unit_via); that key must be "
          + "unique, so that every row of '" + child + "' belongs to exactly one unit. Fix the table, or link "
          + "through a unique column";
    }
  }

  private UniqueKeys() {}

  /** The keys of {@code d} that must be unique, each once, in declaration order; none for a single table. */
  public static List<Key> of(Dataset d) {
    Map<String, Key> keys = new LinkedHashMap<>();
    if (!d.hasSeveralTables()) {
      return List.of();
    }
    for (TableSpec t : d.allTables()) {
      if (t.link() instanceof TableSpec.Link.Public p) {
        keys.putIfAbsent(id(t.name(), p.key()), new Key(t.name(), p.key(), null));
      }
    }
    for (TableSpec t : d.allTables()) {
      if (t.link() instanceof TableSpec.Link.Private p && !isUnitColumn(d, p.target())) {
        TableSpec target = d.tableSpec(p.target().table()).orElseThrow();
        String column = target.column(p.target().column()).orElseThrow().name();
        keys.putIfAbsent(id(target.name(), column), new Key(target.name(), column, t.name()));
      }
    }
    return List.copyOf(keys.values());
  }

  /**
   * One query whose single row holds, per key of {@code keys} in order, whether two non-NULL values repeat
   * ({@code COUNT(k) > COUNT(DISTINCT k)}: counts only, never a value); {@code quote} quotes an identifier in the
   * backend's SQL. Empty when there is no key.
   */
  public static String query(List<Key> keys, UnaryOperator<String> quote) {
    List<String> items = new ArrayList<>();
    for (Key k : keys) {
      String c = quote.apply(k.column());
      items.add("(SELECT COUNT(" + c + ") > COUNT(DISTINCT " + c + ") FROM " + quote.apply(k.table()) + ")");
    }
    return items.isEmpty() ? "" : "SELECT " + String.join(", ", items);
  }

  /**
   * Throws the refusal of the first key whose flag in {@code repeats} (the row of {@link #query}) is true.
   *
   * @throws BackendException when a key repeats
   */
  public static void refuseRepeats(String datasetName, List<Key> keys, Object[] repeats) {
    for (int i = 0; i < keys.size(); i++) {
      if (Boolean.TRUE.equals(repeats[i])) {
        throw new BackendException(keys.get(i).refusal(datasetName));
      }
    }
  }

  /**
   * Runs {@code sql} (a {@link #query} of {@code keys}, with whatever the backend puts before it) on {@code s} and
   * throws the refusal of the first key that repeats: the JDBC backends' shared reading of the one row of counts.
   *
   * @throws BackendException when a key repeats
   */
  public static void refuseRepeats(java.sql.Statement s, String sql, String datasetName, List<Key> keys)
      throws java.sql.SQLException {
    try (java.sql.ResultSet r = s.executeQuery(sql)) {
      r.next();
      Object[] repeats = new Object[keys.size()];
      for (int i = 0; i < repeats.length; i++) {
        repeats[i] = r.getBoolean(i + 1);
      }
      refuseRepeats(datasetName, keys, repeats);
    }
  }

  private static String id(String table, String column) {
    return table.toLowerCase(Locale.ROOT) + "." + column.toLowerCase(Locale.ROOT);
  }

  private static boolean isUnitColumn(Dataset d, ColumnRef ref) {
    return d.tableSpec(ref.table()).map(t -> t.link() instanceof TableSpec.Link.Unit).orElse(false)
        && d.unit() instanceof PrivacyUnit.ByColumn u
        && u.column().equalsIgnoreCase(ref.column());
  }
}
