package org.dpq.budget;

/**
 * One ledger row exactly as stored: text and numbers, before any parsing. The hash is computed over these
 * stored values, so a change to any byte of any field is detectable.
 */
record StoredEntry(
    String datasetId,
    long sequence,
    String kind,
    String fingerprint,
    String time,
    String analyst,
    String sql,
    String queryKey,
    String planHash,
    String measurements,
    String costEpsilon,
    String costDelta,
    String resultJson,
    Long refersTo,
    String note,
    String spentEpsilon,
    String spentDelta,
    String totalEpsilon,
    String totalDelta,
    String previousHash,
    String hash) {

  /** This entry with its hash set. */
  StoredEntry withHash(String newHash) {
    return new StoredEntry(datasetId, sequence, kind, fingerprint, time, analyst, sql, queryKey, planHash,
        measurements, costEpsilon, costDelta, resultJson, refersTo, note, spentEpsilon, spentDelta,
        totalEpsilon, totalDelta, previousHash, newHash);
  }
}
