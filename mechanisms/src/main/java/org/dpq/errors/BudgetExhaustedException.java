package org.dpq.errors;

import java.util.Objects;
import java.util.Set;
import org.dpq.mechanisms.PrivacyLoss;

/**
 * A request larger than what remains of the dataset's budget; nothing was charged and no data may be read.
 * Owns the refusal once the budget is spent; the message states requested, remaining and the difference. A
 * sibling of {@link LedgerException}, not a kind of it: the ledger worked and said no.
 */
public final class BudgetExhaustedException extends DpqException {
  private static final long serialVersionUID = 1L;

  private final transient PrivacyLoss requested;
  private final transient PrivacyLoss remaining;

  public BudgetExhaustedException(String datasetId, PrivacyLoss requested, PrivacyLoss remaining) {
    this(requested, remaining, "privacy budget of dataset '" + datasetId + "' is exhausted: requested " + requested
        + ", remaining " + remaining + ", short by " + shortfall(requested, remaining)
        + "; ask for a smaller epsilon/delta, or have the data owner raise the dataset's total (dpq budget raise)");
  }

  private BudgetExhaustedException(PrivacyLoss requested, PrivacyLoss remaining, String message) {
    super(message, Set.of(QueryParameter.EPSILON, QueryParameter.DELTA), null);
    this.requested = Objects.requireNonNull(requested, "requested");
    this.remaining = Objects.requireNonNull(remaining, "remaining");
  }

  /**
   * A served dataset still has budget, but the analyst's allocation (their share of it) does not cover the
   * request. The fix is an officer's: raise the analyst's allocation, which the message spells out.
   */
  public static BudgetExhaustedException ofAllocation(String datasetId, String analyst, PrivacyLoss requested,
      PrivacyLoss remaining) {
    return new BudgetExhaustedException(requested, remaining, "the allocation of analyst '" + analyst + "' on dataset '" + datasetId
        + "' is exhausted: requested " + requested + ", remaining " + remaining + ", short by "
        + shortfall(requested, remaining) + "; ask for a smaller epsilon/delta, or ask a privacy officer of the "
        + "server to raise your allocation: dpq budget allocate --server URL --dataset " + datasetId + " --analyst "
        + analyst + " --epsilon NEW_TOTAL --reason WHY");
  }

  /** The loss that was asked for. */
  public PrivacyLoss requested() {
    return requested;
  }

  /** What remained of the budget when the request was refused. */
  public PrivacyLoss remaining() {
    return remaining;
  }

  /** How much is missing, per coordinate (zero in a coordinate that would have fitted). */
  public PrivacyLoss shortfall() {
    return shortfall(requested, remaining);
  }

  private static PrivacyLoss shortfall(PrivacyLoss requested, PrivacyLoss remaining) {
    return new PrivacyLoss(
        requested.epsilon().subtract(remaining.epsilon()).max(java.math.BigDecimal.ZERO),
        requested.delta().subtract(remaining.delta()).max(java.math.BigDecimal.ZERO));
  }
}
