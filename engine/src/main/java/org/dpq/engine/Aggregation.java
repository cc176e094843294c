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

  Aggregation(Dpq dpq, String function, String column) {
    this(dpq, function, column, Optional.empty(), List.of());
  }

  private Aggregation(Dpq dpq, String function, String column, Optional<String> where, List<String> groupBy) {
    this.dpq = dpq;
    this.function = function;
    this.column = column;
    this.where = where;
    this.groupBy = List.copyOf(groupBy);
  }

  /** Adds a SQL condition (the text of a WHERE clause, e.g. {@code "age >= 18"}). */
  public Aggregation where(String condition) {
    String combined = where.map(w -> "(" + w + ") AND (" + condition + ")").orElse(condition);
    return new Aggregation(dpq, function, column, Optional.of(combined), groupBy);
  }

  /** Groups by these columns (each needs a public domain, or partition selection applies). */
  public Aggregation groupBy(String... columns) {
    List<String> all = new ArrayList<>(groupBy);
    all.addAll(List.of(columns));
    return new Aggregation(dpq, function, column, where, all);
  }

  /** The SQL this helper runs. */
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
    return dpq.query(sql());
  }

  /** Answers with the given options. */
  public QueryResult run(QueryOptions options) {
    return dpq.query(sql(), options);
  }

  private static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }
}
