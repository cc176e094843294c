package org.dpq.engine.execution;

/**
 * The cell normalization every backend applies to its result rows, for backends outside this package (such as
 * Spark's): integers as {@link Long}, exactly representable decimals as {@link Double}, strings and booleans as
 * they are, anything that would lose precision kept as returned. Owns no privacy property: it keeps bounded
 * aggregates exact, and of the same Java types on every backend, on their way to the noise.
 */
public final class BackendValues {
  private BackendValues() {}

  /** One result cell, normalized. */
  public static Object normalize(Object value) {
    return JdbcValues.normalize(value);
  }
}
