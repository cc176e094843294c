package org.dpq.engine.analysis;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.calcite.rel.RelRoot;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.tools.FrameworkConfig;
import org.apache.calcite.tools.ValidationException;
import org.dpq.engine.catalog.Dataset;
import org.dpq.errors.QueryRejectedException;

/**
 * The DP analyzer: parses and validates an analyst's SQL with Calcite against a schema generated from the
 * catalog, then accepts only what it can bound and returns the {@link DpPlan}; it never reads private data (a joint
 * key domain reads the distinct tuples of a PUBLIC table, through {@link PublicTuples}). Owns
 * invariants 3, 5 and 6 at the front of the query path: every measurement is bounded per privacy unit, group
 * keys are released only through public domains or partition selection, and anything else is rejected with a
 * {@link QueryRejectedException} that names the construct and the fix, before any data access.
 *
 * <p>Accepted: one SELECT over the dataset's one table; WHERE with comparisons, AND/OR/NOT, IN, BETWEEN, LIKE,
 * IS NULL, arithmetic, CASE and other deterministic built-in functions; GROUP BY plain columns (not the privacy
 * unit; a DOUBLE column only with a public domain); the aggregates COUNT(*), COUNT(col), COUNT(DISTINCT unit),
 * COUNT(DISTINCT col) (at most R distinct values per unit and group),
 * and SUM, AVG, AVG_PER_UNIT ({@link AvgPerUnit}), VAR_POP, VARIANCE/VAR_SAMP, STDDEV/STDDEV_POP/STDDEV_SAMP over
 * plain numeric columns with bounds; HAVING, ORDER BY (over SELECT outputs), LIMIT/OFFSET and arithmetic over
 * aggregate outputs.
 *
 * <p>Variance: VARIANCE/VAR_SAMP and STDDEV/STDDEV_SAMP are answered as the <em>population</em> variance and
 * standard deviation (like VAR_POP/STDDEV_POP). At the group sizes DP needs, n/(n-1) is negligible next to the
 * noise, and the sample correction is undefined for a noisy count at or below 1.
 *
 * <p>Thread-safe: the per-dataset Calcite configuration is cached; each call uses its own {@link SqlFrontEnd}.
 */
public final class Analyzer {
  private static final int CACHE_LIMIT = 64;
  private static final java.util.regex.Pattern OTHER_SPELLINGS =
      java.util.regex.Pattern.compile("(?i)\\b(VAR|STD|STDEV|MEDIAN|DATE_TRUNC)\\s*\\(");

  private final Map<Dataset, FrameworkConfig> configs = new ConcurrentHashMap<>();
  /**
   * The last dataset analysed and its configuration, matched by identity before {@link #configs} is asked: a
   * record's first {@code hashCode} in a JVM bootstraps its generated method (and those of every record inside a
   * {@link Dataset}), which cost a fresh CLI process about 0.1 s for the one dataset it analyses.
   */
  private volatile Configured last;

  private record Configured(Dataset dataset, FrameworkConfig config) {}

  /** Where joint key domains ({@code key_domains:}) read their public tuples. */
  private final PublicTuples publicTuples;

  /** An analyzer that reads no table: a query needing a joint key domain is rejected (free). */
  public Analyzer() {
    this(PublicTuples.NONE);
  }

  /** An analyzer whose joint key domains read their public tables through {@code publicTuples}. */
  public Analyzer(PublicTuples publicTuples) {
    this.publicTuples = java.util.Objects.requireNonNull(publicTuples, "publicTuples");
  }

  /**
   * Analyses {@code sql} against {@code dataset}.
   *
   * @throws QueryRejectedException when the query cannot be bounded or is not valid SQL for the dataset; the
   *     message names the construct and the fix and contains no data value
   */
  public DpPlan analyze(Dataset dataset, String sql) {
    SqlTextGuard.check(sql);
    DialectHabits.rejectDifferentialPrivacyClause(sql);
    SqlFrontEnd planner = new SqlFrontEnd(config(dataset));
    try {
      SqlNode parsed;
      String analysts = withoutTrailingSemicolon(sql);
      String withLimit = DialectHabits.topAsLimit(analysts);
      Identifiers.Normalised normalised = Identifiers.normalised(withLimit, dataset);
      String text = normalised.text();
      try {
        parsed = planner.parse(text);
      } catch (SqlParseException e) {
        throw inAnalystsText(CalciteErrors.parse(e, sql, dataset), normalised, analysts, withLimit);
      }
      if (OTHER_SPELLINGS.matcher(sql).find()) {
        parsed = DialectHabits.standardFunctions(parsed);
      }
      parsed = PerUnitQuery.inlineWith(parsed, dataset);
      QueryShapeCheck.check(parsed, dataset);
      SqlNode validated;
      try {
        validated = planner.validate(parsed);
      } catch (ValidationException e) {
        throw inAnalystsText(CalciteErrors.validation(e, dataset), normalised, analysts, withLimit);
      } catch (RuntimeException e) {
        throw unanalysable(dataset);
      }
      RelRoot root;
      try {
        root = planner.rel(validated);
      } catch (RuntimeException e) {
        throw unanalysable(dataset);
      }
      org.apache.calcite.rel.RelNode rel = root.project();
      if (dataset.hasSeveralTables()) {
        return JoinedQuery.extract(dataset, sql, rel, publicTuples);
      }
      return PerUnitQuery.split(dataset, rel)
          .map(s -> new PlanExtractor(s.derived(), sql).extract(s.outer()).withPerUnit(s.source()))
          .orElseGet(() -> new PlanExtractor(dataset, sql).extract(rel));
    } catch (StackOverflowError e) {
      throw CalciteErrors.tooDeep();
    }
  }

  /** {@code e} with its positions in the analyst's text rather than in the quoted text that was parsed. */
  private static QueryRejectedException inAnalystsText(QueryRejectedException e, Identifiers.Normalised normalised,
      String analysts, String withLimit) {
    String message = normalised.originalPositions(e.getMessage());
    if (!withLimit.equals(analysts)) {
      message = DialectHabits.withinText(message, analysts);
    }
    return message.equals(e.getMessage()) ? e : new QueryRejectedException(message, e.parameters());
  }

  /** Calcite failed on a construct it accepted syntactically: anything dpq cannot analyse is rejected. */
  private static QueryRejectedException unanalysable(Dataset dataset) {
    return Reject.because("the query uses a construct dpq cannot analyse",
        "write one SELECT with aggregates over " + dataset.table() + " (WHERE, GROUP BY, HAVING, ORDER BY, LIMIT)");
  }

  private FrameworkConfig config(Dataset dataset) {
    Configured recent = last;
    if (recent != null && recent.dataset() == dataset) {
      return recent.config();
    }
    FrameworkConfig config = recent == null ? null : configs.get(dataset); // the first one is never hashed
    if (config == null) {
      config = CatalogSchema.config(dataset);
      if (recent != null) {
        if (configs.size() >= CACHE_LIMIT) {
          configs.clear();
        }
        configs.put(dataset, config);
      }
    }
    last = new Configured(dataset, config);
    return config;
  }

  private static String withoutTrailingSemicolon(String sql) {
    String s = sql.stripTrailing();
    return s.endsWith(";") ? s.substring(0, s.length() - 1) : sql;
  }
}
