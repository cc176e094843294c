package org.dpq.errors;

import java.util.Set;

/**
 * An epsilon or delta that no mechanism may use (NaN, infinite, non-positive, too small or too large). Owns
 * the "bad epsilon/delta are rejected" half of invariant 4: thrown before any budget is charged, with a
 * message that names the problem and an acceptable value.
 */
public final class InvalidPrivacyParameterException extends DpqException {
  private static final long serialVersionUID = 1L;

  public InvalidPrivacyParameterException(String message) {
    super(message, Set.of(), null);
  }

  /** @param parameters the query parameters that would fix it */
  public InvalidPrivacyParameterException(String message, Set<QueryParameter> parameters) {
    super(message, parameters, null);
  }
}
