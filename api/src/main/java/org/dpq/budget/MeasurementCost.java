package org.dpq.budget;

import java.util.Objects;
import org.dpq.mechanisms.PrivacyLoss;

/**
 * One measurement's share of a query's privacy loss, as recorded in the ledger. Owns the audit trail of how a
 * charge was split: every noisy value a query released is accounted to a named mechanism and its (epsilon, delta).
 *
 * @param name the measurement's name (e.g. {@code count(*)} or {@code partition selection})
 * @param mechanism the mechanism that used this share (e.g. {@code laplace}, {@code gaussian})
 * @param loss the share of the query's loss spent by this measurement
 */
public record MeasurementCost(String name, String mechanism, PrivacyLoss loss) {
  public MeasurementCost {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(mechanism, "mechanism");
    Objects.requireNonNull(loss, "loss");
  }
}
