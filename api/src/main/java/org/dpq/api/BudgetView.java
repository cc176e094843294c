package org.dpq.api;

import java.util.List;
import java.util.Objects;
import org.dpq.budget.Allocation;
import org.dpq.budget.LedgerStatus;

/**
 * The part of a dataset's budget a caller may see. Owns the visibility half of invariant 8: an analyst's view
 * holds only their own allocation and, as {@code status}, that allocation's total, spend and remainder; an
 * officer's (or the embedded CLI's) view holds the dataset's status and every allocation.
 *
 * @param status the dataset's status (officer, embedded), or the analyst's allocation as a status (analyst)
 * @param allocations the allocations visible to the caller (an analyst: at most their own)
 */
public record BudgetView(LedgerStatus status, List<Allocation> allocations) {
  public BudgetView {
    Objects.requireNonNull(status, "status");
    allocations = List.copyOf(allocations);
  }
}
