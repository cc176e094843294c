package org.dpq.engine.catalog;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * A column's {@code bounds: { auto: { epsilon: E } }}: its clamp bounds are estimated once per dataset fingerprint
 * with the epsilon-DP {@link org.dpq.mechanisms.ApproxBounds} estimator, paid for with {@code epsilon} out of the
 * dataset's budget in its own ledger charge before any data is read, recorded in the ledger, and reused by every
 * later query. Owns the size of that one charge.
 *
 * @param epsilon the share of the dataset's budget the one estimate spends (pure DP, delta 0)
 */
public record AutoBounds(BigDecimal epsilon) {
  public AutoBounds {
    Objects.requireNonNull(epsilon, "epsilon");
    if (epsilon.signum() <= 0) {
      throw new IllegalArgumentException("the epsilon of automatic bounds must be > 0");
    }
  }
}
