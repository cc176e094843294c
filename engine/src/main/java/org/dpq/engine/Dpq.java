package org.dpq.engine;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.dpq.budget.Accounting;
import org.dpq.budget.Allocation;
import org.dpq.budget.ChargeOutcome;
import org.dpq.budget.ChargeRequest;
import org.dpq.budget.Ledger;
import org.dpq.budget.LedgerEntry;
import org.dpq.budget.LedgerStatus;
import org.dpq.budget.MeasurementCost;
import org.dpq.budget.VerifyReport;
import org.dpq.engine.analysis.Analyzer;
import org.dpq.engine.execution.BackendPublicTuples;
import org.dpq.engine.analysis.BindParameters;
import org.dpq.engine.analysis.DpPlan;
import org.dpq.engine.catalog.CacheLocation;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.DatasetLoader;
import org.dpq.engine.catalog.Fingerprint;
import org.dpq.engine.catalog.Source;
import org.dpq.engine.catalog.SourceStamps;
import org.dpq.engine.execution.Backend;
import org.dpq.engine.execution.Backends;
import org.dpq.engine.execution.DuckDbBackend;
import org.dpq.engine.execution.TypedCopy;
import org.dpq.engine.release.BudgetAllocator;
import org.dpq.engine.release.MeasurementNoise;
import org.dpq.engine.release.Noise;
import org.dpq.engine.release.NoisePlan;
import org.dpq.engine.release.ReleaseKey;
import org.dpq.engine.release.Releaser;
import org.dpq.engine.release.SecureNoise;
import org.dpq.engine.release.ZcdpCharge;
import org.dpq.engine.rewrite.BoundedQuery;
import org.dpq.engine.rewrite.GroupLimit;
import org.dpq.engine.rewrite.Rewriter;
import org.dpq.engine.rewrite.SecretTemplate;
import org.dpq.errors.BackendException;
import org.dpq.errors.LedgerException;
import org.dpq.mechanisms.MechanismChoice;
import org.dpq.mechanisms.PrivacyLoss;
import org.dpq.mechanisms.SecureRandomBits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Java entry point: one dataset, its ledger and its backend. Every answer goes through analysis (reject
 * what cannot be bounded, at no cost), the ledger (charge durably before data is read; never refunded once the
 * backend was called), the bounded query on the backend, and release (noise from SecureRandom only, keys only
 * via public domains or partition selection). An identical query with identical parameters on identical data
 * returns the stored answer at no cost. Analysis and dry runs of a CSV or Parquet source use an empty table of the
 * declared types; the source (or its typed copy, see {@link TypedCopy}) is loaded only once a query passed analysis,
 * before its charge, so {@code explain} and rejections never read data. The data-independent plan of a recent query
 * (analysis, noise allocation, bounded SQL, dry runs) is kept ({@link PlanCache}), so a repeated query is only
 * charged, run with a fresh secret and noised. Safe for concurrent use by several threads.
 *
 * <pre>{@code
 * try (Dpq dpq = Dpq.open(Path.of("samples/ratings.yaml"))) {
 *   QueryResult r = dpq.query("SELECT rating, COUNT(*) AS n FROM ratings GROUP BY rating",
 *       QueryOptions.defaults().withEpsilon("1.0"));
 *   QueryResult mean = dpq.mean("rating").groupBy("product").run();
 * }
 * }</pre>
 */
public final class Dpq implements AutoCloseable {
  private static final long IN_FLIGHT_WAIT_MILLIS = 120_000;
  /** Plans kept per instance (see {@link PlanCache}): enough for a dashboard's queries, small in memory. */
  private static final int PLANS_KEPT = 64;
  /** Timings, the backend and plan decisions only: never SQL results, data values or query parameters. */
  private static final Logger LOG = LoggerFactory.getLogger(Dpq.class);

  private final Dataset dataset;
  private final String fingerprint;
  private final Ledger ledger;
  private final Noise noise;
  private final boolean withinAllocations;
  private final boolean ownsLedger;
  private final ReleaseKey.Scheme releaseKey;
  /** Public tuples of joint key domains, read once per table and columns (public data: reading costs nothing). */
  private final Map<List<String>, List<List<String>>> publicTuples = new java.util.concurrent.ConcurrentHashMap<>();
  private final Analyzer analyzer = new Analyzer(this::publicTuples);
  private final Rewriter rewriter;
  private final GroupLimitChoice groupLimits;
  private final BudgetAllocator allocator = new BudgetAllocator();
  private final Releaser releaser = new Releaser();
  private final StoredAnswers answers = new StoredAnswers();
  /** Data-independent plans of recent queries, keyed by everything planning reads (see {@link PlanCache}). */
  private volatile PlanCache<PlanKey, Prepared> plans = new PlanCache<>(PLANS_KEPT);
  /** Where each release's secret comes from: SecureRandom, except through a package-private test seam. */
  private volatile java.util.function.LongSupplier secrets = Dpq::secret;
  private final AutoBoundsResolver autoBounds;
  private final Object backendLock = new Object();
  private final DataSource backendSource;
  private volatile Backend backend;
  /** For CSV and Parquet sources, an empty table of the declared types: analysis and dry runs read no data. */
  private volatile Backend planner;
  private final CacheLocation cache;
  private final PhaseListener phases;
  /** Time spent opening backends (setup, load), excluded from the "plan" phase. */
  private volatile long loadNanos;
  /** Set by {@link #close()}: a planner set up in the background after that is never created. */
  private boolean closed;

  private Dpq(Dataset dataset, Ledger ledger, Noise noise, ReleaseKey.Scheme releaseKey, PhaseListener phases,
      boolean withinAllocations, boolean ownsLedger, DataSource backendSource) {
    this(dataset, ledger, noise, releaseKey, phases, withinAllocations, ownsLedger, backendSource, new Rewriter());
  }

  private Dpq(Dataset dataset, Ledger ledger, Noise noise, ReleaseKey.Scheme releaseKey, PhaseListener phases,
      boolean withinAllocations, boolean ownsLedger, DataSource backendSource, Rewriter rewriter) {
    this.rewriter = rewriter;
    this.dataset = dataset;
    this.backendSource = backendSource;
    this.phases = phases;
    long start = System.nanoTime();
    this.cache = CacheLocation.of(dataset);
    this.fingerprint = Fingerprint.of(dataset, SourceStamps.in(cache));
    phases.phase("fingerprint", System.nanoTime() - start);
    // A file source's group-limit choices outlive the process beside its typed copy, under the same fingerprint (so
    // a later CLI call does not scan the data again to choose). Not for a served dataset: there a choice one analyst's
    // query made must not make a later server process faster for another (invariant 8, timing).
    this.groupLimits = new GroupLimitChoice(rewriter, local() && !withinAllocations
        ? GroupLimitChoice.file(cache, dataset.name(), fingerprint) : Optional.empty());
    this.ledger = ledger;
    this.noise = noise;
    this.withinAllocations = withinAllocations;
    this.ownsLedger = ownsLedger;
    this.releaseKey = releaseKey;
    // Race-safe: when several processes open a new dataset at once, exactly one INIT entry is written.
    ledger.initialiseIfAbsent(dataset.name(), fingerprint, dataset.budget(), "dpq (first use of " + dataset.name() + ")",
        dataset.accounting());
    this.autoBounds = new AutoBoundsResolver(dataset, fingerprint, ledger, analyzer, withinAllocations);
  }

  /** Opens a dataset described by a YAML file (initialising its ledger on first use). */
  public static Dpq open(Path datasetYaml) {
    return open(datasetYaml, SecureNoise.create(), ReleaseKey.CANONICAL, PhaseListener.NONE);
  }

  /** Opens a dataset, telling {@code phases} how long each phase of opening and of every query takes. */
  public static Dpq open(Path datasetYaml, PhaseListener phases) {
    return open(datasetYaml, SecureNoise.create(), ReleaseKey.CANONICAL, phases);
  }

  /**
   * A builder for everything {@link #open(Path)} reads from the YAML, given in code instead: the dataset (from a
   * YAML file or text, or defined with {@link Dataset#builder}), the ledger (a location, or a PostgreSQL
   * DataSource) and the backend's connections (a DataSource, so that no password is written in a YAML URL).
   */
  public static DpqBuilder builder() {
    return new DpqBuilder();
  }

  /** Opens what a {@link DpqBuilder} describes; the ledger is closed again if the dataset cannot be used. */
  static Dpq open(Dataset dataset, Ledger ledger, DataSource backendSource) {
    try {
      return new Dpq(dataset, ledger, SecureNoise.create(), ReleaseKey.CANONICAL, PhaseListener.NONE, false, true,
          backendSource);
    } catch (RuntimeException e) {
      ledger.close();
      throw e;
    }
  }

  /** Test seam: package-private, so no analyst, flag or SQL text can choose the noise. */
  static Dpq open(Path datasetYaml, Noise noise) {
    return open(datasetYaml, noise, ReleaseKey.CANONICAL, PhaseListener.NONE);
  }

  /** Test seam: package-private, so that only tests can name releases otherwise (e.g. by an old, broken key). */
  static Dpq open(Path datasetYaml, Noise noise, ReleaseKey.Scheme releaseKey) {
    return open(datasetYaml, noise, releaseKey, PhaseListener.NONE);
  }

  /**
   * Test seam: package-private, so that only tests can open an engine whose rewrite is deliberately broken (the
   * negative controls of the empirical audits).
   */
  static Dpq open(Path datasetYaml, Noise noise, ReleaseKey.Scheme releaseKey, Rewriter rewriter) {
    return open(datasetYaml, noise, releaseKey, PhaseListener.NONE, Objects.requireNonNull(rewriter));
  }

  private static Dpq open(Path datasetYaml, Noise noise, ReleaseKey.Scheme releaseKey, PhaseListener phases) {
    return open(datasetYaml, noise, releaseKey, phases, new Rewriter());
  }

  private static Dpq open(Path datasetYaml, Noise noise, ReleaseKey.Scheme releaseKey, PhaseListener phases,
      Rewriter rewriter) {
    long start = System.nanoTime();
    Dataset dataset = DatasetLoader.load(datasetYaml);
    Ledger ledger = Ledger.open(dataset.ledger());
    Objects.requireNonNull(phases, "phases").phase("open", System.nanoTime() - start);
    try {
      return new Dpq(dataset, ledger, Objects.requireNonNull(noise), Objects.requireNonNull(releaseKey), phases,
          false, true, null, rewriter);
    } catch (RuntimeException e) {
      ledger.close();
      throw e;
    }
  }

  /**
   * Opens a dataset for {@code dpq serve}: charges go to {@code sharedLedger} (the server's one ledger, which this
   * instance uses but does not close), and every charge must fit the asking analyst's allocation as well as the
   * dataset's total, in the same transaction (invariant 8: the analyst is the server's authenticated principal,
   * given as {@link QueryOptions#analyst()}).
   */
  public static Dpq openServed(Path datasetYaml, Ledger sharedLedger) {
    return new Dpq(DatasetLoader.load(datasetYaml), Objects.requireNonNull(sharedLedger, "sharedLedger"),
        SecureNoise.create(), ReleaseKey.CANONICAL, PhaseListener.NONE, true, false, null);
  }

  /** The dataset's catalog entry. */
  public Dataset dataset() {
    return dataset;
  }

  /** Answers one query with the dataset's default loss. */
  public QueryResult query(String sql) {
    return query(sql, QueryOptions.defaults());
  }

  /**
   * Answers a query with {@code ?} parameters in it, each bound as a literal (a number, String, Boolean or
   * LocalDate), e.g. {@code query("SELECT COUNT(*) FROM t WHERE age >= ? AND sex = ?", options, 18, "1")}. The
   * bound text is what is analysed, recorded in the ledger and keyed for stored answers: a parameter is an
   * analyst's constant with the standing of SQL text.
   *
   * @throws org.dpq.errors.QueryRejectedException when the parameters do not match the markers (no charge)
   */
  public QueryResult query(String sql, QueryOptions options, Object... parameters) {
    return query(BindParameters.bind(sql, parameters), options);
  }

  /**
   * Answers one query.
   *
   * @throws org.dpq.errors.QueryRejectedException when the query cannot be bounded (no charge)
   * @throws org.dpq.errors.InvalidPrivacyParameterException for a bad epsilon or delta (no charge)
   * @throws org.dpq.errors.BudgetExhaustedException when the loss exceeds what remains (no charge)
   * @throws BackendException when the backend failed after the charge (the charge stands)
   * @throws LedgerException when the ledger is unusable (fail closed)
   */
  public QueryResult query(String sql, QueryOptions options) {
    long arrived = System.nanoTime();
    AutoBoundsResolver.Resolution bounds = autoBounds.resolve(sql);
    Prepared p = prepare(sql, options, bounds.dataset());
    backend(); // loads the source after analysis succeeded and before the charge: a bad source costs nothing
    if (!bounds.toEstimate().isEmpty()) {
      p = withEstimatedBounds(sql, options, p, bounds);
    }
    LOG.debug("dataset '{}': planned in {} ms ({} measurements, partition mode {}, group-limit order {})",
        dataset.name(), millis(arrived), p.noisePlan().measurements().size(), p.plan().partitionMode(),
        p.groupLimitChosenAtRunTime() ? "chosen at run time" : "aggregate-first");
    ChargeRequest request = chargeRequest(sql, options, p);
    long deadline = System.currentTimeMillis() + IN_FLIGHT_WAIT_MILLIS;
    while (true) {
      long start = System.nanoTime();
      ChargeOutcome outcome = withinAllocations ? ledger.chargeWithinAllocation(request) : ledger.charge(request);
      phases.phase("charge", System.nanoTime() - start);
      if (outcome instanceof ChargeOutcome.Reused reused) {
        LOG.debug("dataset '{}': the stored answer of ledger entry {} is returned at no cost", dataset.name(),
            reused.chargeSequence());
        return answers.restore(reused.resultJson(), shown(reused.remaining()), reused.chargeSequence());
      }
      if (outcome instanceof ChargeOutcome.Charged charged) {
        LOG.debug("dataset '{}': ledger entry {} charged {} ({} ms since the query arrived)", dataset.name(),
            charged.sequence(), charged.cost(), millis(arrived));
        return execute(p, charged, options.analyst());
      }
      ChargeOutcome.InFlight inFlight = (ChargeOutcome.InFlight) outcome;
      if (System.currentTimeMillis() > deadline) {
        throw new LedgerException("an identical query (ledger entry " + inFlight.chargeSequence()
            + ") was charged but has not been released; retry later");
      }
      sleep();
    }
  }

  /**
   * Pays for and records the automatic bounds the query needs (each its own ledger charge, before the histogram
   * query reads data), then plans the query again with them. When the shares and the query together do not fit what
   * remains of the dataset's budget (or, served, of the analyst's allocation), nothing is charged.
   */
  private Prepared withEstimatedBounds(String sql, QueryOptions options, Prepared placeholder,
      AutoBoundsResolver.Resolution bounds) {
    // in the ledger's accounting (rho under zCDP); a query zCDP cannot account is refused here, before any charge
    PrivacyLoss both = autoBounds.cost(bounds.toEstimate()).plus(chargeRequest(sql, options, placeholder).total());
    PrivacyLoss remaining = budgetStatus().remaining();
    if (!both.fitsWithin(remaining)) {
      throw new org.dpq.errors.BudgetExhaustedException(dataset.name(), both, remaining);
    }
    if (withinAllocations) {
      PrivacyLoss own = allocations().stream().filter(a -> a.analyst().equals(options.analyst())).findFirst()
          .map(Allocation::remaining).orElse(PrivacyLoss.ZERO);
      if (!both.fitsWithin(own)) {
        throw org.dpq.errors.BudgetExhaustedException.ofAllocation(dataset.name(), options.analyst(), both, own);
      }
    }
    autoBounds.estimate(bounds.toEstimate(), options.analyst(), backend(), noise);
    return prepare(sql, options, autoBounds.resolve(sql).dataset());
  }

  /**
   * Runs a charged query. Whatever fails from here on (the backend, a resource limit, a timeout, the release)
   * ends the same way: one {@link BackendException} with one message, one ABANDON entry with one note, and the
   * charge stands, so the outcome of a failure cannot tell which failure it was (invariant 7). The observable
   * completion, success or failure, is padded to the dataset's response quantum.
   */
  private QueryResult execute(Prepared p, ChargeOutcome.Charged charged, String analyst) {
    long start = System.nanoTime();
    try {
      Releaser.Released released;
      try {
        // served: each analyst's own memory of orders (invariant 8: another's probe must not make this query faster)
        GroupLimit order = groupLimits.choose(withinAllocations ? "analyst:" + analyst : "", p.groupLimitProbe(),
            backend());
        long secret = secrets.getAsLong(); // one per query: the tree queries keep the same G groups per unit
        // The planned text with this release's secret put in (the same text a rewrite with it gives).
        org.apache.calcite.sql.SqlDialect dialect = backend().dialect();
        BoundedQuery bounded = p.main(order, dialect).map(t -> t.withSecret(secret))
            .orElseGet(() -> rewriter.rewrite(p.plan(), dialect, secret, order));
        long backendStart = System.nanoTime();
        List<Object[]> rows = backend().execute(bounded.sql());
        java.util.Map<Integer, List<Object[]>> trees = new java.util.HashMap<>();
        for (int i : treeMeasurements(p.plan())) {
          BoundedQuery tree = p.tree(i, dialect).map(t -> t.withSecret(secret))
              .orElseGet(() -> rewriter.treeQuery(p.plan(), i, dialect, secret));
          trees.put(i, backend().execute(tree.sql()));
        }
        long executed = System.nanoTime();
        phases.phase("backend", executed - backendStart);
        released = releaser.release(p.plan(), p.noisePlan(), rows, trees, noise);
        phases.phase("release", System.nanoTime() - executed);
        LOG.debug("dataset '{}': ledger entry {}: {} ran the bounded query ({}) in {} ms; released in {} ms",
            dataset.name(), charged.sequence(), backend().getClass().getSimpleName(), order,
            (executed - backendStart) / 1_000_000, millis(executed));
      } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
        // One uniform outcome after the charge: the log says no more than the ledger's note does.
        LOG.warn("dataset '{}': the query of ledger entry {} failed after its charge; the charge stands",
            dataset.name(), charged.sequence());
        ledger.abandon(dataset.name(), charged.sequence(), FailedAfterCharge.LEDGER_NOTE);
        throw FailedAfterCharge.exception(charged.sequence());
      }
      // Under zCDP the ledger charged rho; the result shows the (epsilon, delta) this release was calibrated to
      // and what remains as the epsilon of the remaining rho at the budget's delta.
      PrivacyLoss cost = dataset.accounting() == Accounting.ZCDP ? p.noisePlan().total() : charged.cost();
      QueryResult result = new QueryResult(released.columns(), released.rows(), cost,
          shown(charged.remaining()), false, charged.sequence());
      ledger.recordRelease(dataset.name(), charged.sequence(), answers.store(result));
      return result;
    } finally {
      ResponseQuantum.pad(start, dataset.limits().responseQuantumMillis());
    }
  }

  /** {@link #explain(String, QueryOptions)} of a query with {@code ?} parameters (bound as by {@link #query}). */
  public Explanation explain(String sql, QueryOptions options, Object... parameters) {
    return explain(BindParameters.bind(sql, parameters), options);
  }

  /** What the query would do and cost, without reading data or charging. */
  public Explanation explain(String sql, QueryOptions options) {
    AutoBoundsResolver.Resolution bounds = autoBounds.resolve(sql);
    Prepared p = prepare(sql, options, bounds.dataset());
    List<MeasurementExplanation> ms = p.noisePlan().measurements().stream()
        .map(m -> new MeasurementExplanation(m.label(), m.measurement().l1(), m.measurement().l2(), m.loss(),
            m.mechanism().kind(), m.mechanism().scale(), m.mechanism().halfWidth(0.95),
            m.measurement().kind() == org.dpq.engine.analysis.MeasurementKind.SUM
                || m.measurement().kind() == org.dpq.engine.analysis.MeasurementKind.UNIT_MEANS
                ? m.measurement().upper() - m.measurement().lower() : 0))
        .toList();
    return new Explanation(p.boundedSqlTemplate(), p.plan().partitionMode().name(),
        p.noisePlan().threshold().map(t -> java.util.OptionalLong.of(t.threshold()))
            .orElse(java.util.OptionalLong.empty()),
        ms, p.noisePlan().total(), shown(budgetStatus().remaining()), p.groupLimitChosenAtRunTime(),
        p.plan().keys().stream().map(org.dpq.engine.analysis.GroupKey::release).toList(), autoBounds.explain(bounds));
  }

  /**
   * A remaining budget as an analyst reads it: as the ledger holds it under basic composition; under zCDP, where
   * the ledger holds (rho, delta), the epsilon that rho converts to at delta (rounded up).
   */
  private PrivacyLoss shown(PrivacyLoss remaining) {
    if (dataset.accounting() != Accounting.ZCDP) {
      return remaining;
    }
    return new PrivacyLoss(org.dpq.budget.Zcdp.epsilon(remaining.epsilon(), remaining.delta()), remaining.delta());
  }

  /**
   * The dataset's budget as the ledger holds it: total, spent, remaining (exact); under zCDP accounting the
   * epsilons are rho and the total's delta is the delta rho converts at ({@link org.dpq.budget.Zcdp}).
   */
  public LedgerStatus budgetStatus() {
    return ledger.status(dataset.name());
  }

  /** Every ledger entry of the dataset, oldest first. */
  public List<LedgerEntry> history() {
    return ledger.history(dataset.name());
  }

  /** Recomputes the ledger's hash chain and names the first bad entry. */
  public VerifyReport verify() {
    return ledger.verify(dataset.name());
  }

  /**
   * Administrative: sets {@code analyst}'s share of this dataset's budget (the whole share; zero revokes it),
   * recorded as a chained ALLOCATE entry with the actor and the reason (which must not contain data values).
   */
  public Allocation allocate(String analyst, PrivacyLoss share, String actor, String reason) {
    return ledger.allocate(dataset.name(), analyst, share, actor, reason);
  }

  /** Every analyst's allocation on this dataset: share, exact spend, remainder. */
  public List<Allocation> allocations() {
    return ledger.allocations(dataset.name());
  }

  /**
   * Administrative: raises the dataset's total budget in its ledger by {@code increase}, recorded as a chained
   * RAISE entry with the actor and the reason (which must not contain data values). The YAML's {@code budget}
   * is the initial total only; after a raise the ledger's total is the one that counts.
   *
   * @return the balance after the raise
   */
  public LedgerStatus raiseBudget(PrivacyLoss increase, String actor, String reason) {
    return ledger.raiseTotalBy(dataset.name(), increase, actor, reason);
  }

  /** A noisy {@code COUNT(*)}, to be narrowed with {@code where} and {@code groupBy}. */
  public Aggregation count() {
    return new Aggregation(this, "COUNT", null);
  }

  /** A noisy {@code SUM(column)} (the column needs bounds). */
  public Aggregation sum(String column) {
    return new Aggregation(this, "SUM", column);
  }

  /** A noisy {@code AVG(column)} (the column needs bounds). */
  public Aggregation mean(String column) {
    return new Aggregation(this, "AVG", column);
  }

  /** A noisy {@code VAR_POP(column)} (the column needs bounds). */
  public Aggregation variance(String column) {
    return new Aggregation(this, "VAR_POP", column);
  }

  /**
   * Asks every bounded query this instance is running on its backend to stop (an analyst's Ctrl-C). A query
   * stopped this way fails as any failure after the charge does: the charge stands, nothing is refunded, and the
   * ledger records the failure. Queries still being analysed are not affected. Returns how many backend queries
   * were asked to stop.
   */
  public int cancelRunning() {
    Backend b = backend;
    return b == null ? 0 : b.cancelRunning();
  }

  /**
   * Starts setting up the empty table of the declared types that analysis and dry runs use (for a CSV or Parquet
   * source; DuckDB's native library and an in-memory table: no data is read) on a daemon thread, so that it
   * overlaps the analysis of the query that the caller is about to ask (a CLI call, whose JVM is fresh). Changes
   * nothing else: the query is analysed, dry-run, loaded, charged and answered as without it, and a setup that
   * fails here fails again, the same way, when the query needs it.
   */
  public void startPlannerSetup() {
    if (!local()) {
      return;
    }
    Thread t = new Thread(() -> {
      try {
        openPlanner(false);
      } catch (RuntimeException e) {
        // the query's own call meets the same failure where it would without this
      }
    }, "dpq-planner-setup");
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void close() {
    synchronized (backendLock) {
      closed = true;
      if (backend != null) {
        backend.close();
        backend = null;
      }
      if (planner != null) {
        planner.close();
        planner = null;
      }
    }
    if (ownsLedger) {
      ledger.close();
    }
  }

  /** Everything decided before the charge; any failure here costs nothing. */
  private Prepared prepare(String sql, QueryOptions options, Dataset analysed) {
    Objects.requireNonNull(sql, "sql");
    long start = System.nanoTime();
    long loadedBefore = loadNanos;
    Prepared prepared = prepareTimed(sql, options, analysed);
    // Opening the backend on first use is reported as "load", not as planning.
    phases.phase("plan", System.nanoTime() - start - (loadNanos - loadedBefore));
    return prepared;
  }

  /**
   * {@code analysed}: the dataset with its automatic bounds in place (placeholders where not yet estimated). The
   * plan comes from {@link #plans} when this query was planned before with the same key; the stored-answer key is
   * kept with it under the canonical scheme (a function of the plan key) and computed per call otherwise (a test's
   * release-key scheme may number its calls).
   */
  private Prepared prepareTimed(String sql, QueryOptions options, Dataset analysed) {
    PrivacyLoss requested = PrivacyLoss.of(options.epsilon().orElse(dataset.defaults().epsilon()),
        options.delta().orElse(dataset.defaults().delta()));
    Prepared planned = plans.get(new PlanKey(options.analyst(), sql, requested, options.mechanism(), options.weights(),
        analysed),
        () -> plan(sql, options, analysed, requested));
    if (releaseKey == ReleaseKey.CANONICAL) {
      return planned; // a function of the plan key: computed once, in plan()
    }
    return planned.withQueryKey(releaseKey.key(planned.plan(), planned.noisePlan(), requested, options.mechanism()));
  }

  /**
   * Analysis, allocation, the rewrites (once per order and tree, as {@link SecretTemplate}s that later releases put
   * their own secrets into) and the dry runs on the planner: all on the declared schema, none reads data.
   */
  private Prepared plan(String sql, QueryOptions options, Dataset analysed, PrivacyLoss requested) {
    DpPlan plan = analyzer.analyze(analysed, sql);
    Releaser.check(plan);
    NoisePlan noisePlan = allocator.allocate(plan, requested, options.mechanism(), options.weights());
    org.apache.calcite.sql.SqlDialect dialect = planner().dialect();
    SecretTemplate main = SecretTemplate.of(s -> rewriter.rewrite(plan, dialect, s, GroupLimit.AGGREGATE_FIRST));
    String template = main.atZero().sql();
    planner().dryRun(template); // a query the backend cannot run at all is refused here, before the charge
    Map<Integer, SecretTemplate> trees = new java.util.LinkedHashMap<>();
    for (int i : treeMeasurements(plan)) {
      SecretTemplate tree = SecretTemplate.of(s -> rewriter.treeQuery(plan, i, dialect, s));
      String treeSql = tree.atZero().sql();
      planner().dryRun(treeSql);
      template = template + ";\n" + treeSql;
      trees.put(i, tree);
    }
    Optional<String> probe = groupLimits.probe(plan, planner());
    Optional<SecretTemplate> rankFirst = Optional.empty();
    if (probe.isPresent()) {
      planner().dryRun(probe.get());
      SecretTemplate ranked = SecretTemplate.of(s -> rewriter.rewrite(plan, dialect, s, GroupLimit.RANK_FIRST));
      planner().dryRun(ranked.atZero().sql());
      rankFirst = Optional.of(ranked);
    }
    String queryKey = releaseKey == ReleaseKey.CANONICAL
        ? ReleaseKey.CANONICAL.key(plan, noisePlan, requested, options.mechanism()) : "";
    return new Prepared(plan, noisePlan, template, queryKey, ReleaseKey.planHash(plan, noisePlan), probe, main,
        rankFirst, Map.copyOf(trees), dialect);
  }

  /**
   * Everything {@link #plan} reads besides this instance's fixed parts (rewriter, planner dialect, public key
   * domains), and the analyst: no plan depends on who asks, but a served {@code Dpq} is shared by every analyst of its
   * dataset, and a plan kept for one must not make another's identical query faster, which would tell the second
   * that the first asked it (invariant 8: a principal never reads another's history, timing included).
   */
  private record PlanKey(String analyst, String sql, PrivacyLoss requested, MechanismChoice mechanism,
      Map<String, Double> weights, Dataset analysed) {}

  /** The indices of the plan's quantile-tree measurements (each has its own bounded tree query). */
  private static List<Integer> treeMeasurements(DpPlan plan) {
    List<Integer> out = new java.util.ArrayList<>();
    for (int i = 0; i < plan.measurements().size(); i++) {
      if (plan.measurements().get(i).kind() == org.dpq.engine.analysis.MeasurementKind.QUANTILE_TREE) {
        out.add(i);
      }
    }
    return out;
  }

  /**
   * @param groupLimitProbe the shape probe, when the backend picks the group-limit order at run time
   * @param main the main bounded query, aggregate-first, in {@code templateDialect}
   * @param rankFirst the main bounded query rank-first, when the backend picks the order at run time
   * @param trees the bounded query of each quantile-tree measurement, by its index
   */
  private record Prepared(DpPlan plan, NoisePlan noisePlan, String boundedSqlTemplate, String queryKey,
      String planHash, Optional<String> groupLimitProbe, SecretTemplate main, Optional<SecretTemplate> rankFirst,
      Map<Integer, SecretTemplate> trees, org.apache.calcite.sql.SqlDialect templateDialect) {
    boolean groupLimitChosenAtRunTime() {
      return groupLimitProbe.isPresent();
    }

    Prepared withQueryKey(String key) {
      return new Prepared(plan, noisePlan, boundedSqlTemplate, key, planHash, groupLimitProbe, main, rankFirst,
          trees, templateDialect);
    }

    /** The template of the main query in {@code order}, when one was made for it in {@code dialect}. */
    Optional<SecretTemplate> main(GroupLimit order, org.apache.calcite.sql.SqlDialect dialect) {
      if (dialect != templateDialect) {
        return Optional.empty();
      }
      return order == GroupLimit.AGGREGATE_FIRST ? Optional.of(main) : rankFirst;
    }

    /** The template of quantile-tree measurement {@code i}, when one was made for it in {@code dialect}. */
    Optional<SecretTemplate> tree(int i, org.apache.calcite.sql.SqlDialect dialect) {
      return dialect == templateDialect ? Optional.ofNullable(trees.get(i)) : Optional.empty();
    }
  }

  /**
   * The charge for a prepared query in the dataset's accounting: its (epsilon, delta) split under basic
   * composition, or the rho of its released noise under zCDP (a query zCDP cannot account is refused here,
   * before anything is charged).
   */
  private ChargeRequest chargeRequest(String sql, QueryOptions options, Prepared p) {
    // served: a stored answer is one analyst's, never another principal's (invariant 8)
    String key = withinAllocations ? ReleaseKey.forAnalyst(p.queryKey(), options.analyst()) : p.queryKey();
    if (dataset.accounting() == Accounting.ZCDP) {
      ZcdpCharge z = ZcdpCharge.of(p.noisePlan());
      return new ChargeRequest(dataset.name(), fingerprint, options.analyst(), sql, key, p.planHash(),
          z.measurements(), z.total(), Accounting.ZCDP);
    }
    return new ChargeRequest(dataset.name(), fingerprint, options.analyst(), sql, key,
        p.planHash(), costs(p.noisePlan()), p.noisePlan().total());
  }

  private static List<MeasurementCost> costs(NoisePlan plan) {
    return plan.measurements().stream()
        .map((MeasurementNoise m) -> new MeasurementCost(m.label(), m.mechanism().kind().name(), m.loss()))
        .toList();
  }

  private Backend backend() {
    Backend b = backend;
    if (b == null) {
      synchronized (backendLock) {
        if (backend == null) {
          long start = System.nanoTime();
          backend = backendSource == null ? Backends.open(dataset, TypedCopy.of(cache, dataset.name(), fingerprint))
              : Backends.open(dataset, backendSource);
          long took = System.nanoTime() - start;
          loadNanos += took;
          phases.phase("load", took);
          LOG.info("dataset '{}': {} opened in {} ms{}", dataset.name(), backend.getClass().getSimpleName(),
              took / 1_000_000, backendSource == null ? "" : " (connections from the given DataSource)");
        }
        b = backend;
      }
    }
    return b;
  }

  /**
   * The backend analysis and dry runs use: for a CSV or Parquet source an empty DuckDB table of the declared
   * types (opened in the "setup" phase, reading no data), so that {@code explain} and rejected queries never load
   * the source; for other sources the backend itself (opening it reads no rows).
   */
  private Backend planner() {
    if (!local()) {
      return backend();
    }
    Backend b = backend;
    if (b != null) {
      return b; // already loaded: its own empty twin serves the dry runs
    }
    Backend p = planner;
    return p != null ? p : openPlanner(true);
  }

  /**
   * The planner, set up once. {@code inQuery}: called by a query, whose "plan" phase excludes the setup; false
   * for {@link #startPlannerSetup()}'s thread, whose setup overlaps the query's analysis instead (the query then
   * counts only the time it waits for it as planning).
   */
  private Backend openPlanner(boolean inQuery) {
    synchronized (backendLock) {
      if (planner == null) {
        if (closed) {
          throw new IllegalStateException("this Dpq is closed");
        }
        long start = System.nanoTime();
        planner = DuckDbBackend.declared(dataset);
        long took = System.nanoTime() - start;
        if (inQuery) {
          loadNanos += took;
        }
        phases.phase("setup", took);
      }
      return planner;
    }
  }

  /** True when the dataset's files are read by an embedded DuckDB that analysis does not load (see planner()). */
  private boolean local() {
    return backendSource == null
        && (dataset.source() instanceof Source.Csv || dataset.source() instanceof Source.Parquet);
  }

  /**
   * The distinct tuples of a joint key domain's public table, for the analyzer: through the loaded backend; before
   * it is loaded, for files, through an embedded DuckDB holding that public table alone (so {@code explain} and
   * rejections still load no private data); else through the backend, whose opening reads no row. Cached.
   */
  private List<List<String>> publicTuples(org.dpq.engine.catalog.TableSpec table, List<String> columns) {
    List<String> key = new java.util.ArrayList<>(columns);
    key.add(0, table.name());
    return publicTuples.computeIfAbsent(key, k -> {
      Backend loaded = backend;
      if (loaded != null || !local()) {
        return BackendPublicTuples.over(loaded != null ? loaded : backend()).read(table, columns);
      }
      long start = System.nanoTime();
      try {
        return BackendPublicTuples.fromFiles(dataset).read(table, columns);
      } finally {
        loadNanos += System.nanoTime() - start;
      }
    });
  }

  /** Test seam (package-private): keeps at most {@code capacity} plans from now on (0: plans every query afresh). */
  void keepPlansForTest(int capacity) {
    plans = new PlanCache<>(capacity);
  }

  /** Test seam (package-private): {hits, misses} of the plan cache since it was (re)made. */
  long[] planCountsForTest() {
    return plans.counts();
  }

  /** Test seam (package-private): how many group-limit orders this handle remembers (per analyst when served). */
  int groupLimitOrdersRememberedForTest() {
    return groupLimits.remembered();
  }

  /** Test seam (package-private), so that only tests can fix the secrets that choose each unit's G groups. */
  void secretsForTest(java.util.function.LongSupplier source) {
    secrets = Objects.requireNonNull(source);
  }

  /** A fresh secret per query for choosing which groups a unit keeps (from SecureRandom). */
  private static long secret() {
    return SecureRandomBits.create().nextLong();
  }

  private static long millis(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  /** Waits a moment for an identical charge in flight (a query, or an automatic bounds estimate). */
  static void sleep() {
    try {
      Thread.sleep(25);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LedgerException("interrupted while waiting for an identical query to be released");
    }
  }
}
