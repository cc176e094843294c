package org.dpq.budget;

/**
 * The kinds of ledger entries. Owns the ledger's vocabulary: only CHARGE entries spend budget, only RAISE
 * entries (after the INIT entry) change the total, RELEASE/ABANDON close a charge without refunding it, and
 * ALLOCATE sets one analyst's share without changing the dataset's spend or total.
 */
public enum EntryKind {
  /** The dataset's first entry: its initial total budget. */
  INIT,
  /** A query paid for, durably, before its data was read. */
  CHARGE,
  /** The result released for a CHARGE (stored so an identical query is answered again at no cost). */
  RELEASE,
  /** A CHARGE whose query failed after it was paid for: no result, no refund. */
  ABANDON,
  /** An administrative raise of the dataset's total budget. */
  RAISE,
  /** An administrative change of one analyst's allocation (their lifetime share of the dataset's budget). */
  ALLOCATE
}
