package org.dpq.engine;

/**
 * Told how long each phase of opening a dataset and answering a query took: {@code open} (YAML and ledger),
 * {@code fingerprint} (hashing the data files, or only comparing their stamps), {@code setup} (the empty
 * table of the declared types that analysis and dry runs use), {@code load} (the backend opening the source or its
 * typed copy, after analysis and before the charge), {@code plan} (analysis, budget split, rewrite, dry run), {@code charge} (the ledger transaction), {@code backend} (the
 * bounded query) and {@code release} (noise and post-processing, and recording the release). Receives phase
 * names and durations only, never data, SQL or values; the timings are for the local user (e.g.
 * {@code dpq --verbose}) and are never recorded in the ledger.
 */
@FunctionalInterface
public interface PhaseListener {
  /** Ignores every phase. */
  PhaseListener NONE = (phase, nanos) -> { };

  /** {@code phase} took {@code nanos} nanoseconds. */
  void phase(String phase, long nanos);
}
