package org.dpq.engine;

import java.math.BigDecimal;
import java.util.Objects;
import java.util.Optional;
import org.dpq.mechanisms.MechanismChoice;

/**
 * What an analyst may choose per query: the privacy loss to spend, the mechanism and who is asking. There is
 * deliberately no seed and no way to switch noise off (invariant 1).
 *
 * @param epsilon epsilon to spend; the dataset's default when empty
 * @param delta delta to spend; the dataset's default when empty
 * @param mechanism Laplace, Gaussian or the one with the smaller variance
 * @param analyst recorded in the ledger
 * @param weights how much each aggregate's relative error counts when epsilon is split over the query's
 *     measurements, by the aggregate's alias or output name (1 when absent); never changes the total spent
 */
public record QueryOptions(Optional<BigDecimal> epsilon, Optional<BigDecimal> delta, MechanismChoice mechanism,
    String analyst, java.util.Map<String, Double> weights) {

  public QueryOptions {
    Objects.requireNonNull(epsilon, "epsilon");
    Objects.requireNonNull(delta, "delta");
    Objects.requireNonNull(mechanism, "mechanism");
    Objects.requireNonNull(analyst, "analyst");
    weights = java.util.Map.copyOf(Objects.requireNonNull(weights, "weights"));
  }

  /** Options without weights (every aggregate's relative error counts the same). */
  public QueryOptions(Optional<BigDecimal> epsilon, Optional<BigDecimal> delta, MechanismChoice mechanism,
      String analyst) {
    this(epsilon, delta, mechanism, analyst, java.util.Map.of());
  }

  /** These options with the given aggregate weights for the epsilon split. */
  public QueryOptions withWeights(java.util.Map<String, Double> value) {
    return new QueryOptions(epsilon, delta, mechanism, analyst, value);
  }

  /** Dataset defaults, automatic mechanism, analyst from the {@code user.name} system property. */
  public static QueryOptions defaults() {
    return new QueryOptions(Optional.empty(), Optional.empty(), MechanismChoice.AUTO,
        System.getProperty("user.name", "unknown"));
  }

  public QueryOptions withEpsilon(BigDecimal value) {
    return new QueryOptions(Optional.of(value), delta, mechanism, analyst, weights);
  }

  public QueryOptions withEpsilon(String value) {
    return withEpsilon(new BigDecimal(value));
  }

  public QueryOptions withDelta(BigDecimal value) {
    return new QueryOptions(epsilon, Optional.of(value), mechanism, analyst, weights);
  }

  public QueryOptions withDelta(String value) {
    return withDelta(new BigDecimal(value));
  }

  public QueryOptions withMechanism(MechanismChoice value) {
    return new QueryOptions(epsilon, delta, value, analyst, weights);
  }

  public QueryOptions withAnalyst(String value) {
    return new QueryOptions(epsilon, delta, mechanism, value, weights);
  }
}
