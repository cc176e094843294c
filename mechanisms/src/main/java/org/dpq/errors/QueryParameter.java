package org.dpq.errors;

/**
 * A per-query choice an analyst can change to fix a failure. Engine messages describe the fix in words; each
 * front end (command line, HTTP API, Java) names the parameter in its own terms.
 */
public enum QueryParameter {
  /** The epsilon to spend. */
  EPSILON,
  /** The delta to spend. */
  DELTA,
  /** The noise mechanism (Laplace, Gaussian or automatic). */
  MECHANISM
}
