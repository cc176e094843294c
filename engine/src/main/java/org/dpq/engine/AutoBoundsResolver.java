package org.dpq.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.dpq.budget.Accounting;
import org.dpq.budget.ChargeOutcome;
import org.dpq.budget.ChargeRequest;
import org.dpq.budget.EntryKind;
import org.dpq.budget.Ledger;
import org.dpq.budget.LedgerEntry;
import org.dpq.budget.MeasurementCost;
import org.dpq.budget.Zcdp;
import org.dpq.engine.analysis.Analyzer;
import org.dpq.engine.catalog.Column;
import org.dpq.engine.catalog.ColumnType;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.execution.Backend;
import org.dpq.engine.release.Noise;
import org.dpq.engine.release.ReleaseKey;
import org.dpq.engine.rewrite.BoundsHistogram;
import org.dpq.errors.LedgerException;
import org.dpq.errors.QueryRejectedException;
import org.dpq.mechanisms.ApproxBounds;
import org.dpq.mechanisms.MechanismKind;
import org.dpq.mechanisms.PrivacyLoss;

/**
 * Clamp bounds of the columns declared {@code bounds: { auto: { epsilon } }}: estimated once per dataset fingerprint
 * with the epsilon-DP {@link ApproxBounds} estimator over the bounded {@link BoundsHistogram} query, paid for and
 * recorded in the ledger, and reused by every later query of any process at no further cost. Owns, for the estimate,
 * invariant 4 (its own CHARGE entry, committed durably before the histogram query reads data; a query that cannot
 * be analysed even with bounds is rejected before it, for free) and invariant 7 (any failure after that charge ends
 * as every failure after a charge does: one message, one ABANDON note, the charge stands).
 *
 * <p><b>Ledger form.</b> The estimate is an ordinary charge: a CHARGE entry whose SQL text is the label
 * {@code bounds of TABLE.COLUMN}, whose query key names the column, its epsilon share, the per-unit bin cap and the
 * bins, with one LAPLACE measurement of that share and delta 0; then a RELEASE entry holding the estimated bounds
 * ({@code column}, {@code lower}, {@code upper}, {@code found}), which are DP outputs. The ledger's rule for identical
 * queries (same dataset, fingerprint and key) returns that RELEASE at no cost to any later request, which is how
 * other processes reuse the bounds; a changed source or declaration changes the fingerprint, and the bounds are
 * estimated (and paid for) again. The chain verifier and audit commands see nothing new.
 *
 * <p><b>Who pays.</b> The analyst whose query first needs the bounds ({@link QueryOptions#analyst()}); on a server
 * the charge must fit that analyst's allocation as well as the dataset's budget, in the same transaction, like any
 * query of theirs. The bounds then belong to the dataset: every analyst's later queries reuse them for free.
 *
 * <p>Thread-safe: recorded bounds are cached per instance; two threads estimating at once are kept to one charge by
 * the ledger (the second sees the first's charge in flight, waits, and reuses its release).
 */
final class AutoBoundsResolver {
  /** The prefix of an estimate's query key (a version: a changed estimator gets new keys). */
  static final String KEY_PREFIX = "dpq-auto-bounds-v1:";
  /** Placeholder bounds used only to analyse a query whose auto bounds are not yet estimated (never executed). */
  static final double PLACEHOLDER_LOWER = 0;
  static final double PLACEHOLDER_UPPER = 1;

  private static final long IN_FLIGHT_WAIT_MILLIS = 120_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Dataset dataset;
  private final String fingerprint;
  private final Ledger ledger;
  private final Analyzer analyzer;
  private final boolean withinAllocations;
  /** Recorded estimates by lower-case column name, for this instance's fingerprint. */
  private final Map<String, Recorded> recorded = new ConcurrentHashMap<>();

  AutoBoundsResolver(Dataset dataset, String fingerprint, Ledger ledger, Analyzer analyzer,
      boolean withinAllocations) {
    this.dataset = dataset;
    this.fingerprint = fingerprint;
    this.ledger = ledger;
    this.analyzer = analyzer;
    this.withinAllocations = withinAllocations;
  }

  /**
   * A recorded estimate.
   *
   * @param chargeSequence the CHARGE entry that paid for it
   * @param estimate the released bounds (or none found)
   */
  record Recorded(long chargeSequence, ApproxBounds.Estimate estimate) {}

  /**
   * What a query is analysed against: the dataset with recorded bounds in place, and placeholder bounds for the
   * auto columns the query needs that have no estimate yet ({@code toEstimate}).
   */
  record Resolution(Dataset dataset, List<Column> toEstimate) {}

  /**
   * The dataset a query is analysed against, and which auto bounds it still needs estimated. Reads no data and
   * charges nothing.
   *
   * @throws QueryRejectedException when the query cannot be analysed even with bounds, or needs bounds whose
   *     recorded estimate found none (free)
   */
  Resolution resolve(String sql) {
    List<Column> open = open();
    if (open.isEmpty()) {
      return new Resolution(resolved(List.of()), List.of());
    }
    Dataset current = resolved(List.of());
    try {
      analyzer.analyze(current, sql);
      return new Resolution(current, List.of()); // the query does not need any bounds still open
    } catch (QueryRejectedException e) {
      analyzer.analyze(resolved(open), sql); // rejected for another reason: that rejection, free
    }
    List<Column> needed = new ArrayList<>();
    for (Column c : open) {
      List<Column> others = open.stream().filter(o -> o != c).toList();
      try {
        analyzer.analyze(resolved(others), sql);
      } catch (QueryRejectedException e) {
        needed.add(c);
      }
    }
    if (needed.stream().anyMatch(c -> !recorded.containsKey(key(c)))) {
      loadRecorded(); // another process may have estimated them
    }
    for (Column c : needed) {
      Recorded r = recorded.get(key(c));
      if (r != null && !r.estimate().found()) {
        throw new QueryRejectedException("the DP estimate of the bounds of '" + c.name() + "' (ledger entry "
            + r.chargeSequence() + ") found too few units in any bin to place bounds, so this query cannot clamp it. "
            + "Fix: declare lower and upper for '" + c.name() + "' in the dataset YAML, or do not aggregate it");
      }
    }
    List<Column> toEstimate = needed.stream().filter(c -> !recorded.containsKey(key(c))).toList();
    return new Resolution(resolved(toEstimate), toEstimate);
  }

  /** What the estimates of {@code columns} would charge together, in the ledger's accounting. */
  PrivacyLoss cost(List<Column> columns) {
    PrivacyLoss total = PrivacyLoss.ZERO;
    for (Column c : columns) {
      total = total.plus(charged(c));
    }
    return total;
  }

  /**
   * What one estimate charges: its epsilon share (delta 0) under basic accounting; under zCDP the rho of that pure
   * epsilon-DP release, epsilon^2/2 rounded up ({@link Zcdp#pureRho}).
   */
  private PrivacyLoss charged(Column c) {
    return dataset.accounting() == Accounting.ZCDP
        ? new PrivacyLoss(Zcdp.pureRho(c.autoBounds().orElseThrow().epsilon()), java.math.BigDecimal.ZERO) : loss(c);
  }

  /**
   * Estimates (or, when another process recorded them meanwhile, reuses) the bounds of {@code columns}, each
   * charged on its own before the backend reads any data.
   *
   * @throws org.dpq.errors.BudgetExhaustedException when a share does not fit (nothing charged for it)
   * @throws org.dpq.errors.BackendException after a charge, the same for every failure (the charge stands)
   */
  void estimate(List<Column> columns, String analyst, Backend backend, Noise noise) {
    for (Column c : columns) {
      if (!recorded.containsKey(key(c))) {
        recorded.put(key(c), estimate(c, analyst, backend, noise));
      }
    }
  }

  private Recorded estimate(Column c, String analyst, Backend backend, Noise noise) {
    ApproxBounds bins = estimator(c);
    long k = BoundsHistogram.maxBinsPerUnit(dataset, bins);
    String queryKey = queryKey(c, bins, k);
    String label = label(c);
    ChargeRequest request = new ChargeRequest(dataset.name(), fingerprint, analyst, label, queryKey,
        ReleaseKey.sha256(queryKey),
        List.of(new MeasurementCost(label, MechanismKind.LAPLACE.name(), charged(c))), charged(c),
        dataset.accounting());
    long deadline = System.currentTimeMillis() + IN_FLIGHT_WAIT_MILLIS;
    while (true) {
      ChargeOutcome outcome = withinAllocations ? ledger.chargeWithinAllocation(request) : ledger.charge(request);
      if (outcome instanceof ChargeOutcome.Reused reused) {
        return new Recorded(reused.chargeSequence(), parse(reused.resultJson()));
      }
      if (outcome instanceof ChargeOutcome.Charged charged) {
        return new Recorded(charged.sequence(), run(c, bins, k, charged.sequence(), backend, noise));
      }
      if (System.currentTimeMillis() > deadline) {
        throw new LedgerException("the bounds of '" + c.name() + "' (ledger entry "
            + ((ChargeOutcome.InFlight) outcome).chargeSequence() + ") were charged but not recorded yet; retry later");
      }
      Dpq.sleep();
    }
  }

  /** Runs the paid histogram query and records the bounds; every failure ends alike (invariant 7). */
  private ApproxBounds.Estimate run(Column c, ApproxBounds bins, long k, long sequence, Backend backend, Noise noise) {
    long start = System.nanoTime();
    try {
      ApproxBounds.Estimate estimate;
      try {
        long[] counts = new long[bins.bins()];
        for (Object[] row : backend.execute(BoundsHistogram.sql(dataset, c, bins, k, backend.dialect()))) {
          int bin = ((Number) row[0]).intValue();
          if (bin < 0 || bin >= counts.length) {
            throw new IllegalStateException("the histogram query returned a bin outside the histogram");
          }
          counts[bin] = ((Number) row[1]).longValue();
        }
        long[] noisy = new long[counts.length];
        for (int i = 0; i < counts.length; i++) {
          noisy[i] = noise.add(bins.mechanism(), counts[i]);
        }
        estimate = outward(c, bins.estimate(noisy));
      } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
        ledger.abandon(dataset.name(), sequence, FailedAfterCharge.LEDGER_NOTE);
        throw FailedAfterCharge.exception(sequence);
      }
      ledger.recordRelease(dataset.name(), sequence, json(c, estimate));
      return estimate;
    } finally {
      ResponseQuantum.pad(start, dataset.limits().responseQuantumMillis());
    }
  }

  /** Integer columns get integer bounds: the bin edges rounded outwards (post-processing). */
  private static ApproxBounds.Estimate outward(Column c, ApproxBounds.Estimate e) {
    if (!e.found() || c.type() == ColumnType.DOUBLE) {
      return e;
    }
    return new ApproxBounds.Estimate(true, Math.floor(e.lower()), Math.ceil(e.upper()));
  }

  /**
   * One line per auto column for {@code explain}: the recorded bounds, or what the query would spend on them first.
   * Reads the ledger, never data.
   */
  List<String> explain(Resolution resolution) {
    if (!open().isEmpty()) {
      loadRecorded();
    }
    List<String> lines = new ArrayList<>();
    for (Column c : dataset.columns()) {
      if (c.autoBounds().isEmpty()) {
        continue;
      }
      Recorded r = recorded.get(key(c));
      if (resolution.toEstimate().contains(c)) {
        lines.add(c.name() + ": bounds: auto, not estimated yet; this query would first spend epsilon "
            + plain(c) + (dataset.accounting() == Accounting.ZCDP ? " (rho " + charged(c).epsilon().toPlainString()
            + " in the ledger)" : "") + " on them (its own ledger charge, '" + label(c) + "'), then reuse them; the "
            + "bounded SQL "
            + "shows placeholder bounds [" + fmt(PLACEHOLDER_LOWER) + ", " + fmt(PLACEHOLDER_UPPER) + "] until then");
      } else if (r == null) {
        lines.add(c.name() + ": bounds: auto, not estimated yet; this query does not need them");
      } else if (r.estimate().found()) {
        lines.add(c.name() + ": bounds [" + fmt(r.estimate().lower()) + ", " + fmt(r.estimate().upper())
            + "] estimated with DP (ledger entry " + r.chargeSequence() + ", epsilon " + plain(c)
            + "); reused at no cost");
      } else {
        lines.add(c.name() + ": the DP estimate of its bounds (ledger entry " + r.chargeSequence() + ") found none; "
            + "queries that aggregate it are refused");
      }
    }
    return lines;
  }

  /** The auto columns without recorded bounds (none yet, or an estimate that found none). */
  private List<Column> open() {
    return dataset.columns().stream().filter(Column::hasAutoBounds)
        .filter(c -> {
          Recorded r = recorded.get(key(c));
          return r == null || !r.estimate().found();
        }).toList();
  }

  /** The dataset with every found recorded estimate in place and placeholder bounds on {@code placeholders}. */
  private Dataset resolved(List<Column> placeholders) {
    if (dataset.columns().stream().noneMatch(Column::hasAutoBounds)) {
      return dataset; // the dataset as declared (several tables too: auto bounds are single-table only)
    }
    List<Column> columns = new ArrayList<>();
    for (Column c : dataset.columns()) {
      Recorded r = recorded.get(key(c));
      if (c.hasAutoBounds() && r != null && r.estimate().found()) {
        columns.add(c.withBounds(r.estimate().lower(), r.estimate().upper()));
      } else if (placeholders.contains(c)) {
        columns.add(c.withBounds(PLACEHOLDER_LOWER, PLACEHOLDER_UPPER));
      } else {
        columns.add(c);
      }
    }
    Dataset d = dataset; // one table, rebuilt from its columns
    return new Dataset(d.name(), d.table(), d.source(), d.unit(), d.maxGroupsContributed(), d.maxRowsPerGroup(),
        d.budget(), d.defaults(), d.ledger(), columns, d.yamlPath(), d.limits(), d.maxRowsPerUnit(), d.accounting(),
        List.of());
  }

  /** Reads the estimates already released in the ledger for this fingerprint (another process's, say). */
  private void loadRecorded() {
    Map<String, Column> byKey = new HashMap<>();
    for (Column c : dataset.columns()) {
      if (c.hasAutoBounds()) {
        ApproxBounds bins = estimator(c);
        byKey.put(queryKey(c, bins, BoundsHistogram.maxBinsPerUnit(dataset, bins)), c);
      }
    }
    Map<Long, Column> charges = new HashMap<>();
    for (LedgerEntry e : ledger.history(dataset.name())) {
      if (EntryKind.CHARGE.name().equals(e.kind()) && fingerprint.equals(e.fingerprint())
          && byKey.containsKey(e.queryKey())) {
        charges.put(e.sequence(), byKey.get(e.queryKey()));
      } else if (EntryKind.RELEASE.name().equals(e.kind()) && e.refersTo() != null
          && charges.containsKey(e.refersTo())) {
        Column c = charges.get(e.refersTo());
        recorded.putIfAbsent(key(c), new Recorded(e.refersTo(), parse(e.resultJson())));
      }
    }
  }

  private ApproxBounds estimator(Column c) {
    double epsilon = c.autoBounds().orElseThrow().epsilon().doubleValue();
    ApproxBounds bins = ApproxBounds.of(epsilon, 1);
    return ApproxBounds.of(epsilon, BoundsHistogram.maxBinsPerUnit(dataset, bins));
  }

  private String queryKey(Column c, ApproxBounds bins, long k) {
    return KEY_PREFIX + dataset.table() + "." + c.name() + ";epsilon=" + plain(c) + ";bins_per_unit=" + k
        + ";exponents=" + bins.minExponent() + ".." + bins.maxExponent() + ";failure="
        + ApproxBounds.DEFAULT_FAILURE_PROBABILITY;
  }

  private String label(Column c) {
    return "bounds of " + dataset.table() + "." + c.name();
  }

  private static PrivacyLoss loss(Column c) {
    return PrivacyLoss.of(c.autoBounds().orElseThrow().epsilon(), java.math.BigDecimal.ZERO);
  }

  private static String plain(Column c) {
    return c.autoBounds().orElseThrow().epsilon().stripTrailingZeros().toPlainString();
  }

  private static String key(Column c) {
    return c.name().toLowerCase(Locale.ROOT);
  }

  private static String fmt(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }

  /** The recorded form: DP outputs only. */
  record Stored(String column, boolean found, double lower, double upper) {}

  private static String json(Column c, ApproxBounds.Estimate e) {
    try {
      return JSON.writeValueAsString(new Stored(c.name(), e.found(), e.lower(), e.upper()));
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException("cannot write the estimated bounds", ex);
    }
  }

  private static ApproxBounds.Estimate parse(String json) {
    try {
      Stored s = JSON.readValue(json, Stored.class);
      return s.found() ? new ApproxBounds.Estimate(true, s.lower(), s.upper()) : ApproxBounds.Estimate.NONE;
    } catch (JsonProcessingException | RuntimeException ex) {
      throw new LedgerException("a recorded bounds estimate in the ledger is unreadable; run `dpq budget verify`");
    }
  }
}
