package org.dpq.budget;

import org.dpq.mechanisms.PrivacyLoss;

/**
 * What {@link Ledger#charge} decided. Owns the rule that data is read only after a durable {@link Charged};
 * {@link Reused} returns an answer already released (post-processing, no new loss) and {@link InFlight} says
 * an identical query is paid for and still running, so nothing new is charged or read.
 */
public sealed interface ChargeOutcome {

  /**
   * The request was charged and the charge is committed durably; the caller may now read data, then must call
   * {@link Ledger#recordRelease} (or {@link Ledger#abandon}) for {@code sequence}.
   *
   * @param sequence the CHARGE entry's sequence number
   * @param cost the loss charged
   * @param remaining the dataset's remaining budget after this charge
   */
  record Charged(long sequence, PrivacyLoss cost, PrivacyLoss remaining) implements ChargeOutcome {}

  /**
   * An identical query (same dataset, fingerprint and query key) was already released: its stored answer, free.
   *
   * @param chargeSequence the sequence of the CHARGE entry that paid for the stored answer
   * @param resultJson the released result, exactly as recorded
   * @param remaining the dataset's remaining budget (unchanged)
   */
  record Reused(long chargeSequence, String resultJson, PrivacyLoss remaining) implements ChargeOutcome {}

  /**
   * An identical query was charged recently and has not been released yet: nothing was charged and no data
   * may be read; the caller may wait and ask again.
   *
   * @param chargeSequence the sequence of the pending CHARGE entry
   */
  record InFlight(long chargeSequence) implements ChargeOutcome {}
}
