package org.dpq.engine;

import org.dpq.errors.BackendException;

/**
 * The one outcome of any failure after a charge: the same exception message and the same ledger note whatever
 * failed (a backend error, a resource limit, a timeout, an out-of-memory error, the release). Owns invariant 7 for
 * failures: whether and how a paid query failed must not tell which rows it met, so no cause is given; the charge
 * stands. (The data owner diagnoses with {@code dpq explain}'s bounded SQL on the backend itself.)
 */
final class FailedAfterCharge {
  /** The note of the ABANDON entry, the same for every failure. */
  static final String LEDGER_NOTE = "failed after the charge";

  private FailedAfterCharge() {}

  /** The exception for a failure after charge {@code sequence}; its message depends on nothing else. */
  static BackendException exception(long sequence) {
    return new BackendException("the query failed after it was charged. Every failure after the charge gives this "
        + "same message (a backend error, a resource limit, a timeout), so that the failure reveals nothing about "
        + "the data; the charge of ledger entry " + sequence + " stands. Fix: retry with a simpler query; the data "
        + "owner can run the bounded SQL that 'dpq explain' shows on the backend to find the cause");
  }
}
