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
 * @param inputClamps for a numeric expression key over bounded numeric columns, the same expression with each
 *     column it reads as a value clamped to its declared bounds ({@link Measurement#CLAMP} markers, expanded by the
 *     rewrite with the NULL/NaN/infinity policy). The rewrite evaluates this form on every backend, so the key's
 *     per-row cost and failure behaviour are bounded and data-independent (its range was derived and checked to
 *     fit its type, with no division by zero), and a domain derived from the bounds is exactly the set of values
 *     the key can take. Empty for a column key, and for keys over no bounded numeric column (CASE with literal
 *     results, dates, strings), which are evaluated as written.
 * @param joint the joint public domain this key is released through together with other keys ({@code key_domains:});
 *     then {@code column}'s public values are this key's values among the joint tuples, and only the tuples are
 *     released
 */
public record GroupKey(String name, RexNode expression, Column column, java.util.Optional<String> domainOrigin,
    java.util.Optional<RexNode> inputClamps, java.util.Optional<JointDomain> joint) {
  /** A key without a joint domain. */
  public GroupKey(String name, RexNode expression, Column column, java.util.Optional<String> domainOrigin,
      java.util.Optional<RexNode> inputClamps) {
    this(name, expression, column, domainOrigin, inputClamps, java.util.Optional.empty());
  }

  /** A key whose domain, if any, is the column's declared one. */
  public GroupKey(String name, RexNode expression, Column column) {
    this(name, expression, column, java.util.Optional.empty());
  }

  /** A key evaluated as written (no input clamps). */
  public GroupKey(String name, RexNode expression, Column column, java.util.Optional<String> domainOrigin) {
    this(name, expression, column, domainOrigin, java.util.Optional.empty());
  }

  /** This key, evaluated by the rewrite as {@code clamped}. */
  GroupKey withInputClamps(java.util.Optional<RexNode> clamped) {
    return new GroupKey(name, expression, column, domainOrigin, clamped, joint);
  }

  /** This key, released through {@code domain}, its own values being {@code values} (its part of the tuples). */
  GroupKey inJointDomain(JointDomain domain, java.util.List<String> values) {
    Column c = new Column(column.name(), column.type(), column.lower(), column.upper(),
        java.util.Optional.of(values), column.from(), column.nullable());
    return new GroupKey(name, expression, c, java.util.Optional.of("its part of " + domain.release()), inputClamps,
        java.util.Optional.of(domain));
  }

  /** The key as the backend evaluates it: {@link #inputClamps} when present, else {@link #expression}. */
  public RexNode evaluated() {
    return inputClamps.orElse(expression);
  }

  /** How this key's values are released, in words, for explain. */
  public String release() {
    if (joint.isPresent()) {
      return name + ": joint public domain " + joint.get().release();
    }
    if (column.publicValues().isEmpty()) {
      return name + ": partition selection (no public domain)";
    }
    int n = column.publicValues().get().size();
    return name + ": public domain of " + n + (n == 1 ? " key, " : " keys, ")
        + domainOrigin.orElse("declared in public_values");
  }
}
