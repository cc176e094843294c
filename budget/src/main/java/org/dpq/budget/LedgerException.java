package org.dpq.budget;

/**
 * The ledger cannot be trusted or used, so nothing is charged and no data may be read. Owns failing closed:
 * a missing, unreadable or corrupt ledger, an uninitialised dataset or a broken hash chain refuses every query.
 * Messages name the problem and the fix, and never contain a released result.
 */
public class LedgerException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public LedgerException(String message) {
    super(message);
  }

  public LedgerException(String message, Throwable cause) {
    super(message, cause);
  }
}
