package org.dpq.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A helper that writes the SQL of a common aggregate ({@code COUNT(*)}, {@code SUM}, {@code AVG},
 * {@code VAR_POP}), optionally filtered and grouped, and answers it through {@link Dpq#query}; it has exactly
 * the guarantees of the SQL it writes. Immutable: each step returns a new helper.
 */
public final class Aggregation {
  private final Dpq dpq;
  private final String function;
  private final String column;
  private final Optional<String> where;
  private final List<String> groupBy;
  private final List<Object> parameters;

  Aggregation(Dpq dpq, String function, String column) {
    this(dpq, function, column, Optional.empty(), List.of(), List.of());
  }

  private Aggregation(Dpq dpq, String function, String column, Optional<String> where, List<String> groupBy,
      List<Object> parameters) {
    this.dpq = dpq;
    this.function = function;
    this.column = column;
    this.where = where;
    this.groupBy = List.copyOf(groupBy);
    this.parameters = java.util.Collections.unmodifiableList(new ArrayList<>(parameters)); // a null is refused when bound
  }

  /**
   * Adds a SQL condition (the text of a WHERE clause), with its {@code ?} parameters bound in order, e.g.
   * {@code where("age >= ? AND sex = ?", 18, "1")}; conditions added by several calls are joined with AND.
   */
  public Aggregation where(String condition, Object... conditionParameters) {
    String combined = where.map(w -> "(" + w + ") AND (" + condition + ")").orElse(condition);
    List<Object> all = new ArrayList<>(parameters);
    all.addAll(java.util.Arrays.asList(conditionParameters));
    return new Aggregation(dpq, function, column, Optional.of(combined), groupBy, all);
  }

  /** Groups by these columns (each needs a public domain, or partition selection applies). */
  public Aggregation groupBy(String... columns) {
    List<String> all = new ArrayList<>(groupBy);
    all.addAll(List.of(columns));
    return new Aggregation(dpq, function, column, where, all, parameters);
  }

  /** The SQL this helper runs, with {@code ?} where parameters are bound. */
  public String sql() {
    String table = quote(dpq.dataset().table());
    String argument = column == null ? "*" : quote(column);
    String name = column == null ? "count" : function.toLowerCase(java.util.Locale.ROOT) + "_" + column;
    StringBuilder sql = new StringBuilder("SELECT ");
    for (String g : groupBy) {
      sql.append(quote(g)).append(", ");
    }
    sql.append(function).append('(').append(argument).append(") AS ").append(quote(name));
    sql.append(" FROM ").append(table);
    where.ifPresent(w -> sql.append(" WHERE ").append(w));
    if (!groupBy.isEmpty()) {
      sql.append(" GROUP BY ").append(String.join(", ", groupBy.stream().map(Aggregation::quote).toList()));
    }
    return sql.toString();
  }

  /** Answers with the dataset's default loss. */
  public QueryResult run() {
    return run(QueryOptions.defaults());
  }

  /** Answers with the given options. */
  public QueryResult run(QueryOptions options) {
    return dpq.query(sql(), options, parameters.toArray());
  }

  private static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }
}
