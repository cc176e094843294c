package org.dpq.engine.tpch;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One of the seven TPC-H queries dpq answers with the customer as the privacy unit: its DP form
 * ({@code /tpch/qN.sql}) and the original ({@code /tpch/qN.original.sql}), test resources shipped in the engine
 * test-jar. Owns no privacy property: the analyzer decides what is accepted; this only names the texts.
 *
 * @param name {@code q1} .. {@code q14}
 * @param keys how many leading output columns are group keys (0 for a single row)
 * @param limit the LIMIT of the DP form, 0 when it has none: rows beyond the first ones are chosen from noisy values
 * @param sameQuestion true when the DP form asks exactly what the original asks (the same rows from the same data),
 *     false when it had to ask something else (the change is in the README table)
 */
public record TpchQuery(String name, int keys, int limit, boolean sameQuestion) {
  public static final TpchQuery Q1 = new TpchQuery("q1", 2, 0, true);
  public static final TpchQuery Q3 = new TpchQuery("q3", 2, 10, false);
  public static final TpchQuery Q5 = new TpchQuery("q5", 1, 0, true);
  public static final TpchQuery Q6 = new TpchQuery("q6", 0, 0, true);
  public static final TpchQuery Q10 = new TpchQuery("q10", 1, 20, false);
  public static final TpchQuery Q12 = new TpchQuery("q12", 1, 0, true);
  public static final TpchQuery Q14 = new TpchQuery("q14", 0, 0, true);

  /** The seven queries in TPC-H order. */
  public static final List<TpchQuery> ALL = List.of(Q1, Q3, Q5, Q6, Q10, Q12, Q14);

  /** The DP form without its comment lines. */
  public String sql() {
    return strip(TpchGenerator.resource(name + ".sql"));
  }

  /** The original TPC-H text (validation parameters) without its comment lines. */
  public String original() {
    return strip(TpchGenerator.resource(name + ".original.sql"));
  }

  /** The DP form without its LIMIT: every group the plain SQL has, to compare released values with. */
  public String sqlWithoutLimit() {
    return limit == 0 ? sql() : sql().replaceAll("(?is)\\s+limit\\s+\\d+\\s*$", "");
  }

  private static String strip(String text) {
    return text.lines().filter(l -> !l.strip().startsWith("--")).collect(Collectors.joining("\n")).strip();
  }

  @Override
  public String toString() {
    return name.toUpperCase(java.util.Locale.ROOT);
  }

  /**
   * Rows of non-private {@code sql} on {@code c}, keyed by their first {@code keys} columns as {@link #keyText}
   * joined with {@code |}, in the order returned; the other columns as doubles (NULL stays null).
   */
  public static Map<String, List<Double>> rowsByKey(Connection c, String sql, int keys) throws SQLException {
    Map<String, List<Double>> out = new LinkedHashMap<>();
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<String> key = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
          Object v = rs.getObject(i);
          if (i <= keys) {
            key.add(keyText(v));
          } else {
            values.add(v == null ? null : ((Number) v).doubleValue());
          }
        }
        out.put(String.join("|", key), values);
      }
    }
    return out;
  }

  /** A key as text; a midnight timestamp (DuckDB's date_trunc over a date) as its date. */
  public static String keyText(Object v) {
    String s = String.valueOf(v);
    return s.matches("\\d{4}-\\d{2}-\\d{2}[ T]00:00(:00(\\.0+)?)?") ? s.substring(0, 10) : s;
  }
}
