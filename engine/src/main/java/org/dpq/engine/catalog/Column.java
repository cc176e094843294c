package org.dpq.engine.catalog;

import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One declared column. Owns the value bounds that clamp every row (invariant 3) and the public domain that
 * lets its values be released as group keys without partition selection (invariant 5).
 *
 * @param name SQL name as written in the YAML (case preserved)
 * @param type declared type
 * @param lower lower clamp bound, present only together with {@code upper}; for a {@link ColumnType#DATE} column
 *     the first declared date as its epoch day (days since 1970-01-01, {@link java.time.LocalDate#toEpochDay()}):
 *     a date is never summed, its bounds only give the public domains of date keys
 * @param upper upper clamp bound; for a date column the last declared date as its epoch day
 * @param publicValues the public domain as strings, empty when the column has none
 * @param from the source column that holds it, when its name there differs (a CSV header such as
 *     {@code Person ID}, or a 1-based position in a CSV without header); empty: the column of the same name
 * @param nullable false when the owner declares ({@code nullable: false}) that no row holds NULL (or NaN) here: then
 *     one row count per group serves every AVG and VAR of the column. An accuracy promise only: a NULL in a
 *     non-nullable column biases those averages towards the middle of the bounds, and no sensitivity depends on it
 *     ({@code dpq datasets validate} counts such cells)
 * @param autoBounds present when the owner declared {@code bounds: { auto: { epsilon: ... } }}: the bounds are
 *     estimated once with DP, charged and recorded in the ledger ({@link AutoBounds}); such a column has no
 *     declared bounds, and its estimated bounds clamp values but never serve as a public domain of keys
 */
public record Column(String name, ColumnType type, OptionalDouble lower, OptionalDouble upper,
    Optional<List<String>> publicValues, Optional<String> from, boolean nullable, Optional<AutoBounds> autoBounds) {

  public Column {
    publicValues = publicValues.map(List::copyOf);
    java.util.Objects.requireNonNull(autoBounds, "autoBounds");
  }

  /** A column without automatic bounds. */
  public Column(String name, ColumnType type, OptionalDouble lower, OptionalDouble upper,
      Optional<List<String>> publicValues, Optional<String> from, boolean nullable) {
    this(name, type, lower, upper, publicValues, from, nullable, Optional.empty());
  }

  /** A nullable column (the default). */
  public Column(String name, ColumnType type, OptionalDouble lower, OptionalDouble upper,
      Optional<List<String>> publicValues, Optional<String> from) {
    this(name, type, lower, upper, publicValues, from, true);
  }

  /** A column read from the source column of the same name. */
  public Column(String name, ColumnType type, OptionalDouble lower, OptionalDouble upper,
      Optional<List<String>> publicValues) {
    this(name, type, lower, upper, publicValues, Optional.empty());
  }

  /** This column clamped to estimated bounds (a column with {@code bounds: auto} once its estimate is recorded). */
  public Column withBounds(double newLower, double newUpper) {
    return new Column(name, type, OptionalDouble.of(newLower), OptionalDouble.of(newUpper), publicValues, from,
        nullable, autoBounds);
  }

  /** True when the column's bounds are estimated with DP rather than declared ({@code bounds: auto}). */
  public boolean hasAutoBounds() {
    return autoBounds.isPresent();
  }

  /** True when the column has both bounds (and so may be summed, averaged, ...). */
  public boolean isBounded() {
    return lower.isPresent() && upper.isPresent();
  }

  /**
   * The declared dates of a bounded date column.
   *
   * @param first the lower bound
   * @param last the upper bound (on or after {@code first})
   */
  public record DateRange(java.time.LocalDate first, java.time.LocalDate last) {}

  /** The declared dates of a bounded {@link ColumnType#DATE} column; empty for any other column. */
  public Optional<DateRange> dateBounds() {
    if (type != ColumnType.DATE || !isBounded()) {
      return Optional.empty();
    }
    return Optional.of(new DateRange(java.time.LocalDate.ofEpochDay((long) lower.getAsDouble()),
        java.time.LocalDate.ofEpochDay((long) upper.getAsDouble())));
  }

  /** True when the column has a public domain. */
  public boolean hasPublicDomain() {
    return publicValues.isPresent();
  }
}
