package org.dpq.engine.catalog;

import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Per-query resource limits and the response quantum of a dataset ({@code limits:} in the YAML). Owns the
 * declared side of invariant 7: every backend runs each bounded query under a memory cap, a thread cap and a
 * statement timeout chosen so that a query the expression policy accepts cannot reach them over the declared data
 * (any failure after the charge then looks the same), and the observable completion of each charged query is
 * padded to a multiple of {@code responseQuantumMillis}.
 *
 * @param memoryMegabytes the backend's memory cap for one query (DuckDB {@code memory_limit}, PostgreSQL
 *     {@code work_mem} per operation is derived from it); empty: the backend's default (DuckDB: half of the
 *     machine's memory)
 * @param threads threads one query may use (DuckDB {@code threads}); empty: the machine's processors
 * @param timeoutSeconds statement timeout of one bounded query on every backend
 * @param responseQuantumMillis pad each charged query's completion to a multiple of this (0: no padding)
 */
public record Limits(OptionalLong memoryMegabytes, OptionalInt threads, long timeoutSeconds,
    long responseQuantumMillis) {
  /** A bounded query over data dpq can handle takes far less; the timeout only keeps a runaway from hanging. */
  public static final long DEFAULT_TIMEOUT_SECONDS = 3_600;
  /** Largest quantum accepted (ten minutes). */
  public static final long MAX_QUANTUM_MILLIS = 600_000;
  /** No explicit caps beyond the default timeout, no padding. */
  public static final Limits DEFAULTS = new Limits(OptionalLong.empty(), OptionalInt.empty(),
      DEFAULT_TIMEOUT_SECONDS, 0);

  public Limits {
    if (timeoutSeconds <= 0 || responseQuantumMillis < 0 || responseQuantumMillis > MAX_QUANTUM_MILLIS) {
      throw new IllegalArgumentException("timeout must be positive and the quantum within [0, "
          + MAX_QUANTUM_MILLIS + "] ms");
    }
  }
}
