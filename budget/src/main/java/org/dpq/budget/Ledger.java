package org.dpq.budget;

import java.util.List;
import org.dpq.errors.BudgetExhaustedException;
import org.dpq.errors.LedgerException;
import org.dpq.mechanisms.PrivacyLoss;

/**
 * A durable, exact, tamper-evident privacy-budget ledger shared by any number of datasets. Owns invariant 4:
 * a query is charged atomically and durably (committed and synced) before its data is read, a charge is
 * never refunded, budget arithmetic is exact, and a missing, corrupt or tampered ledger refuses every query.
 *
 * <p>Implementations are thread-safe, and several processes may use one ledger at once without overspending.
 */
public interface Ledger extends AutoCloseable {

  /**
   * Opens a ledger. A {@code jdbc:postgresql:} URL opens (and on first use creates) the ledger tables in that
   * database's current schema; anything else is an SQLite file path (optionally prefixed {@code jdbc:sqlite:}),
   * created when the file does not exist. An existing file that is empty, not SQLite or not a dpq ledger is
   * refused with a {@link LedgerException}: a ledger is never silently recreated.
   */
  static Ledger open(String location) {
    return JdbcLedger.open(location);
  }

  /**
   * Opens a ledger in the PostgreSQL database of an application's own {@link javax.sql.DataSource} (its pool,
   * its credentials: none of them in a dataset YAML). The ledger tables are created on first use in the
   * connection's current schema. The server's error details are not read into exceptions when the DataSource
   * is pgjdbc's own; for another pool, configure it with {@code logServerErrorDetail=false}.
   *
   * @throws LedgerException when the DataSource is not PostgreSQL (an SQLite ledger is given as a file path) or
   *     cannot be used
   */
  static Ledger open(javax.sql.DataSource dataSource) {
    return JdbcLedger.open(dataSource);
  }

  /** True when the dataset has a chain (its INIT entry). */
  boolean isInitialised(String datasetId);

  /**
   * Starts a dataset's chain with an INIT entry holding its total budget.
   *
   * @throws LedgerException if the dataset is already initialised (its existing chain is kept)
   * @throws org.dpq.errors.InvalidPrivacyParameterException if {@code total} is not a valid budget
   */
  default void initialise(String datasetId, String fingerprint, PrivacyLoss total, String actor) {
    initialise(datasetId, fingerprint, total, actor, Accounting.BASIC);
  }

  /**
   * Starts a dataset's chain with an INIT entry under the given accounting. Under {@link Accounting#ZCDP} the
   * stored total is (rho, delta) with rho = {@link Zcdp#rhoBudget}(epsilon, delta), rounded down, and the INIT
   * entry's note records the accounting (covered by its hash), so that verify and audits know it.
   *
   * @throws LedgerException if the dataset is already initialised (its existing chain is kept)
   */
  void initialise(String datasetId, String fingerprint, PrivacyLoss total, String actor, Accounting accounting);

  /** The accounting recorded in the dataset's INIT entry. */
  Accounting accounting(String datasetId);

  /**
   * Like {@link #initialise} but, when the dataset already has a chain, keeps it unchanged and returns false
   * (the total stays what the ledger records; raising it is {@link #raiseTotal}). Safe when several processes
   * start using a new dataset at once: exactly one of them initialises it.
   *
   * @return true when this call wrote the INIT entry
   * @throws LedgerException if the dataset has entries but no intact chain head
   */
  default boolean initialiseIfAbsent(String datasetId, String fingerprint, PrivacyLoss total, String actor) {
    return initialiseIfAbsent(datasetId, fingerprint, total, actor, Accounting.BASIC);
  }

  /**
   * Like {@link #initialiseIfAbsent(String, String, PrivacyLoss, String)} under the given accounting.
   *
   * @throws LedgerException if the dataset already has a chain under another accounting: a dataset's accounting
   *     cannot change once its ledger has entries
   */
  boolean initialiseIfAbsent(String datasetId, String fingerprint, PrivacyLoss total, String actor,
      Accounting accounting);

  /**
   * In one transaction: validates the request, returns the stored answer of an identical released query
   * ({@link ChargeOutcome.Reused}) or reports an identical query still running ({@link ChargeOutcome.InFlight}),
   * else checks the budget and appends a CHARGE entry, committed durably before this returns.
   *
   * @throws BudgetExhaustedException if the request does not fit in what remains (nothing is charged)
   * @throws org.dpq.errors.InvalidPrivacyParameterException if the request's loss is invalid (nothing is charged)
   * @throws LedgerException if the dataset is not initialised or its chain is broken (nothing is charged)
   */
  ChargeOutcome charge(ChargeRequest request);

  /**
   * Like {@link #charge}, for a served analyst: the cost must fit both what remains of the dataset's budget and
   * what remains of {@code request.analyst()}'s allocation ({@link #allocations}), checked and charged in the
   * same durable transaction. An analyst without an allocation has none to spend. A stored answer of an
   * identical query is returned at no cost to any analyst, allocation or not.
   *
   * @throws BudgetExhaustedException if the cost does not fit the dataset or the analyst's allocation (nothing
   *     is charged)
   */
  ChargeOutcome chargeWithinAllocation(ChargeRequest request);

  /**
   * Administrative: sets {@code analyst}'s allocation on the dataset to {@code allocation} (the whole share, not
   * an increment; zero revokes it), recorded as a chained ALLOCATE entry naming the actor and the reason. The
   * allocations of all analysts may add up to more than the dataset's total: the total still binds every charge.
   *
   * @return the analyst's allocation after the change
   * @throws org.dpq.errors.InvalidPrivacyParameterException if the allocation is neither zero nor a valid budget
   */
  Allocation allocate(String datasetId, String analyst, PrivacyLoss allocation, String actor, String reason);

  /** Every analyst that has an allocation on the dataset, by name: share, exact spend and remainder. */
  List<Allocation> allocations(String datasetId);

  /** Appends a RELEASE entry storing the result released for the CHARGE entry {@code chargeSequence}. */
  void recordRelease(String datasetId, long chargeSequence, String resultJson);

  /**
   * Appends an ABANDON entry: the query paid for by {@code chargeSequence} failed and will release nothing.
   * The charge stands. {@code reason} is stored and shown in history, so it must not contain data values.
   */
  void abandon(String datasetId, long chargeSequence, String reason);

  /** The dataset's total, exact spend and remaining budget. */
  LedgerStatus status(String datasetId);

  /** Every entry of the dataset's chain, in sequence order. */
  List<LedgerEntry> history(String datasetId);

  /** Recomputes the dataset's hash chain and running balances, naming the first bad entry. */
  VerifyReport verify(String datasetId);

  /** Administrative: raises the dataset's total budget, recorded as a RAISE entry. */
  void raiseTotal(String datasetId, PrivacyLoss newTotal, String actor, String reason);

  /**
   * Administrative: raises the dataset's total budget by {@code increase} (exact decimals), recorded as a RAISE
   * entry. The new total is computed from the total the ledger holds, under the same lock as charges, so two
   * raises at once both count.
   *
   * @return the balance after the raise
   * @throws IllegalArgumentException if the increase is negative, zero in both parts, or the reason is blank
   * @throws org.dpq.errors.InvalidPrivacyParameterException if the new total is not a valid budget (delta >= 1)
   */
  LedgerStatus raiseTotalBy(String datasetId, PrivacyLoss increase, String actor, String reason);

  @Override
  void close();
}
