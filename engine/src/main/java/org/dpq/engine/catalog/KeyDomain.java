package org.dpq.engine.catalog;

import java.util.List;

/**
 * A joint public domain of several columns of one private table ({@code key_domains:}): the distinct tuples of
 * {@code publicColumns} in the public table {@code table} are the only combinations of {@code columns} a query
 * grouped by all of them releases. Owns the catalog half of that rule: the domain is named by the declaration and
 * read from a PUBLIC table only, never from private rows, so combinations that cannot occur are not released as
 * pure noise and none outside the public tuples is released at all.
 *
 * @param table the public table whose rows are the valid tuples (declared {@code public: true})
 * @param columns the private table's columns, in declaration order (at least two)
 * @param publicColumns the public table's column holding each of {@code columns}' values, in the same order
 */
public record KeyDomain(String table, List<String> columns, List<String> publicColumns) {
  public KeyDomain {
    java.util.Objects.requireNonNull(table, "table");
    columns = List.copyOf(columns);
    publicColumns = List.copyOf(publicColumns);
    if (columns.size() != publicColumns.size()) {
      throw new IllegalArgumentException("a key domain maps each column to one public column");
    }
  }
}
