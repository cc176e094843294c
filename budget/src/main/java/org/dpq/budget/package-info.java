/**
 * The privacy-budget ledger: the promise that once a dataset's budget is spent nothing more is answered,
 * whatever crashes, races or edits happen.
 *
 * <p>Protocol for one query: {@link org.dpq.budget.Ledger#charge} (validate, reuse an identical released
 * answer, check the budget, append a CHARGE entry and commit it durably) <em>before</em> any data is read; then
 * {@link org.dpq.budget.Ledger#recordRelease} with the released result, or {@link org.dpq.budget.Ledger#abandon}
 * if the query failed after it was charged. A charge is never refunded.
 *
 * <p>Storage: one SQLite file (WAL, synchronous=FULL, writers use BEGIN IMMEDIATE) or a PostgreSQL schema
 * (synchronous_commit on, writers lock the dataset's head row), through one JDBC implementation. Each dataset
 * has a gap-free sequence of entries; each entry carries the running spend and total, the previous entry's hash
 * and its own SHA-256 over a canonical Jackson encoding of every stored field, so {@link
 * org.dpq.budget.Ledger#verify} can name the first entry that was changed, removed or moved. Budget arithmetic
 * is exact ({@link org.dpq.mechanisms.PrivacyLoss}, decimal text in storage).
 *
 * <p>A dataset may be accounted in zCDP instead ({@link org.dpq.budget.Accounting#ZCDP}, chosen when its INIT
 * entry is written and fixed from then on): its epsilon columns then hold rho, composed by exact addition, with
 * charges rounded up and the budget rounded down at 12 decimal places ({@link org.dpq.budget.Zcdp}).
 */
package org.dpq.budget;
