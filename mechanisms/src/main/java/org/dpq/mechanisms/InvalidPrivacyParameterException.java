package org.dpq.mechanisms;

/**
 * An epsilon or delta that no mechanism may use (NaN, infinite, non-positive, too small or too large). Owns
 * the "bad epsilon/delta are rejected" half of invariant 4: thrown before any budget is charged, with a
 * message that names the problem and an acceptable value.
 */
public final class InvalidPrivacyParameterException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public InvalidPrivacyParameterException(String message) {
    super(message);
  }
}
