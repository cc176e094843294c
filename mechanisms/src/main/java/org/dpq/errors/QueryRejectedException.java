package org.dpq.errors;

import java.util.Set;

/**
 * A query dpq cannot bound, rejected before any data access and at no cost (invariant 6). The message names
 * the construct and the fix, and never contains a data value.
 */
public final class QueryRejectedException extends DpqException {
  private static final long serialVersionUID = 1L;

  public QueryRejectedException(String message) {
    super(message, Set.of(), null);
  }

  /** @param parameters the query parameters whose change would make the query acceptable */
  public QueryRejectedException(String message, Set<QueryParameter> parameters) {
    super(message, parameters, null);
  }
}
