package org.dpq.engine.analysis;

import java.util.Optional;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.sql.SqlFunction;
import org.apache.calcite.sql.SqlFunctionCategory;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.type.OperandTypes;
import org.apache.calcite.sql.type.ReturnTypes;
import org.dpq.mechanisms.QuantileTree;

/**
 * One noisy quantity per group, with the per-unit bound that gives it its sensitivity (invariant 3).
 *
 * @param kind what is measured
 * @param argument the measured column as an expression over the scan row (an input ref); empty for
 *     {@link MeasurementKind#COUNT_ROWS} and {@link MeasurementKind#COUNT_UNITS}
 * @param lower row clamp lower bound (SUM kinds; 0 otherwise)
 * @param upper row clamp upper bound (SUM kinds; 0 otherwise)
 * @param center subtracted from each clamped value before summing or squaring (0 for plain SUM)
 * @param perUnitLower lower bound of one unit's contribution to one group: for counts 0; for sums
 *     {@code R*min(L-c, 0)}, since a unit with n values contributes min(n, R) times the mean of its clamped,
 *     centred values (its sum, scaled by R/n when n > R); the rewrite also clamps the contribution to it
 * @param perUnitUpper upper bound of one unit's contribution to one group: R for counts (a unit's count is capped
 *     at min(n, R)), 1 for distinct units, {@code R*max(U-c, 0)} for sums (and {@code R*max((L-c)^2, (U-c)^2)}
 *     for sums of squares)
 * @param l1 L1 sensitivity over all groups: G * max(|perUnitLower|, |perUnitUpper|), where G is the number of
 *     groups one unit can reach: min(max_groups_contributed, 1 without GROUP BY, the key domain's size when
 *     every key has a public domain), and 1 for {@code privacy_unit: row}
 * @param l2 L2 sensitivity over all groups: sqrt(G) * max(|perUnitLower|, |perUnitUpper|), same G
 * @param integral true when every value is an integer and is computed in BIGINT with integer noise: counts, and
 *     for {@code privacy_unit: row} sums of integer columns with center 0 (with units of several rows, a unit's
 *     sum may be scaled by R/n); every other sum is real-valued and computed exactly in whole steps of a
 *     power-of-two grid ({@code rewrite.SumGrid})
 * @param derivation for an expression argument, its derived interval {@code [lower, upper]} and the declared
 *     bounds it was derived from (shown by explain); empty for a plain column (its declared bounds)
 * @param tree for {@link MeasurementKind#QUANTILE_TREE}, the tree over {@code [lower, upper]}; {@code l1} and
 *     {@code l2} are then the whole tree's, {@code depth * G * R} and {@code sqrt(depth * G) * R}
 */
public record Measurement(MeasurementKind kind, Optional<RexNode> argument, double lower, double upper,
    double center, double perUnitLower, double perUnitUpper, double l1, double l2, boolean integral,
    Optional<String> derivation, Optional<QuantileTree.Shape> tree) {

  /** A measurement other than a quantile tree. */
  public Measurement(MeasurementKind kind, Optional<RexNode> argument, double lower, double upper, double center,
      double perUnitLower, double perUnitUpper, double l1, double l2, boolean integral, Optional<String> derivation) {
    this(kind, argument, lower, upper, center, perUnitLower, perUnitUpper, l1, l2, integral, derivation,
        Optional.empty());
  }

  /**
   * {@code DPQ_CLAMP(column, lower, upper)} inside an expression argument: the column's value clamped to its
   * declared bounds (with the NULL/NaN/infinity policy). The rewrite expands it; it never reaches a backend.
   */
  public static final SqlFunction CLAMP = new SqlFunction("DPQ_CLAMP", SqlKind.OTHER_FUNCTION, ReturnTypes.ARG0,
      null, OperandTypes.VARIADIC, SqlFunctionCategory.SYSTEM);
}
