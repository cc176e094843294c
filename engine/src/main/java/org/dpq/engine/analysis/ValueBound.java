package org.dpq.engine.analysis;

import java.util.Optional;
import org.apache.calcite.rex.RexNode;

/**
 * The value an aggregate adds up and the interval every row's value is clamped to (invariant 3): a declared
 * column with its declared bounds, or an expression with the bounds {@link ExpressionBounds} derived.
 *
 * @param argument the column reference, or the expression with its bounded columns marked for clamping
 * @param lower the per-row clamp's lower end
 * @param upper the per-row clamp's upper end
 * @param integer true when every value is an integer (so a sum of them may be computed exactly in BIGINT)
 * @param derivation for an expression, the derived interval and the declared bounds it rests on
 */
record ValueBound(RexNode argument, double lower, double upper, boolean integer, Optional<String> derivation) {}
