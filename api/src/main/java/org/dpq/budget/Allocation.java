package org.dpq.budget;

import java.math.BigDecimal;
import java.util.Objects;
import org.dpq.mechanisms.PrivacyLoss;

/**
 * One analyst's share of a dataset's budget, as the ledger records it. Owns the per-analyst half of invariant 8:
 * a charge made through {@link Ledger#chargeWithinAllocation} must fit {@link #remaining()} as well as what
 * remains of the dataset, in the same transaction.
 *
 * @param analyst the principal the share belongs to
 * @param allocated the analyst's lifetime share (set by the latest ALLOCATE entry; zero when revoked)
 * @param spent the exact sum of every CHARGE the analyst made on the dataset
 * @param remaining what the analyst may still spend: {@code allocated - spent} per coordinate, never below zero
 *     (an allocation lowered below what was already spent leaves nothing)
 */
public record Allocation(String analyst, PrivacyLoss allocated, PrivacyLoss spent, PrivacyLoss remaining) {
  public Allocation {
    Objects.requireNonNull(analyst, "analyst");
    Objects.requireNonNull(allocated, "allocated");
    Objects.requireNonNull(spent, "spent");
    Objects.requireNonNull(remaining, "remaining");
  }

  /** The allocation with its remainder computed from the share and the spend. */
  public static Allocation of(String analyst, PrivacyLoss allocated, PrivacyLoss spent) {
    return new Allocation(analyst, allocated, spent, new PrivacyLoss(
        allocated.epsilon().subtract(spent.epsilon()).max(BigDecimal.ZERO),
        allocated.delta().subtract(spent.delta()).max(BigDecimal.ZERO)));
  }
}
