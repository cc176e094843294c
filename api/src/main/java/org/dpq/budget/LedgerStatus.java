package org.dpq.budget;

import org.dpq.mechanisms.PrivacyLoss;

/**
 * A dataset's budget as the ledger records it. Owns the exact, auditable balance: {@code spent} is the exact
 * sum of every charge and {@code remaining = total - spent}.
 *
 * @param datasetId the dataset
 * @param total the dataset's lifetime budget (initial total, raised by administrative entries)
 * @param spent the exact sum of all charges
 * @param remaining {@code total - spent}
 * @param entries the number of entries in the dataset's chain
 */
public record LedgerStatus(String datasetId, PrivacyLoss total, PrivacyLoss spent, PrivacyLoss remaining, long entries) {}
