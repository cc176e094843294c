package org.dpq.engine.analysis;

/**
 * A user-visible aggregate and how release derives it from noisy measurements (indices into
 * {@link DpPlan#measurements()}). Post-processing of noisy values only, so it costs no extra privacy.
 */
public sealed interface AggregateSpec {
  /** The SQL output name of this aggregate (alias or generated). */
  String name();

  /** COUNT(*), COUNT(col) or COUNT(DISTINCT col): the noisy count, released as a non-negative integer. */
  record Count(String name, int count) implements AggregateSpec {}

  /** COUNT(DISTINCT unit): the noisy number of units. */
  record CountUnits(String name, int units) implements AggregateSpec {}

  /** SUM(col): the noisy sum of clamped values, rounded to an integer when {@code integral}. */
  record Sum(String name, int sum, boolean integral) implements AggregateSpec {}

  /**
   * SUM(col) derived, not measured, when the query also asks AVG or VAR of the same value: SUM = centred sum +
   * {@code centre} * count, from the centred sum and the count those already measure (noise-free, the same value the
   * SUM measurement would have: a unit adds min(n, R) times the mean of its clamped values to both). Post-processing,
   * so no budget share of its own; its noise variance, Var(centred) + centre^2 Var(count), is at most a measured
   * SUM's at the same share, since ((U-L)/2)^2 + ((U+L)/2)^2 <= max(|L|, |U|)^2. Released like a SUM: rounded when
   * {@code integral}, clamped at zero when {@code nonNegative} (the lower bound is at least 0).
   */
  record DerivedSum(String name, int centredSum, int count, double centre, boolean integral, boolean nonNegative)
      implements AggregateSpec {}

  /**
   * AVG(col) = mid + noisy centred sum / noisy count, clamped to [lower, upper]. Also AVG_PER_UNIT(col), whose
   * centred sum adds one mean per unit ({@link MeasurementKind#UNIT_MEANS}) and whose count counts units
   * ({@link MeasurementKind#UNITS_WITH_VALUES}).
   */
  record Mean(String name, int centredSum, int count, double lower, double upper) implements AggregateSpec {}

  /**
   * VAR_POP(col), or its square root when {@code stddev}: from noisy centred sums of squares, centred sums
   * and counts, clamped to [0, ((upper-lower)/2)^2].
   */
  record Variance(String name, int centredSquares, int centredSum, int count, double lower, double upper,
      boolean stddev) implements AggregateSpec {}

  /**
   * An order statistic read from the noisy quantile tree {@code tree}: the {@code fraction}-quantile (MEDIAN is 0.5),
   * or for {@code extreme} MIN or MAX the near-extreme estimate of {@code QuantileTree.Noisy#extreme}. Released
   * within the tree's bounds, rounded to an integer when {@code integral} (PERCENTILE_DISC, MIN and MAX of an integer
   * column keep the column's type).
   */
  record Quantile(String name, int tree, double fraction, Extreme extreme, boolean integral) implements AggregateSpec {}

  /** Which end a MIN or MAX estimates; NONE for a percentile. */
  enum Extreme { NONE, MIN, MAX }
}
