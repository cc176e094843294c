package org.dpq.engine.analysis;

/** How a grouped query's keys may be released (invariant 5). */
public enum PartitionMode {
  /** No GROUP BY: one row, always released. */
  NONE,
  /** Every key column has a public domain: exactly the domain's keys (cross product), absent ones as noisy zeros. */
  PUBLIC_DOMAIN,
  /** A key has no public domain: a group is released only when its noisy unit count clears a threshold. */
  THRESHOLD
}
