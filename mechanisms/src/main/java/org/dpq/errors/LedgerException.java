package org.dpq.errors;

import java.util.Set;

/**
 * The ledger cannot be trusted or used, so nothing is charged and no data may be read. Owns failing closed:
 * a missing, unreadable or corrupt ledger, an uninitialised dataset or a broken hash chain refuses every query.
 * Messages name the problem and the fix, and never contain a released result. An exhausted budget is not a
 * ledger failure: it is the sibling {@link BudgetExhaustedException}.
 */
public final class LedgerException extends DpqException {
  private static final long serialVersionUID = 1L;

  public LedgerException(String message) {
    super(message, Set.of(), null);
  }

  public LedgerException(String message, Throwable cause) {
    super(message, Set.of(), cause);
  }
}
