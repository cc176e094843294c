package org.dpq.engine.analysis;

import java.util.Set;
import org.dpq.errors.QueryParameter;
import org.dpq.errors.QueryRejectedException;

/**
 * Builds rejection messages in one shape: the construct, why dpq cannot bound it, and the fix. Owns the rule
 * that a rejection message quotes only the analyst's SQL constructs and the catalog, never a data value
 * (invariant 6): callers pass construct names and catalog names only.
 */
final class Reject {
  private Reject() {}

  /** A rejection: {@code "<problem>. Fix: <fix>"}. */
  static QueryRejectedException because(String problem, String fix) {
    return new QueryRejectedException(problem + ". Fix: " + fix);
  }

  /** A rejection whose fix is a change of these query parameters. */
  static QueryRejectedException because(String problem, String fix, Set<QueryParameter> parameters) {
    return new QueryRejectedException(problem + ". Fix: " + fix, parameters);
  }
}
