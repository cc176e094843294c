package org.dpq.budget;

import java.util.OptionalLong;

/**
 * The result of recomputing a dataset's hash chain. Owns tamper evidence: a changed field, a deleted or a
 * reordered entry is named by its sequence number and what is wrong with it (never by its stored contents).
 *
 * @param datasetId the dataset
 * @param ok true when every entry and the chain head check out
 * @param entriesChecked how many entries were read
 * @param firstBadSequence the first entry that is wrong or missing, when not ok
 * @param problem what is wrong (empty when ok)
 */
public record VerifyReport(String datasetId, boolean ok, long entriesChecked, OptionalLong firstBadSequence, String problem) {}
