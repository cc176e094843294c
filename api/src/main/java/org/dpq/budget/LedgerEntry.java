package org.dpq.budget;

import java.time.Instant;
import java.util.List;
import org.dpq.mechanisms.PrivacyLoss;

/**
 * One entry of a dataset's append-only, hash-chained ledger. Owns the audit record: who asked what, on which
 * data, at what cost, and what was released; {@code hash} covers every other field and {@code previousHash}
 * links it to the entry before, so any later change is detectable by {@code Ledger.verify} (budget module).
 *
 * <p>Fields that do not apply to a kind are null ({@code measurements} is empty): INIT has fingerprint,
 * analyst (the actor) and total; CHARGE has fingerprint, analyst, sql, queryKey, planHash, measurements and
 * cost; RELEASE and ABANDON have refersTo (the CHARGE's sequence), RELEASE the resultJson, ABANDON a note;
 * RAISE has analyst (the actor) and note (the reason); ALLOCATE has analyst (whose allocation is set), cost (the
 * analyst's new allocation: the whole share, not an increment) and note (who set it, and why).
 *
 * @param sequence position in the dataset's chain, from 1 (the INIT entry), without gaps
 * @param kind one of the names of {@code EntryKind} (INIT, CHARGE, RELEASE, ABANDON, RAISE, ALLOCATE)
 * @param spentAfter the dataset's exact spend after this entry
 * @param totalAfter the dataset's total budget after this entry
 */
public record LedgerEntry(
    long sequence,
    String kind,
    String datasetId,
    String fingerprint,
    Instant time,
    String analyst,
    String sql,
    String queryKey,
    String planHash,
    List<MeasurementCost> measurements,
    PrivacyLoss cost,
    String resultJson,
    Long refersTo,
    String note,
    PrivacyLoss spentAfter,
    PrivacyLoss totalAfter,
    String previousHash,
    String hash) {
  public LedgerEntry {
    measurements = measurements == null ? List.of() : List.copyOf(measurements);
  }
}
