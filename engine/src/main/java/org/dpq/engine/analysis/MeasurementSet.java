package org.dpq.engine.analysis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.calcite.rex.RexNode;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.PrivacyUnit;
import org.dpq.mechanisms.QuantileTree;

/**
 * The measurements of one query, deduplicated (AVG(x) and COUNT(x) share one count of x's values; AVG(x)
 * and VAR_POP(x) share one centred sum; the analyzer lets AVG and VAR of a {@code nullable: false} column divide by
 * the shared row count, and derives SUM(x) from AVG's centred sum and count rather than measuring it), each with the per-unit clamp and the sensitivities that follow from
 * the dataset's contribution bounds. Owns invariant 3's arithmetic: a unit's aggregate within one group lies in
 * {@code [perUnitLower, perUnitUpper]} (counts capped at R; sums are min(n, R) times the unit's mean of n
 * clamped values), and a unit touches at most G groups, so L1 = G * max|bound| and
 * L2 = sqrt(G) * max|bound|. With a total cap C ({@code max_rows_per_unit}) smaller than G*R, a unit keeps at
 * most C rows over all its groups: counts and sums then have L1 = min(G*R, C) * b and
 * L2 = b * sqrt(q*R^2 + s^2) (q = floor(M/R), s = M - q*R, M = min(G*R, C)) for the per-row bound b, and
 * COUNT(DISTINCT unit) reaches at most min(G, C) groups. COUNT(DISTINCT value) and quantile trees keep their G*R
 * bounds: their queries do not apply the total cap.
 *
 * <p>G here is the number of groups one unit can reach, which is never more than the dataset's
 * {@code max_groups_contributed}: 1 without GROUP BY (one output row), and at most the size of the key domain
 * when every key has a public domain (the rewrite drops rows outside it). For {@code privacy_unit: row} the
 * unit is one row, which lies in exactly one group and contributes one row to it, so R = 1 and G = 1 whatever
 * the dataset declares. All three are exact, tighter bounds.
 *
 * <p>Not thread-safe; one instance per analysed query.
 */
final class MeasurementSet {
  private record Key(MeasurementKind kind, String argument, double center) {}

  private final Map<Key, Integer> index = new LinkedHashMap<>();
  private final List<Measurement> measurements = new ArrayList<>();
  private final double rows;
  private final double groups;
  private final boolean rowUnit;
  /** C, the total cap on a unit's rows over all groups; empty when absent or for {@code privacy_unit: row}. */
  private final java.util.OptionalInt cap;

  /**
   * @param reachableGroups how many groups one unit's rows can fall in, whatever G says (1 without GROUP BY,
   *     the key domain's size with public domains, {@link Long#MAX_VALUE} when unknown)
   */
  MeasurementSet(Dataset dataset, long reachableGroups) {
    if (dataset.maxRowsPerGroup() < 1 || dataset.maxGroupsContributed() < 1 || reachableGroups < 1) {
      throw new IllegalArgumentException("max_rows_per_group and max_groups_contributed must be >= 1");
    }
    this.rowUnit = dataset.unit() instanceof PrivacyUnit.Row;
    this.rows = rowUnit ? 1 : dataset.maxRowsPerGroup();
    this.groups = rowUnit ? 1 : Math.min(dataset.maxGroupsContributed(), reachableGroups);
    this.cap = rowUnit ? java.util.OptionalInt.empty() : dataset.maxRowsPerUnit();
  }

  /**
   * The most rows' worth one unit contributes over all groups: M = min(G*r, C) for at most r rows' worth per group
   * (r = R for counts and sums, r = 1 for COUNT(DISTINCT unit)), G*r without a cap.
   */
  static double totalRows(double groups, double perGroup, java.util.OptionalInt cap) {
    double uncapped = groups * perGroup;
    return cap.isPresent() ? Math.min(uncapped, cap.getAsInt()) : uncapped;
  }

  /**
   * The largest L2 norm of a unit's per-group row counts k_g with 0 <= k_g <= r (r = perGroup), sum k_g <= M
   * ({@link #totalRows}), at most G groups: sqrt(q*r^2 + s^2) with q = floor(M/r) and s = M - q*r. The squared norm
   * is convex, so its maximum over that polytope lies at a vertex: r rows in as many groups as possible and the
   * remainder in one more (q + 1 <= G, since M <= G*r). Without a binding cap this is sqrt(G)*r.
   */
  static double l2Rows(double groups, double perGroup, java.util.OptionalInt cap) {
    double m = totalRows(groups, perGroup, cap);
    double q = Math.floor(m / perGroup);
    double s = m - q * perGroup;
    return Math.sqrt(q * perGroup * perGroup + s * s);
  }

  /** True when the total cap C is tighter than G*r for this measurement. */
  private boolean capBinds(double perGroup) {
    return cap.isPresent() && cap.getAsInt() < groups * perGroup;
  }

  /** COUNT(*): rows per group, a unit's count capped at R. */
  int countRows() {
    return add(new Key(MeasurementKind.COUNT_ROWS, "", 0), () -> measurement(MeasurementKind.COUNT_ROWS,
        Optional.empty(), 0, 0, 0, 0, rows, true, Optional.empty()));
  }

  /** COUNT(expr): non-NULL, non-NaN values of a column or row expression, a unit's count capped at R. */
  int countValues(RexNode argument, Optional<String> text) {
    return add(new Key(MeasurementKind.COUNT_VALUES, argument.toString(), 0), () -> measurement(
        MeasurementKind.COUNT_VALUES, Optional.of(argument), 0, 0, 0, 0, rows, true, text));
  }

  /**
   * COUNT(DISTINCT expr) of a column or row expression other than the unit: the rewrite keeps at most R distinct
   * values per unit and group (chosen by the unit's own rows only) in at most G groups, so adding or removing a
   * unit moves each group's distinct count by at most R (the unit's own values, counted once whatever other
   * units share them): per-unit bound [0, R], L1 = G*R, L2 = sqrt(G)*R (for {@code privacy_unit: row}, 1).
   */
  int countDistinct(RexNode argument, Optional<String> text) {
    return add(new Key(MeasurementKind.COUNT_DISTINCT_VALUES, argument.toString(), 0), () -> measurement(
        MeasurementKind.COUNT_DISTINCT_VALUES, Optional.of(argument), 0, 0, 0, 0, rows, true, text, 0));
  }

  /** COUNT(DISTINCT unit): 1 per unit per group. */
  int countUnits() {
    return add(new Key(MeasurementKind.COUNT_UNITS, "", 0), () -> measurement(MeasurementKind.COUNT_UNITS,
        Optional.empty(), 0, 0, 0, 0, 1, true, Optional.empty(), 1));
  }

  /**
   * Largest per-unit bound for which a sum is computed in BIGINT: with at most 2^32 units the total stays
   * below 2^63, so the backend never overflows (an overflow error would depend on the data). Larger bounds are
   * summed in DOUBLE.
   */
  static final double MAX_INTEGRAL_PER_UNIT = 0x1p31;

  /**
   * Sum of clamped values minus {@code center}. A unit with n values in a group contributes min(n, R) times the
   * mean of its values, each in {@code [L-c, U-c]}, so its contribution lies in
   * {@code [R*min(L-c, 0), R*max(U-c, 0)]}: that range holds every honest contribution (also when L > 0) and has
   * the bound {@code R*max(|L-c|, |U-c|)}.
   *
   * <p>The measurement is integral (computed in BIGINT, integer noise) only for {@code privacy_unit: row}, where
   * a unit has one row and contributes its value itself; otherwise a unit with more than R values contributes a
   * fraction of its sum, computed in DOUBLE.
   */
  int sum(ValueBound value, double center) {
    boolean integral = rowUnit && center == 0 && integerSum(value);
    return add(new Key(MeasurementKind.SUM, value.argument().toString(), center), () -> measurement(
        MeasurementKind.SUM, Optional.of(value.argument()), value.lower(), value.upper(), center,
        rows * Math.min(value.lower() - center, 0), rows * Math.max(value.upper() - center, 0), integral,
        value.derivation()));
  }

  /**
   * True when SUM of the value is released as an integer: integer values with integer bounds whose per-unit bound
   * fits the BIGINT range argument of {@link #MAX_INTEGRAL_PER_UNIT}. Rounding a noisy sum is post-processing.
   */
  boolean integerSum(ValueBound value) {
    return value.integer() && value.lower() == Math.rint(value.lower()) && value.upper() == Math.rint(value.upper())
        && rows * Math.max(Math.abs(value.lower()), Math.abs(value.upper())) <= MAX_INTEGRAL_PER_UNIT;
  }

  /**
   * For {@code AVG_PER_UNIT}: the sum over units of each unit's mean of its clamped values, centred. A unit with
   * n >= 1 values in a group contributes one value in {@code [L-c, U-c]} whatever n is (SUM's rule with one row's
   * worth per group), so its per-unit bounds are {@code [min(L-c, 0), max(U-c, 0)]}: with c the midpoint, half
   * the range, where SUM and AVG have R times that. A unit touches at most G groups (at most C with the total
   * cap C, which keeps at most C rows and so reaches at most C groups): L1 = min(G, C) * b, L2 = sqrt(min(G, C)) * b.
   * The rewrite clamps each unit's mean to these bounds after rounding to its grid, so no rounding slack is needed.
   */
  int unitMeans(ValueBound value, double center) {
    return add(new Key(MeasurementKind.UNIT_MEANS, value.argument().toString(), center), () -> measurement(
        MeasurementKind.UNIT_MEANS, Optional.of(value.argument()), value.lower(), value.upper(), center,
        Math.min(value.lower() - center, 0), Math.max(value.upper() - center, 0), false, value.derivation(), 1));
  }

  /**
   * For {@code AVG_PER_UNIT}: the units with at least one non-NULL, non-NaN value in a group, each adding 0 or 1:
   * per-unit bound [0, 1], in at most min(G, C) groups (COUNT(DISTINCT unit)'s sensitivity).
   */
  int unitsWithValues(ValueBound value) {
    return add(new Key(MeasurementKind.UNITS_WITH_VALUES, value.argument().toString(), 0), () -> measurement(
        MeasurementKind.UNITS_WITH_VALUES, Optional.of(value.argument()), 0, 0, 0, 0, 1, true, value.derivation(),
        1));
  }

  /**
   * Sum of squared clamped, centred values: a unit with n values contributes min(n, R) times the mean of its
   * squares, which lies in {@code [0, R*max((L-c)^2, (U-c)^2)]}.
   */
  int sumSquares(ValueBound value, double center) {
    double lower = value.lower();
    double upper = value.upper();
    double square = Math.max((lower - center) * (lower - center), (upper - center) * (upper - center));
    return add(new Key(MeasurementKind.SUM_SQUARES, value.argument().toString(), center), () -> measurement(
        MeasurementKind.SUM_SQUARES, Optional.of(value.argument()), lower, upper, center, 0, rows * square, false,
        value.derivation()));
  }

  /**
   * The leaf counts of a quantile tree over the value's clamped range ({@code QuantileTree}): a unit adds at most R
   * values to a group's leaves (its weights sum to at most R), in at most G groups, so each tree level moves by at
   * most G*R in L1 and sqrt(G)*R in L2, and the whole tree of depth d by d*G*R and sqrt(d*G)*R. MIN, MAX, MEDIAN and
   * every percentile of one argument share one tree.
   */
  int quantileTree(ValueBound value) {
    return add(new Key(MeasurementKind.QUANTILE_TREE, value.argument().toString(), 0), () -> {
      QuantileTree.Shape shape = QuantileTree.Shape.of(value.lower(), value.upper(), value.integer());
      return new Measurement(MeasurementKind.QUANTILE_TREE, Optional.of(value.argument()), value.lower(),
          value.upper(), 0, 0, rows, QuantileTree.l1Sensitivity(shape.depth(), groups, rows),
          QuantileTree.l2Sensitivity(shape.depth(), groups, rows), true, value.derivation(), Optional.of(shape));
    });
  }

  List<Measurement> measurements() {
    return List.copyOf(measurements);
  }

  private Measurement measurement(MeasurementKind kind, Optional<RexNode> argument, double lower, double upper,
      double center, double perUnitLower, double perUnitUpper, boolean integral, Optional<String> derivation) {
    return measurement(kind, argument, lower, upper, center, perUnitLower, perUnitUpper, integral, derivation, rows);
  }

  /**
   * A measurement whose per-unit value in one group is at most {@code perGroup} rows' worth (its per-unit bound
   * divided by perGroup per row); {@code perGroup = 0}: the total cap does not apply (its query does not cap rows).
   * With a binding cap C, a unit with k_g rows kept in group g moves it by at most k_g per-row bounds, and
   * sum k_g <= C: L1 = M * b and L2 = b * {@link #l2Rows} for the per-row bound b and M = min(G*r, C). Real sums
   * are rounded to their grid per row (half a step, at most 2^-41 * R of b: {@code SumGrid}), so for sums b is
   * raised by that much; the per-group clamp still bounds each group by the per-unit bound.
   */
  private Measurement measurement(MeasurementKind kind, Optional<RexNode> argument, double lower, double upper,
      double center, double perUnitLower, double perUnitUpper, boolean integral, Optional<String> derivation,
      double perGroup) {
    double bound = Math.max(Math.abs(perUnitLower), Math.abs(perUnitUpper));
    if (perGroup > 0 && capBinds(perGroup)) {
      boolean sum = kind == MeasurementKind.SUM || kind == MeasurementKind.SUM_SQUARES;
      double perRow = bound / perGroup * (sum && !integral ? 1 + perGroup * 0x1p-41 : 1);
      return new Measurement(kind, argument, lower, upper, center, perUnitLower, perUnitUpper,
          totalRows(groups, perGroup, cap) * perRow, l2Rows(groups, perGroup, cap) * perRow, integral, derivation);
    }
    return new Measurement(kind, argument, lower, upper, center, perUnitLower, perUnitUpper, groups * bound,
        Math.sqrt(groups) * bound, integral, derivation);
  }

  private int add(Key key, java.util.function.Supplier<Measurement> create) {
    return index.computeIfAbsent(key, k -> {
      measurements.add(create.get());
      return measurements.size() - 1;
    });
  }
}
