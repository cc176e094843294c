package org.dpq.budget;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import org.dpq.errors.BudgetExhaustedException;
import org.dpq.errors.InvalidPrivacyParameterException;
import org.dpq.errors.LedgerException;
import org.dpq.mechanisms.PrivacyLoss;

/**
 * The one {@link Ledger} implementation, over JDBC for SQLite and PostgreSQL. Owns check-and-charge as one
 * durable transaction under a per-dataset write lock, the cheap chain-head check before every append, a full
 * chain verification on a dataset's first use in this process, and never refunding a charge.
 */
final class JdbcLedger implements Ledger {
  /** How long an unreleased charge makes an identical query wait instead of paying again. */
  static final Duration DEFAULT_IN_FLIGHT = Duration.ofMinutes(10);

  private static final Duration CONTENTION_DEADLINE = Duration.ofMinutes(2);
  private static final int MAX_CONNECTIONS = 16;
  private static final int MAX_ID_LENGTH = 256;

  private static final String COLUMNS = "dataset_id, sequence, kind, fingerprint, entry_time, analyst, sql_text, "
      + "query_key, plan_hash, measurements, cost_epsilon, cost_delta, result_json, refers_to, note, spent_epsilon, "
      + "spent_delta, total_epsilon, total_delta, previous_hash, hash";

  private final Dialect dialect;
  private final ConnectionPool pool;
  private final Clock clock;
  private final Duration inFlightTimeout;
  private final Set<String> verified = ConcurrentHashMap.newKeySet();
  /** Each dataset's accounting, read from its INIT entry (which never changes) on first need. */
  private final java.util.Map<String, Accounting> accountings = new ConcurrentHashMap<>();

  private JdbcLedger(Dialect dialect, Clock clock, Duration inFlightTimeout) {
    this.dialect = dialect;
    this.pool = new ConnectionPool(dialect, MAX_CONNECTIONS);
    this.clock = clock;
    this.inFlightTimeout = inFlightTimeout;
  }

  static Ledger open(String location) {
    return open(location, Clock.systemUTC(), DEFAULT_IN_FLIGHT);
  }

  static JdbcLedger open(String location, Clock clock, Duration inFlightTimeout) {
    Dialect dialect = LedgerSchema.dialectFor(location);
    if (dialect instanceof Dialect.Sqlite s && !LedgerSchema.precheckSqlite(s)) {
      LedgerSchema.createSqlite(s);
    }
    return open(dialect, clock, inFlightTimeout);
  }

  static Ledger open(javax.sql.DataSource dataSource) {
    return open(LedgerSchema.dialectFor(dataSource), Clock.systemUTC(), DEFAULT_IN_FLIGHT);
  }

  private static JdbcLedger open(Dialect dialect, Clock clock, Duration inFlightTimeout) {
    boolean mayCreate = dialect instanceof Dialect.Postgres; // a PostgreSQL schema without the tables
    JdbcLedger ledger = new JdbcLedger(dialect, clock, inFlightTimeout);
    try {
      ledger.transact(true, "opening the ledger", c -> {
        LedgerSchema.prepare(c, dialect, mayCreate);
        return null;
      });
    } catch (RuntimeException e) {
      ledger.close();
      throw e;
    }
    return ledger;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Operations

  @Override
  public boolean isInitialised(String datasetId) {
    checkId("dataset id", datasetId);
    return transact(false, "reading dataset '" + datasetId + "'",
        c -> readHeadRow(c, datasetId, false) != null || countEntries(c, datasetId) > 0);
  }

  @Override
  public void initialise(String datasetId, String fingerprint, PrivacyLoss total, String actor,
      Accounting accounting) {
    initialise(datasetId, fingerprint, total, actor, accounting, true);
  }

  @Override
  public boolean initialiseIfAbsent(String datasetId, String fingerprint, PrivacyLoss total, String actor,
      Accounting accounting) {
    return initialise(datasetId, fingerprint, total, actor, accounting, false);
  }

  @Override
  public Accounting accounting(String datasetId) {
    checkId("dataset id", datasetId);
    Accounting known = accountings.get(datasetId);
    if (known != null) {
      return known;
    }
    return transact(false, "reading the accounting of dataset '" + datasetId + "'", c -> accounting(c, datasetId));
  }

  /** The accounting of the dataset's INIT entry, read in the caller's transaction. */
  private Accounting accounting(Connection c, String datasetId) throws SQLException {
    Accounting known = accountings.get(datasetId);
    if (known != null) {
      return known;
    }
    StoredEntry init = selectEntry(c, datasetId, 1);
    if (init == null) {
      if (readHeadRow(c, datasetId, false) != null) {
        throw corrupt(datasetId, "its INIT entry is missing");
      }
      throw notInitialised(datasetId);
    }
    Accounting a = accountingOf(init);
    if (a == null || !EntryCodec.hash(init).equals(init.hash())) {
      throw corrupt(datasetId, "its INIT entry does not match its hash or names no known accounting");
    }
    accountings.put(datasetId, a);
    return a;
  }

  /** The accounting an INIT entry records in its note (none: BASIC, as before zCDP existed); null if unknown. */
  static Accounting accountingOf(StoredEntry init) {
    if (init.note() == null) {
      return Accounting.BASIC;
    }
    return Accounting.ZCDP.entryNote().equals(init.note()) ? Accounting.ZCDP : null;
  }

  /** The total to store for an (epsilon, delta) budget under {@code accounting}: itself, or (rho, delta). */
  static PrivacyLoss stored(PrivacyLoss budget, Accounting accounting) {
    if (accounting == Accounting.BASIC) {
      return PrivacyLoss.budget(budget.epsilon(), budget.delta());
    }
    return PrivacyLoss.budget(Zcdp.rhoBudget(budget.epsilon(), budget.delta()), budget.delta());
  }

  private boolean initialise(String datasetId, String fingerprint, PrivacyLoss total, String actor,
      Accounting accounting, boolean failIfPresent) {
    checkId("dataset id", datasetId);
    checkText("fingerprint", fingerprint);
    checkText("actor", actor);
    Objects.requireNonNull(total, "total");
    Objects.requireNonNull(accounting, "accounting");
    PrivacyLoss budget = stored(total, accounting);
    return transact(true, "initialising dataset '" + datasetId + "'", c -> {
      StoredEntry init = new StoredEntry(datasetId, 1, EntryKind.INIT.name(), fingerprint, now(), actor, null, null,
          null, null, null, null, null, null, accounting.entryNote(), "0", "0", EntryCodec.decimal(budget.epsilon()),
          EntryCodec.decimal(budget.delta()), EntryCodec.GENESIS_HASH, null);
      init = init.withHash(EntryCodec.hash(init));
      int inserted;
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + LedgerSchema.HEAD
          + " (dataset_id, last_sequence, last_hash) VALUES (?, 1, ?) ON CONFLICT (dataset_id) DO NOTHING")) {
        ps.setString(1, datasetId);
        ps.setString(2, init.hash());
        inserted = ps.executeUpdate();
      }
      if (inserted != 1) {
        if (!failIfPresent) {
          readHead(c, datasetId, false); // an existing chain must at least have an intact head
          Accounting existing = accounting(c, datasetId);
          if (existing != accounting) {
            throw new LedgerException("dataset '" + datasetId + "' is accounted with `accounting: "
                + existing.yamlName() + "` in its ledger, but `accounting: " + accounting.yamlName() + "` was asked; "
                + "a dataset's accounting cannot change once its ledger has entries: set the budget section back to "
                + "`accounting: " + existing.yamlName() + "`, or start a new dataset with its own ledger");
          }
          return false;
        }
        throw new LedgerException("dataset '" + datasetId + "' is already initialised; its ledger is kept as it "
            + "is (use `dpq budget status` to see it, or raise its total as an administrative operation)");
      }
      if (countEntries(c, datasetId) > 0) {
        throw corrupt(datasetId, "it has entries but no chain head record");
      }
      insert(c, init);
      return true;
    });
  }

  @Override
  public ChargeOutcome charge(ChargeRequest request) {
    return charge(request, false);
  }

  @Override
  public ChargeOutcome chargeWithinAllocation(ChargeRequest request) {
    return charge(request, true);
  }

  private ChargeOutcome charge(ChargeRequest request, boolean withinAllocation) {
    Objects.requireNonNull(request, "request");
    validate(request);
    String id = request.datasetId();
    if (withinAllocation) {
      checkId("analyst", request.analyst());
    }
    ensureVerified(id);
    return transact(true, "charging dataset '" + id + "'", c -> {
      Head head = lockHead(c, id);
      Accounting accounting = accounting(c, id);
      if (accounting != request.accounting()) {
        throw new LedgerException("dataset '" + id + "' is accounted with `accounting: " + accounting.yamlName()
            + "` but the charge is expressed in " + request.accounting().yamlName() + "; nothing was charged: "
            + "open the dataset with the accounting its ledger records");
      }
      ChargeOutcome earlier = findIdentical(c, request, head);
      if (earlier != null) {
        return earlier;
      }
      PrivacyLoss cost = request.total();
      if (!cost.fitsWithin(head.remaining())) {
        throw new BudgetExhaustedException(id, cost, head.remaining());
      }
      if (withinAllocation) {
        // Read under the same lock as the charge: no concurrent charge or ALLOCATE can slip in between.
        Allocation a = allocation(c, id, request.analyst());
        if (!cost.fitsWithin(a.remaining())) {
          throw BudgetExhaustedException.ofAllocation(id, request.analyst(), cost, a.remaining());
        }
      }
      PrivacyLoss spent = head.spent().plus(cost);
      long seq = head.lastSequence() + 1;
      append(c, head, new StoredEntry(id, seq, EntryKind.CHARGE.name(), request.fingerprint(), now(),
          request.analyst(), request.sql(), request.queryKey(), request.planHash(),
          EntryCodec.encodeMeasurements(request.measurements()), EntryCodec.decimal(cost.epsilon()),
          EntryCodec.decimal(cost.delta()), null, null, accounting.entryNote(), EntryCodec.decimal(spent.epsilon()),
          EntryCodec.decimal(spent.delta()), EntryCodec.decimal(head.total().epsilon()),
          EntryCodec.decimal(head.total().delta()), head.lastHash(), null));
      return new ChargeOutcome.Charged(seq, cost, head.total().minus(spent));
    });
  }

  @Override
  public Allocation allocate(String datasetId, String analyst, PrivacyLoss allocation, String actor,
      String reason) {
    checkId("dataset id", datasetId);
    checkId("analyst", analyst);
    checkText("actor", actor);
    checkText("reason", reason);
    Objects.requireNonNull(allocation, "allocation");
    ensureVerified(datasetId);
    return transact(true, "allocating on dataset '" + datasetId + "'", c -> {
      Head head = lockHead(c, datasetId);
      PrivacyLoss share = PrivacyLoss.ZERO.equals(allocation) ? PrivacyLoss.ZERO
          : stored(allocation, accounting(c, datasetId));
      append(c, head, new StoredEntry(datasetId, head.lastSequence() + 1, EntryKind.ALLOCATE.name(), null, now(),
          analyst, null, null, null, null, EntryCodec.decimal(share.epsilon()), EntryCodec.decimal(share.delta()),
          null, null, "set by " + actor + ": " + reason, EntryCodec.decimal(head.spent().epsilon()),
          EntryCodec.decimal(head.spent().delta()), EntryCodec.decimal(head.total().epsilon()),
          EntryCodec.decimal(head.total().delta()), head.lastHash(), null));
      return allocation(c, datasetId, analyst);
    });
  }

  @Override
  public List<Allocation> allocations(String datasetId) {
    checkId("dataset id", datasetId);
    return transact(false, "reading the allocations of dataset '" + datasetId + "'", c -> {
      readHead(c, datasetId, false);
      List<String> analysts = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT analyst FROM " + LedgerSchema.ENTRY
          + " WHERE dataset_id = ? AND kind = 'ALLOCATE' ORDER BY analyst")) {
        ps.setString(1, datasetId);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            analysts.add(rs.getString(1));
          }
        }
      }
      List<Allocation> out = new ArrayList<>(analysts.size());
      for (String a : analysts) {
        out.add(allocation(c, datasetId, a));
      }
      return List.copyOf(out);
    });
  }

  /** The analyst's latest allocation (zero when none) and exact spend, read in the caller's transaction. */
  private Allocation allocation(Connection c, String datasetId, String analyst) throws SQLException {
    PrivacyLoss allocated = PrivacyLoss.ZERO;
    try (PreparedStatement ps = c.prepareStatement("SELECT cost_epsilon, cost_delta FROM " + LedgerSchema.ENTRY
        + " WHERE dataset_id = ? AND kind = 'ALLOCATE' AND analyst = ? ORDER BY sequence DESC LIMIT 1")) {
      ps.setString(1, datasetId);
      ps.setString(2, analyst);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          allocated = EntryCodec.parseLoss(rs.getString(1), rs.getString(2));
          if (allocated == null) {
            throw corrupt(datasetId, "an allocation of analyst '" + analyst + "' is unreadable");
          }
        }
      }
    }
    PrivacyLoss spent = PrivacyLoss.ZERO;
    try (PreparedStatement ps = c.prepareStatement("SELECT cost_epsilon, cost_delta FROM " + LedgerSchema.ENTRY
        + " WHERE dataset_id = ? AND kind = 'CHARGE' AND analyst = ?")) {
      ps.setString(1, datasetId);
      ps.setString(2, analyst);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          PrivacyLoss cost = EntryCodec.parseLoss(rs.getString(1), rs.getString(2));
          if (cost == null) {
            throw corrupt(datasetId, "a charge of analyst '" + analyst + "' has an unreadable cost");
          }
          spent = spent.plus(cost);
        }
      }
    }
    return Allocation.of(analyst, allocated, spent);
  }

  @Override
  public void recordRelease(String datasetId, long chargeSequence, String resultJson) {
    checkId("dataset id", datasetId);
    Objects.requireNonNull(resultJson, "resultJson");
    if (!EntryCodec.isJson(resultJson)) {
      throw new IllegalArgumentException("the released result to record is not one well-formed JSON value");
    }
    closeCharge(datasetId, chargeSequence, EntryKind.RELEASE, resultJson, null);
  }

  @Override
  public void abandon(String datasetId, long chargeSequence, String reason) {
    checkId("dataset id", datasetId);
    checkText("reason", reason);
    closeCharge(datasetId, chargeSequence, EntryKind.ABANDON, null, reason);
  }

  @Override
  public LedgerStatus status(String datasetId) {
    checkId("dataset id", datasetId);
    return transact(false, "reading the status of dataset '" + datasetId + "'", c -> {
      Head h = readHead(c, datasetId, false);
      return new LedgerStatus(datasetId, h.total(), h.spent(), h.remaining(), h.lastSequence());
    });
  }

  @Override
  public List<LedgerEntry> history(String datasetId) {
    checkId("dataset id", datasetId);
    List<StoredEntry> stored = transact(false, "reading the history of dataset '" + datasetId + "'", c -> {
      List<StoredEntry> all = selectAll(c, datasetId);
      if (all.isEmpty() && readHeadRow(c, datasetId, false) == null) {
        throw notInitialised(datasetId);
      }
      return all;
    });
    List<LedgerEntry> out = new ArrayList<>(stored.size());
    for (StoredEntry s : stored) {
      out.add(EntryCodec.toEntry(s));
    }
    return List.copyOf(out);
  }

  @Override
  public VerifyReport verify(String datasetId) {
    checkId("dataset id", datasetId);
    return transact(false, "verifying dataset '" + datasetId + "'", c -> {
      HeadRow head = readHeadRow(c, datasetId, false);
      List<StoredEntry> all = selectAll(c, datasetId);
      if (head == null && all.isEmpty()) {
        throw notInitialised(datasetId);
      }
      return ChainVerifier.verify(datasetId, head == null ? null : head.lastSequence(),
          head == null ? null : head.lastHash(), all);
    });
  }

  @Override
  public void raiseTotal(String datasetId, PrivacyLoss newTotal, String actor, String reason) {
    Objects.requireNonNull(newTotal, "newTotal");
    raise(datasetId, actor, reason, (current, accounting) -> stored(newTotal, accounting));
  }

  @Override
  public LedgerStatus raiseTotalBy(String datasetId, PrivacyLoss increase, String actor, String reason) {
    Objects.requireNonNull(increase, "increase");
    return raise(datasetId, actor, reason, (current, accounting) -> {
      // Under zCDP the current total is (rho, delta): shown as epsilon (rounded up), raised, converted back (down).
      java.math.BigDecimal epsilon = accounting == Accounting.BASIC ? current.epsilon()
          : Zcdp.epsilon(current.epsilon(), current.delta());
      return stored(PrivacyLoss.budget(epsilon.add(increase.epsilon()), current.delta().add(increase.delta())),
          accounting);
    });
  }

  /** Appends a RAISE entry whose new total is computed from the current one under the head's lock. */
  private LedgerStatus raise(String datasetId, String actor, String reason,
      java.util.function.BiFunction<PrivacyLoss, Accounting, PrivacyLoss> newTotal) {
    checkId("dataset id", datasetId);
    checkText("actor", actor);
    checkText("reason", reason);
    ensureVerified(datasetId);
    return transact(true, "raising the total of dataset '" + datasetId + "'", c -> {
      Head head = lockHead(c, datasetId);
      PrivacyLoss total = newTotal.apply(head.total(), accounting(c, datasetId));
      if (!head.total().fitsWithin(total) || head.total().equals(total)) {
        throw new IllegalArgumentException("a raise must not lower epsilon or delta and must increase one of them; "
            + "the current total is " + head.total());
      }
      append(c, head, new StoredEntry(datasetId, head.lastSequence() + 1, EntryKind.RAISE.name(), null, now(),
          actor, null, null, null, null, null, null, null, null, reason, EntryCodec.decimal(head.spent().epsilon()),
          EntryCodec.decimal(head.spent().delta()), EntryCodec.decimal(total.epsilon()),
          EntryCodec.decimal(total.delta()), head.lastHash(), null));
      return new LedgerStatus(datasetId, total, head.spent(), total.minus(head.spent()), head.lastSequence() + 1);
    });
  }

  @Override
  public void close() {
    pool.close();
  }

  // ---------------------------------------------------------------------------------------------------------
  // Validation

  private static void validate(ChargeRequest r) {
    checkId("dataset id", r.datasetId());
    checkText("fingerprint", r.fingerprint());
    checkText("query key", r.queryKey());
    PrivacyLoss total = r.total().validatedRequest();
    if (r.accounting() == Accounting.ZCDP && (!total.isPure()
        || r.measurements().stream().anyMatch(m -> !m.loss().isPure()))) {
      throw new InvalidPrivacyParameterException("a zCDP charge is rho with delta 0 (the delta is the dataset's, "
          + "fixed when rho is converted); charge each measurement's rho from Zcdp");
    }
    if (r.measurements().isEmpty()) {
      throw new IllegalArgumentException("a charge needs at least one measurement; list how the loss is split");
    }
    PrivacyLoss sum = PrivacyLoss.ZERO;
    for (MeasurementCost m : r.measurements()) {
      sum = sum.plus(m.loss());
    }
    if (!sum.fitsWithin(total)) {
      throw new InvalidPrivacyParameterException("the measurements add up to " + sum + ", more than the charged "
          + "total " + total + "; charge at least the sum of the measurements");
    }
  }

  private static void checkId(String what, String id) {
    checkText(what, id);
    if (id.length() > MAX_ID_LENGTH || id.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException("the " + what + " must be at most " + MAX_ID_LENGTH
          + " characters without control characters");
    }
  }

  private static void checkText(String what, String text) {
    Objects.requireNonNull(text, what);
    if (text.isBlank()) {
      throw new IllegalArgumentException("the " + what + " is blank; give a non-empty value");
    }
  }

  private void ensureVerified(String datasetId) {
    if (verified.contains(datasetId)) {
      return;
    }
    VerifyReport report = verify(datasetId);
    if (!report.ok()) {
      throw new LedgerException("the ledger of dataset '" + datasetId + "' failed verification at entry "
          + report.firstBadSequence().orElse(0) + " (" + report.problem() + "); every query is refused until the "
          + "ledger is restored from a backup (see `dpq budget verify`)");
    }
    verified.add(datasetId);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Chain head and appends

  private record HeadRow(long lastSequence, String lastHash) {}

  private record Head(long lastSequence, String lastHash, PrivacyLoss spent, PrivacyLoss total) {
    PrivacyLoss remaining() {
      return total.minus(spent);
    }
  }

  private HeadRow readHeadRow(Connection c, String datasetId, boolean lock) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT last_sequence, last_hash FROM " + LedgerSchema.HEAD
        + " WHERE dataset_id = ?" + (lock ? dialect.lockHeadSuffix() : ""))) {
      ps.setString(1, datasetId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? new HeadRow(rs.getLong(1), rs.getString(2)) : null;
      }
    }
  }

  /** Locks the dataset's head row (PostgreSQL; SQLite is already locked) and checks it. */
  private Head lockHead(Connection c, String datasetId) throws SQLException {
    return readHead(c, datasetId, true);
  }

  /**
   * The dataset's head, checked cheaply against its entries: the head entry exists, is the last one, its hash
   * matches its contents and the recorded head hash, and its running balance is readable and within the total.
   */
  private Head readHead(Connection c, String datasetId, boolean lock) throws SQLException {
    HeadRow row = readHeadRow(c, datasetId, lock);
    if (row == null) {
      if (countEntries(c, datasetId) > 0) {
        throw corrupt(datasetId, "it has entries but its chain head record is missing");
      }
      throw notInitialised(datasetId);
    }
    StoredEntry last = selectEntry(c, datasetId, row.lastSequence());
    if (last == null) {
      throw corrupt(datasetId, "entry " + row.lastSequence() + ", the recorded chain head, is missing");
    }
    if (!EntryCodec.hash(last).equals(last.hash()) || !last.hash().equals(row.lastHash())) {
      throw corrupt(datasetId, "entry " + row.lastSequence() + ", the chain head, does not match its recorded hash");
    }
    if (maxSequence(c, datasetId) != row.lastSequence()) {
      throw corrupt(datasetId, "it has entries beyond the recorded chain head " + row.lastSequence());
    }
    PrivacyLoss spent = EntryCodec.parseLoss(last.spentEpsilon(), last.spentDelta());
    PrivacyLoss total = EntryCodec.parseLoss(last.totalEpsilon(), last.totalDelta());
    if (spent == null || total == null || !spent.fitsWithin(total)) {
      throw corrupt(datasetId, "the running balance of entry " + row.lastSequence() + " is unreadable or overspent");
    }
    return new Head(row.lastSequence(), row.lastHash(), spent, total);
  }

  /** Appends {@code e} (without hash) after {@code head} and moves the head, in the caller's transaction. */
  private void append(Connection c, Head head, StoredEntry e) throws SQLException {
    StoredEntry hashed = e.withHash(EntryCodec.hash(e));
    insert(c, hashed);
    try (PreparedStatement ps = c.prepareStatement("UPDATE " + LedgerSchema.HEAD + " SET last_sequence = ?, "
        + "last_hash = ? WHERE dataset_id = ? AND last_sequence = ? AND last_hash = ?")) {
      ps.setLong(1, hashed.sequence());
      ps.setString(2, hashed.hash());
      ps.setString(3, hashed.datasetId());
      ps.setLong(4, head.lastSequence());
      ps.setString(5, head.lastHash());
      if (ps.executeUpdate() != 1) {
        throw corrupt(e.datasetId(), "its chain head changed during an append");
      }
    }
  }

  private void closeCharge(String datasetId, long chargeSequence, EntryKind kind, String resultJson, String note) {
    transact(true, "recording the outcome of charge " + chargeSequence + " of dataset '" + datasetId + "'", c -> {
      Head head = lockHead(c, datasetId);
      StoredEntry charge = selectEntry(c, datasetId, chargeSequence);
      if (charge == null || !EntryKind.CHARGE.name().equals(charge.kind())) {
        throw new LedgerException("entry " + chargeSequence + " of dataset '" + datasetId + "' is not a charge; "
            + "record a release or abandonment for the sequence returned by charge");
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT sequence FROM " + LedgerSchema.ENTRY
          + " WHERE dataset_id = ? AND refers_to = ? AND kind IN ('RELEASE', 'ABANDON')")) {
        ps.setString(1, datasetId);
        ps.setLong(2, chargeSequence);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            throw new LedgerException("charge " + chargeSequence + " of dataset '" + datasetId + "' was already "
                + "closed by entry " + rs.getLong(1) + "; a charge is released or abandoned once");
          }
        }
      }
      // The closing entry carries its charge's time, not its own: two times per query would measure its latency.
      append(c, head, new StoredEntry(datasetId, head.lastSequence() + 1, kind.name(), null, charge.time(), null,
          null, null, null, null, null, null, resultJson, chargeSequence, note, EntryCodec.decimal(head.spent().epsilon()),
          EntryCodec.decimal(head.spent().delta()), EntryCodec.decimal(head.total().epsilon()),
          EntryCodec.decimal(head.total().delta()), head.lastHash(), null));
      return null;
    });
  }

  /**
   * The outcome for an identical query (same dataset, fingerprint and query key) already in the chain: the
   * first released answer, else a recent charge still open, else null.
   */
  private ChargeOutcome findIdentical(Connection c, ChargeRequest r, Head head) throws SQLException {
    Long released = null;
    long inFlight = -1;
    Instant now = clock.instant();
    try (PreparedStatement ps = c.prepareStatement("SELECT ch.sequence, ch.entry_time, cl.sequence, cl.kind FROM "
        + LedgerSchema.ENTRY + " ch LEFT JOIN " + LedgerSchema.ENTRY + " cl ON cl.dataset_id = ch.dataset_id "
        + "AND cl.refers_to = ch.sequence AND cl.kind IN ('RELEASE', 'ABANDON') WHERE ch.dataset_id = ? "
        + "AND ch.query_key = ? AND ch.fingerprint = ? AND ch.kind = 'CHARGE' ORDER BY ch.sequence")) {
      ps.setString(1, r.datasetId());
      ps.setString(2, r.queryKey());
      ps.setString(3, r.fingerprint());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next() && released == null) {
          long chargeSeq = rs.getLong(1);
          String closedBy = rs.getString(4);
          if (EntryKind.RELEASE.name().equals(closedBy)) {
            released = rs.getLong(3);
          } else if (closedBy == null) {
            Instant t = EntryCodec.parseTime(rs.getString(2));
            if (t != null && t.plus(inFlightTimeout).isAfter(now)) {
              inFlight = chargeSeq;
            }
          }
        }
      }
    }
    if (released != null) {
      StoredEntry release = selectEntry(c, r.datasetId(), released);
      if (release == null || !EntryCodec.hash(release).equals(release.hash()) || release.resultJson() == null) {
        throw corrupt(r.datasetId(), "the stored answer in entry " + released + " does not match its hash");
      }
      return new ChargeOutcome.Reused(release.refersTo(), release.resultJson(), head.remaining());
    }
    return inFlight > 0 ? new ChargeOutcome.InFlight(inFlight) : null;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Rows

  private static void insert(Connection c, StoredEntry e) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + LedgerSchema.ENTRY + " (" + COLUMNS
        + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, e.datasetId());
      ps.setLong(2, e.sequence());
      ps.setString(3, e.kind());
      ps.setString(4, e.fingerprint());
      ps.setString(5, e.time());
      ps.setString(6, e.analyst());
      ps.setString(7, e.sql());
      ps.setString(8, e.queryKey());
      ps.setString(9, e.planHash());
      ps.setString(10, e.measurements());
      ps.setString(11, e.costEpsilon());
      ps.setString(12, e.costDelta());
      ps.setString(13, e.resultJson());
      if (e.refersTo() == null) {
        ps.setNull(14, Types.BIGINT);
      } else {
        ps.setLong(14, e.refersTo());
      }
      ps.setString(15, e.note());
      ps.setString(16, e.spentEpsilon());
      ps.setString(17, e.spentDelta());
      ps.setString(18, e.totalEpsilon());
      ps.setString(19, e.totalDelta());
      ps.setString(20, e.previousHash());
      ps.setString(21, e.hash());
      ps.executeUpdate();
    }
  }

  private static StoredEntry read(ResultSet rs) throws SQLException {
    long refers = rs.getLong(14);
    Long refersTo = rs.wasNull() ? null : refers;
    return new StoredEntry(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5),
        rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10), rs.getString(11),
        rs.getString(12), rs.getString(13), refersTo, rs.getString(15), rs.getString(16), rs.getString(17),
        rs.getString(18), rs.getString(19), rs.getString(20), rs.getString(21));
  }

  private static StoredEntry selectEntry(Connection c, String datasetId, long sequence) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM " + LedgerSchema.ENTRY
        + " WHERE dataset_id = ? AND sequence = ?")) {
      ps.setString(1, datasetId);
      ps.setLong(2, sequence);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? read(rs) : null;
      }
    }
  }

  private static List<StoredEntry> selectAll(Connection c, String datasetId) throws SQLException {
    List<StoredEntry> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM " + LedgerSchema.ENTRY
        + " WHERE dataset_id = ? ORDER BY sequence")) {
      ps.setString(1, datasetId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(read(rs));
        }
      }
    }
    return out;
  }

  private static long countEntries(Connection c, String datasetId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM " + LedgerSchema.ENTRY
        + " WHERE dataset_id = ?")) {
      ps.setString(1, datasetId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static long maxSequence(Connection c, String datasetId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT MAX(sequence) FROM " + LedgerSchema.ENTRY
        + " WHERE dataset_id = ?")) {
      ps.setString(1, datasetId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        long max = rs.getLong(1);
        return rs.wasNull() ? 0 : max;
      }
    }
  }

  /**
   * The time recorded in an entry, in whole seconds: finer times would let anyone reading the history measure
   * how long each query ran (a RELEASE's time minus its CHARGE's), a side channel on the data. Closing entries
   * (RELEASE, ABANDON) carry their charge's time for the same reason.
   */
  private String now() {
    return clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
  }

  private static LedgerException notInitialised(String datasetId) {
    return new LedgerException("dataset '" + datasetId + "' is not initialised in this ledger; initialise it "
        + "with its total budget first (dpq does so from the dataset YAML on first use); if it had history, "
        + "restore its ledger from a backup instead: a ledger is never recreated silently");
  }

  private LedgerException corrupt(String datasetId, String what) {
    return new LedgerException("the ledger of dataset '" + datasetId + "' in " + dialect.describe()
        + " is inconsistent: " + what + "; every query is refused until it is restored from a backup "
        + "(run `dpq budget verify` for details)");
  }

  // ---------------------------------------------------------------------------------------------------------
  // Transactions

  @FunctionalInterface
  private interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /**
   * Runs {@code work} in one transaction, retrying from the start when the database reports contention (the
   * transaction was rolled back, so nothing was written). Any other failure rolls back and fails closed.
   */
  private <T> T transact(boolean write, String what, Work<T> work) {
    long deadline = System.nanoTime() + CONTENTION_DEADLINE.toNanos();
    for (int attempt = 0; ; attempt++) {
      Connection c;
      try {
        c = pool.borrow();
      } catch (SQLException e) {
        throw new LedgerException("cannot open " + dialect.describe() + " (" + e.getMessage() + "); check that it "
            + "exists, is a dpq ledger and is reachable; queries are refused until then", e);
      }
      boolean healthy = true;
      try {
        if (write) {
          dialect.beginWrite(c);
        } else {
          dialect.beginRead(c);
        }
        T result = work.run(c);
        dialect.commit(c);
        return result;
      } catch (SQLException e) {
        healthy = rollbackQuietly(c);
        if (dialect.isContention(e) && System.nanoTime() < deadline) {
          backoff(attempt);
          continue;
        }
        throw new LedgerException("the ledger (" + dialect.describe() + ") failed while " + what + ": "
            + e.getMessage() + "; nothing was charged unless a charge was returned", e);
      } catch (RuntimeException | Error e) {
        healthy = rollbackQuietly(c);
        throw e;
      } finally {
        pool.release(c, healthy);
      }
    }
  }

  private boolean rollbackQuietly(Connection c) {
    try {
      dialect.rollback(c);
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  private static void backoff(int attempt) {
    long maxMicros = Math.min(50_000L, 500L << Math.min(attempt, 7));
    long jitter = Math.floorMod(System.nanoTime() ^ Thread.currentThread().getId() * 0x9E3779B97F4A7C15L, maxMicros);
    LockSupport.parkNanos((maxMicros / 2 + jitter / 2) * 1000L);
  }
}
