package org.dpq.engine.analysis;

import org.apache.calcite.rex.RexNode;
import org.dpq.engine.catalog.Column;

/**
 * One grouping column. Its values are released only through its public domain or partition selection
 * (invariant 5).
 *
 * @param name output name
 * @param expression the key as an expression over the scan row (an input ref to {@code column})
 * @param column the declared column (for an expression, a column standing for it, with its derived public domain)
 * @param domainOrigin where a public domain dpq derived came from, in words (e.g. "the months within d's declared
 *     bounds [2020-01-01, 2024-12-31]"); empty for a declared domain or none
 */
public record GroupKey(String name, RexNode expression, Column column, java.util.Optional<String> domainOrigin) {
  /** A key whose domain, if any, is the column's declared one. */
  public GroupKey(String name, RexNode expression, Column column) {
    this(name, expression, column, java.util.Optional.empty());
  }

  /** How this key's values are released, in words, for explain. */
  public String release() {
    if (column.publicValues().isEmpty()) {
      return name + ": partition selection (no public domain)";
    }
    int n = column.publicValues().get().size();
    return name + ": public domain of " + n + (n == 1 ? " key, " : " keys, ")
        + domainOrigin.orElse("declared in public_values");
  }
}
