package org.dpq.engine.analysis;

import org.apache.calcite.rex.RexNode;
import org.dpq.engine.catalog.Column;

/**
 * One grouping column. Its values are released only through its public domain or partition selection
 * (invariant 5).
 *
 * @param name output name
 * @param expression the key as an expression over the scan row (an input ref to {@code column})
 * @param column the declared column
 */
public record GroupKey(String name, RexNode expression, Column column) {}
