package org.dpq.mechanisms;

/** An epsilon or delta that no mechanism may use (NaN, infinite, non-positive, too small or too large). */
public final class InvalidPrivacyParameterException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public InvalidPrivacyParameterException(String message) {
    super(message);
  }
}
