package org.dpq.engine.catalog;

/**
 * A column of one table of a dataset ({@code customers.customer_id}), as a {@code unit_via} target names it.
 * Owns no privacy property: {@link TableSpec.Link.Private} does.
 *
 * @param table the table's SQL name as declared
 * @param column the column's name as declared in that table
 */
public record ColumnRef(String table, String column) {
  public ColumnRef {
    java.util.Objects.requireNonNull(table, "table");
    java.util.Objects.requireNonNull(column, "column");
  }

  @Override
  public String toString() {
    return table + "." + column;
  }
}
