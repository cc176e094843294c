/**
 * dpq's failures: one sealed family rooted at {@link org.dpq.errors.DpqException} with exactly six kinds, each
 * saying whether budget was spent. Rejected before any data access, nothing charged: {@link
 * org.dpq.errors.QueryRejectedException}, {@link org.dpq.errors.InvalidPrivacyParameterException}, {@link
 * org.dpq.errors.BudgetExhaustedException}, {@link org.dpq.errors.DatasetValidationException}, {@link
 * org.dpq.errors.LedgerException} (the ledger is unusable: fail closed). {@link
 * org.dpq.errors.BackendException}: the backend or the data failed; when that happens after the charge, the
 * charge stands. No message carries a data value.
 */
package org.dpq.errors;
