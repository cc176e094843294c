package org.dpq.engine.analysis;

/**
 * A query dpq cannot bound, rejected before any data access and at no cost (invariant 6). The message names
 * the construct and the fix, and never contains a data value.
 */
public final class QueryRejectedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public QueryRejectedException(String message) {
    super(message);
  }
}
