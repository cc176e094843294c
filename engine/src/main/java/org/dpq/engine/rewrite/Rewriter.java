package org.dpq.engine.rewrite;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.calcite.plan.Contexts;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.sql.SqlDialect;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.tools.RelBuilder;
import org.apache.calcite.util.DateString;
import org.dpq.engine.analysis.DpPlan;
import org.dpq.engine.analysis.GroupKey;
import org.dpq.engine.analysis.Measurement;
import org.dpq.engine.analysis.MeasurementKind;
import org.dpq.engine.analysis.PartitionMode;
import org.dpq.engine.catalog.Column;
import org.dpq.mechanisms.QuantileTree;

/**
 * Rewrites a {@link DpPlan} into the bounded aggregation of DESIGN.md and emits it as SQL for one backend
 * dialect, built with {@code RelBuilder} and {@code RelToSqlConverter}. Owns invariant 3 in the executed query:
 * rows are filtered and clamped to the column bounds; each unit's rows are pre-aggregated per group and limited
 * to R rows' worth (counts capped at min(n, R); a sum of n values scaled to min(n, R) times their mean; for
 * AVG_PER_UNIT, one value's worth: the unit's mean, and 1 in its count of units with a value); each
 * unit keeps at most G groups, chosen by a secret-keyed hash of (unit, keys) on the pre-aggregated rows; the
 * kept sums are clamped to {@code [perUnitLower, perUnitUpper]} (defence in depth: scaling alone keeps them
 * there up to rounding); only then are units summed per group. Rows whose key lies outside a declared public
 * domain are dropped before a unit's groups are chosen, so they never take one of its G groups.
 *
 * <p>With {@code max_rows_per_unit} (C), the unit's G groups are chosen on the raw rows ({@link
 * GroupLimit#RANK_FIRST}, whatever order was asked for) and then only the unit's first C rows by a secret-keyed hash of
 * (unit, keys, measured values) are kept, before the per-group R limit: a unit then contributes at most min(C, G*R)
 * rows over all groups, the bound {@code MeasurementSet} declares. COUNT(DISTINCT value) and the quantile-tree
 * queries do not apply C (their measurements keep the G*R bound).
 *
 * <p>Each measured column has one row value (clamped when a sum uses it) whose COUNT the first aggregation
 * computes. Every real-valued sum (plain, centred or of squares) is computed exactly, as whole steps of its own
 * power-of-two grid summed as DECIMAL(38, 0), so the backend's order of addition cannot change it (see
 * {@link SumGrid}, which also states why the per-unit bounds still hold after rounding); integer sums of
 * {@code privacy_unit: row} datasets are BIGINT and exact already.
 *
 * <p>Rows whose unit is NULL are treated as one unit (GROUP BY and PARTITION BY put NULLs together), so they
 * are bounded like any other unit rather than dropped or left unbounded.
 *
 * <p>For {@code privacy_unit: row} each row is a unit that lies in one group with one row, so the per-unit
 * stage is skipped: a plain GROUP BY over clamped rows (the fast path), with the public-domain filter on the
 * grouped rows rather than on every row.
 *
 * <p>Result columns: the keys (in {@code plan.keys()} order), then one column per measurement (in
 * {@code plan.measurements()} order), BIGINT for integral measurements and DECIMAL(38, 0) grid steps for real sums
 * ({@link SumGrid#value} turns them into their exact value), never NULL. A query
 * without keys returns exactly one row, also on empty input. Stateless and thread-safe.
 */
public final class Rewriter {
  private final boolean perUnitClamp;
  private final boolean exactSums;
  private final boolean unitCap;
  private final boolean perUnitBounds;
  private final boolean jointFilter;

  /** The rewriter dpq uses. */
  public Rewriter() {
    this(true, true, true);
  }

  /**
   * Test seam: a rewrite whose per-unit subqueries skip their per-unit bounds (the row limit m before the inner
   * aggregate and the clamp of each unit's values to the derived bounds) while the analysis still declares them (a
   * deliberately broken rewrite).
   */
  public static Rewriter withoutPerUnitBoundsForTest() {
    return new Rewriter(true, true, true, false);
  }

  /**
   * Test seam: a rewrite that ignores {@code max_rows_per_unit} (C) while the analysis still declares the
   * sensitivities it allows (a deliberately broken rewrite).
   */
  public static Rewriter withoutUnitCapForTest() {
    return new Rewriter(true, true, false);
  }

  /**
   * Test seam: {@code perUnitClamp = false} skips the per-unit limits, i.e. count caps, sum scaling and clamps (a
   * deliberately broken rewrite).
   */
  Rewriter(boolean perUnitClamp) {
    this(perUnitClamp, true);
  }

  /**
   * Test seam: {@code exactSums = false} adds plain (uncentred) real sums as DOUBLE in whatever order the backend
   * chooses, as dpq did before {@link SumGrid} (a deliberately broken rewrite, for plain SUM only).
   */
  Rewriter(boolean perUnitClamp, boolean exactSums) {
    this(perUnitClamp, exactSums, true);
  }

  private Rewriter(boolean perUnitClamp, boolean exactSums, boolean unitCap) {
    this(perUnitClamp, exactSums, unitCap, true);
  }

  /**
   * Test seam: a rewrite that keeps rows whose keys lie outside a joint key domain ({@code key_domains:}), while the
   * release still enumerates the domain's tuples (a deliberately broken rewrite: such rows take some of a unit's G
   * groups).
   */
  public static Rewriter withoutJointDomainFilterForTest() {
    return new Rewriter(true, true, true, true, false);
  }

  private Rewriter(boolean perUnitClamp, boolean exactSums, boolean unitCap, boolean perUnitBounds) {
    this(perUnitClamp, exactSums, unitCap, perUnitBounds, true);
  }

  private Rewriter(boolean perUnitClamp, boolean exactSums, boolean unitCap, boolean perUnitBounds,
      boolean jointFilter) {
    this.jointFilter = jointFilter;
    this.perUnitClamp = perUnitClamp;
    this.exactSums = exactSums;
    this.unitCap = unitCap;
    this.perUnitBounds = perUnitBounds;
  }

  /** True when measurement {@code m} is computed in exact grid steps. */
  private boolean gridded(Measurement m) {
    if (!exactSums && SumGrid.applies(m) && (m.kind() != MeasurementKind.SUM || m.center() != 0)) {
      throw new IllegalStateException("the double-sum test seam supports plain SUM only");
    }
    return exactSums && SumGrid.applies(m);
  }

  /**
   * The bounded query for {@code plan} in {@code dialect}, limiting groups per unit {@link
   * GroupLimit#AGGREGATE_FIRST}.
   *
   * @param secret a per-query random value; it keys the choice of which G groups a unit keeps
   */
  public BoundedQuery rewrite(DpPlan plan, SqlDialect dialect, long secret) {
    return rewrite(plan, dialect, secret, GroupLimit.AGGREGATE_FIRST);
  }

  /**
   * The bounded query for {@code plan} in {@code dialect}; {@code order} says where the G-groups limit runs and
   * changes nothing in the result (see {@link GroupLimit}).
   *
   * @param secret a per-query random value; it keys the choice of which G groups a unit keeps
   */
  public BoundedQuery rewrite(DpPlan plan, SqlDialect dialect, long secret, GroupLimit order) {
    Build build = new Build(plan, builder(plan), dialect, secret, order);
    String sql = sql(build.build(), dialect);
    return new BoundedQuery(sql, plan.keys().size(), plan.measurements().size(), build.keyed);
  }

  /**
   * The bounded leaf counts of quantile-tree measurement {@code measurement} of {@code plan} in {@code dialect}, for
   * every group: one row per (group, non-empty leaf) with the keys (in {@code plan.keys()} order), the leaf index and
   * its weight, both BIGINT. Owns invariant 3 for order statistics: only bucket counts leave the backend, never a
   * value. Rows are filtered as in {@link #rewrite}; each non-NULL, non-NaN value is clamped to the tree's range and
   * bucketed ({@code FLOOR((v - L) / (U - L) * leaves)}, the upper bound in the last leaf); per unit and group, a
   * unit with n > R values keeps R of them evenly spaced through its own sorted values: a leaf whose values occupy
   * positions (C - c, C] of the unit's n gets {@code FLOOR(C * R / n) - FLOOR((C - c) * R / n)}. The floors are
   * monotone in C, so every weight is >= 0, and they telescope to {@code FLOOR(n * R / n) = R}: a unit's weights in
   * a group sum to exactly min(n, R) whatever rounding the backend's doubles do. Each unit keeps at most G groups by
   * the same secret-keyed rank as {@link #rewrite}. For {@code privacy_unit: row}, plain leaf counts.
   *
   * @param secret a per-query random value; it keys the choice of which G groups a unit keeps
   */
  public BoundedQuery treeQuery(DpPlan plan, int measurement, SqlDialect dialect, long secret) {
    Measurement m = plan.measurements().get(measurement);
    if (m.kind() != MeasurementKind.QUANTILE_TREE) {
      throw new IllegalArgumentException("measurement " + measurement + " is not a quantile tree");
    }
    Build build = new Build(plan, builder(plan), dialect, secret, GroupLimit.AGGREGATE_FIRST);
    return new BoundedQuery(sql(build.tree(m), dialect), plan.keys().size(), 2);
  }

  /**
   * A query that measures the data's shape for {@link GroupLimit#choose}, on the units whose hash falls in one
   * of 64 buckets (unfiltered by WHERE, so that one answer serves every query with the same unit, keys and
   * domains): one row of (rows, distinct (unit, keys) groups, rows in groups a unit keeps). Empty when the plan
   * needs no group limit. Its answer only picks between two plans with the same result and is never released.
   */
  public Optional<String> groupLimitProbe(DpPlan plan, SqlDialect dialect) {
    Build build = new Build(plan, builder(plan), dialect, 0L, GroupLimit.RANK_FIRST);
    if (plan.unitField().isEmpty() || !build.limitGroups()) {
      return Optional.empty();
    }
    return Optional.of(sql(build.probe(), dialect));
  }

  private static RelBuilder builder(DpPlan plan) {
    return RelBuilder.proto(Contexts.of(RelBuilder.Config.DEFAULT.withSimplify(false).withBloat(-1)))
        .create(plan.scan().getCluster(), plan.scan().getTable() != null ? plan.scan().getTable().getRelOptSchema()
            : org.apache.calcite.plan.RelOptUtil.findAllTables(plan.scan()).get(0).getRelOptSchema());
  }

  private static String sql(RelNode rel, SqlDialect dialect) {
    return SqlText.of(rel, dialect);
  }

  /** One rewrite: the stages over one RelBuilder. */
  private final class Build {
    private final DpPlan plan;
    private final RelBuilder b;
    private final HashFunction hash;
    private final long secret;
    /** Set once the secret is written into the query (a hash or a per-unit subquery). */
    private boolean keyed;
    private final RexBuilder rex;
    private final Clamps clamps;
    private final SqlDialect dialect;
    private final GroupLimit order;

    Build(DpPlan plan, RelBuilder builder, SqlDialect dialect, long secret, GroupLimit order) {
      this.order = order;
      this.plan = plan;
      this.b = builder;
      HashFunction keyedHash = HashFunction.forDialect(dialect);
      this.hash = (builder2, s, values) -> {
        keyed = true;
        return keyedHash.hash(builder2, s, values);
      };
      this.secret = secret;
      this.rex = builder.getRexBuilder();
      this.clamps = new Clamps(rex);
      this.dialect = dialect;
    }

    /** The scan of the plan's table, or the bounded per-unit subquery its derived table stands for. */
    private void pushScan() {
      if (plan.perUnit().isPresent()) {
        keyed = true;
        PerUnitRewrite.push(b, plan.perUnit().get(), dialect, secret, perUnitBounds);
      } else {
        b.push(plan.scan());
      }
    }

    RelNode build() {
      boolean rowUnit = plan.unitField().isEmpty();
      scanRows(rowUnit);
      if (rowUnit) {
        rowUnits();
      } else {
        perUnit();
        for (int i = 0; i < plan.measurements().size(); i++) {
          if (plan.measurements().get(i).kind() == MeasurementKind.COUNT_DISTINCT_VALUES) {
            joinDistinctValues(i);
          }
        }
      }
      return b.build();
    }

    /** Pushes the scan with WHERE and, when the unit is not the row, the public-domain conditions on the keys. */
    private void scanRows(boolean rowUnit) {
      pushScan();
      List<RexNode> conditions = new ArrayList<>();
      plan.where().ifPresent(w -> conditions.add(RowErrors.asFilter(b, dialect, w)));
      if (!rowUnit) {
        // Before the per-unit stage: a key outside its domain must not take one of a unit's G groups.
        conditions.addAll(domainConditions());
      }
      if (!conditions.isEmpty()) {
        b.filter(conditions);
      }
    }

    /**
     * COUNT(DISTINCT v) of measurement {@code i}, for units with several rows: over the filtered rows, each unit
     * keeps the groups it keeps everywhere else ({@link #groupRank}, at most G) and, in each, at most R of its
     * distinct non-NULL values, ranked by a secret-keyed hash of (unit, keys, value), so the choice depends on the
     * unit's own rows only; the kept (keys, value) pairs of all units are then counted once each per group. Adding
     * or removing one unit changes each of at most G groups' counts by at most R. Joined to the result on the keys
     * (NULL keys matching NULL keys); a group without a kept value counts 0.
     */
    private void joinDistinctValues(int i) {
      Measurement m = plan.measurements().get(i);
      int keyCount = plan.keys().size();
      scanRows(false);
      List<RexNode> leading = new ArrayList<>();
      leading.add(rex.makeInputRef(plan.scan(), plan.unitField().orElseThrow()));
      for (int k = 0; k < keyCount; k++) {
        leading.add(key(k));
      }
      List<RexNode> projection = new ArrayList<>(leading);
      projection.add(clamps.nanToNull(rowValue(m.argument().orElseThrow())));
      boolean limit = limitGroups() && perUnitClamp;
      if (limit) {
        projection.add(groupRank(leading));
      }
      b.project(projection);
      int value = keyCount + 1;
      List<RexNode> kept = new ArrayList<>();
      kept.add(b.isNotNull(b.field(value)));
      if (limit) {
        kept.add(b.lessThanOrEqual(b.field(value + 1),
            b.literal(BigDecimal.valueOf(plan.dataset().maxGroupsContributed()))));
      }
      b.filter(kept);
      // one row per (unit, keys, value)
      b.aggregate(b.groupKey(fieldRange(0, keyCount + 2)));
      if (perUnitClamp) {
        List<RexNode> hashed = fieldRange(0, keyCount + 2);
        RexNode rank = b.aggregateCall(SqlStdOperatorTable.ROW_NUMBER).over()
            .partitionBy(fieldRange(0, keyCount + 1))
            .orderBy(hash.hash(b, secret, hashed), b.field(value))
            .rowsUnbounded()
            .toRex();
        List<RexNode> ranked = new ArrayList<>(fieldRange(0, keyCount + 2));
        ranked.add(rank);
        b.project(ranked);
        b.filter(b.lessThanOrEqual(b.field(keyCount + 2), b.literal(BigDecimal.valueOf((long) m.perUnitUpper()))));
      }
      b.aggregate(b.groupKey(fieldRange(1, keyCount)), b.count(true, "dpq_d", b.field(value)));

      // the result (left) joined with the distinct counts (right) on the keys
      List<RexNode> on = new ArrayList<>();
      for (int k = 0; k < keyCount; k++) {
        RexNode l = b.field(2, 0, k);
        RexNode r = b.field(2, 1, k);
        on.add(b.or(b.equals(l, r), b.and(b.isNull(l), b.isNull(r))));
      }
      b.join(org.apache.calcite.rel.core.JoinRelType.LEFT, on.isEmpty() ? b.literal(true) : b.and(on));
      int width = keyCount + plan.measurements().size();
      List<RexNode> out = new ArrayList<>(fieldRange(0, width));
      out.set(keyCount + i, b.call(SqlStdOperatorTable.COALESCE, clamps.cast(b.field(width + keyCount),
          clamps.bigintType()), clamps.literal(0, true)));
      List<String> names = new ArrayList<>();
      for (int k = 0; k < keyCount; k++) {
        names.add("k" + k);
      }
      for (int j = 0; j < plan.measurements().size(); j++) {
        names.add("m" + j);
      }
      b.project(out, names, true);
    }

    /** The tree query of {@link Rewriter#treeQuery}. */
    RelNode tree(Measurement m) {
      QuantileTree.Shape shape = m.tree().orElseThrow();
      pushScan();
      boolean rowUnit = plan.unitField().isEmpty();
      List<RexNode> conditions = new ArrayList<>();
      plan.where().ifPresent(w -> conditions.add(RowErrors.asFilter(b, dialect, w)));
      conditions.addAll(domainConditions());
      if (!conditions.isEmpty()) {
        b.filter(conditions);
      }
      int keyCount = plan.keys().size();
      List<RexNode> leading = new ArrayList<>();
      List<String> names = new ArrayList<>();
      if (!rowUnit) {
        leading.add(rex.makeInputRef(plan.scan(), plan.unitField().orElseThrow()));
        names.add("dpq_unit");
      }
      for (int k = 0; k < keyCount; k++) {
        leading.add(key(k));
        names.add("dpq_k" + k);
      }
      int lead = leading.size();
      List<RexNode> projection = new ArrayList<>(leading);
      projection.add(clamps.clampRow(rowValue(m.argument().orElseThrow()), m.lower(), m.upper(), false));
      names.add("dpq_v");
      b.project(projection, names, true);
      b.filter(b.isNotNull(b.field(lead)));
      // leaf = FLOOR((v - L) / (U - L) * leaves), the upper bound (and nothing else, v <= U) in the last leaf
      RexNode position = b.call(SqlStdOperatorTable.MULTIPLY,
          b.call(SqlStdOperatorTable.DIVIDE, b.call(SqlStdOperatorTable.MINUS, b.field(lead),
              clamps.literal(m.lower(), false)), clamps.literal(m.upper() - m.lower(), false)),
          clamps.literal(shape.leaves(), false));
      RexNode leaf = clamps.cast(b.call(SqlStdOperatorTable.FLOOR, position), clamps.bigintType());
      List<RexNode> bucketed = new ArrayList<>(fieldRange(0, lead));
      bucketed.add(clamps.cap(leaf, shape.leaves() - 1));
      List<String> bucketNames = new ArrayList<>(names.subList(0, lead));
      bucketNames.add("dpq_leaf");
      b.project(bucketed, bucketNames, true);
      b.aggregate(b.groupKey(fieldRange(0, lead + 1)), b.countStar("dpq_c"));
      if (!rowUnit) {
        perUnitLeaves(keyCount);
      }
      // keys, leaf, weight (BIGINT)
      List<RexNode> out = new ArrayList<>();
      List<String> outNames = new ArrayList<>();
      for (int k = 0; k < keyCount; k++) {
        out.add(b.field(k));
        outNames.add("k" + k);
      }
      out.add(clamps.cast(b.field(keyCount), clamps.bigintType()));
      outNames.add("leaf");
      out.add(clamps.cast(b.field(keyCount + 1), clamps.bigintType()));
      outNames.add("w");
      b.project(out, outNames, true);
      return b.build();
    }

    /**
     * Over (unit, keys, leaf, c): the unit's R evenly spaced values per group, its first G groups, then the weights
     * summed per (keys, leaf).
     */
    private void perUnitLeaves(int keyCount) {
      int leafField = keyCount + 1;
      int countField = keyCount + 2;
      List<RexNode> partition = fieldRange(0, keyCount + 1);
      RexNode n = b.aggregateCall(SqlStdOperatorTable.SUM, b.field(countField)).over()
          .partitionBy(partition).rowsUnbounded().toRex();
      RexNode cumulative = b.aggregateCall(SqlStdOperatorTable.SUM, b.field(countField)).over()
          .partitionBy(partition).orderBy(b.field(leafField))
          .rowsBetween(org.apache.calcite.rex.RexWindowBounds.UNBOUNDED_PRECEDING,
              org.apache.calcite.rex.RexWindowBounds.CURRENT_ROW)
          .toRex();
      List<RexNode> windowed = new ArrayList<>(fieldRange(0, keyCount + 3));
      List<String> names = new ArrayList<>(b.peek().getRowType().getFieldNames());
      windowed.add(n);
      names.add("dpq_n");
      windowed.add(cumulative);
      names.add("dpq_cum");
      boolean limit = limitGroups();
      if (limit) {
        windowed.add(groupRank(fieldRange(0, keyCount + 1)));
        names.add("dpq_rank");
      }
      b.project(windowed, names, true);
      if (limit) {
        b.filter(b.lessThanOrEqual(b.field("dpq_rank"),
            b.literal(BigDecimal.valueOf(plan.dataset().maxGroupsContributed()))));
      }
      double rows = plan.dataset().maxRowsPerGroup();
      RexNode c = b.field(countField);
      RexNode weight = c;
      if (perUnitClamp) {
        RexNode total = clamps.cast(b.field("dpq_n"), clamps.doubleType());
        RexNode upTo = clamps.cast(b.field("dpq_cum"), clamps.doubleType());
        RexNode before = clamps.cast(b.call(SqlStdOperatorTable.MINUS, b.field("dpq_cum"), c), clamps.doubleType());
        RexNode r = clamps.literal(rows, false);
        RexNode kept = b.call(SqlStdOperatorTable.MINUS,
            b.call(SqlStdOperatorTable.FLOOR, b.call(SqlStdOperatorTable.DIVIDE,
                b.call(SqlStdOperatorTable.MULTIPLY, upTo, r), total)),
            b.call(SqlStdOperatorTable.FLOOR, b.call(SqlStdOperatorTable.DIVIDE,
                b.call(SqlStdOperatorTable.MULTIPLY, before, r), total)));
        weight = b.call(SqlStdOperatorTable.CASE,
            b.call(SqlStdOperatorTable.LESS_THAN_OR_EQUAL, b.field("dpq_n"), clamps.literal(rows, true)),
            clamps.cast(c, clamps.bigintType()), clamps.cast(kept, clamps.bigintType()));
      }
      List<RexNode> weighted = new ArrayList<>(fieldRange(1, keyCount + 1));
      weighted.add(weight);
      b.project(weighted);
      b.aggregate(b.groupKey(fieldRange(0, keyCount + 1)), b.sum(false, "dpq_w", b.field(keyCount + 1)));
      // leaves that kept no value of any unit are not shipped
      b.filter(b.greaterThan(b.field(keyCount + 1), b.literal(0)));
    }

    /** The public-domain conditions on the keys over the scan row, empty when no key has a public domain. */
    private List<RexNode> domainConditions() {
      return domainConditions(this::key);
    }

    /**
     * Key k over the scan row: a column, or an expression in a form that cannot fail on some rows only: a numeric
     * key over bounded columns reads them clamped to their declared bounds ({@code GroupKey.inputClamps}), which
     * bounds it on every backend; any other expression is wrapped in TRY on DuckDB, so a failing row falls in the
     * NULL group, and rejected elsewhere when it could fail.
     */
    private RexNode key(int k) {
      GroupKey g = plan.keys().get(k);
      RexNode expression = g.evaluated();
      if (expression instanceof org.apache.calcite.rex.RexInputRef) {
        return expression;
      }
      RexNode value = RowErrors.asValue(b, dialect, expression, clamps::expandColumnClamps, "a GROUP BY expression");
      // Backends type date functions their own way (date_trunc gives a timestamp on PostgreSQL and Spark,
      // EXTRACT a numeric on PostgreSQL), and numbers too (FLOOR is a BIGINT on Spark, a DOUBLE after DuckDB's
      // division): the key is cast to Calcite's type, so every backend returns the same key. A clamped key's range
      // was checked to fit that type, so the cast cannot fail.
      return readsDateParts(expression) || g.inputClamps().isPresent()
          ? rex.makeAbstractCast(expression.getType(), value) : value;
    }

    /** True when {@code node} applies EXTRACT or FLOOR/CEIL to a time unit anywhere. */
    private static boolean readsDateParts(RexNode node) {
      if (!(node instanceof org.apache.calcite.rex.RexCall call)) {
        return false;
      }
      org.apache.calcite.sql.SqlKind kind = call.getKind();
      if (kind == org.apache.calcite.sql.SqlKind.EXTRACT
          || (kind == org.apache.calcite.sql.SqlKind.FLOOR || kind == org.apache.calcite.sql.SqlKind.CEIL)
          && call.getOperands().size() == 2 && call.getOperands().get(1).getType().getSqlTypeName()
          == org.apache.calcite.sql.type.SqlTypeName.SYMBOL) {
        return true;
      }
      return call.getOperands().stream().anyMatch(Build::readsDateParts);
    }

    /**
     * The public-domain conditions, with key k given by {@code key.apply(k)}: each key in its own domain, and the keys
     * of a joint domain in one of its tuples (once per domain).
     */
    private List<RexNode> domainConditions(java.util.function.IntFunction<RexNode> key) {
      List<RexNode> out = new ArrayList<>();
      for (int k = 0; k < plan.keys().size(); k++) {
        GroupKey g = plan.keys().get(k);
        if (g.joint().isPresent()) {
          if (g.joint().get().keys().get(0) == k && jointFilter) {
            out.add(inTuples(key, g.joint().get().keys(), g.joint().get().tuples(), 0));
          }
        } else if (g.column().publicValues().isPresent()) {
          out.add(inDomain(key.apply(k), g.column(), g.column().publicValues().get()));
        }
      }
      return out;
    }

    /**
     * The keys {@code keys} (from position {@code from} on) equal one of {@code tuples}, as
     * {@code (a = x1 AND b IN (..)) OR (a = x2 AND b IN (..))}: grouped by the first value, an IN list for the last
     * key. A NULL key makes every comparison unknown, so its row is dropped, as by a per-key domain.
     */
    private RexNode inTuples(java.util.function.IntFunction<RexNode> key, List<Integer> keys,
        List<List<String>> tuples, int from) {
      Column column = plan.keys().get(keys.get(from)).column();
      Map<String, List<List<String>>> byFirst = new LinkedHashMap<>();
      for (List<String> t : tuples) {
        byFirst.computeIfAbsent(t.get(from), v -> new ArrayList<>()).add(t);
      }
      if (from == keys.size() - 1 || byFirst.isEmpty()) {
        return inDomain(key.apply(keys.get(from)), column, List.copyOf(byFirst.keySet()));
      }
      List<RexNode> alternatives = new ArrayList<>();
      for (Map.Entry<String, List<List<String>>> e : byFirst.entrySet()) {
        alternatives.add(b.and(b.equals(key.apply(keys.get(from)), domainLiteral(column, e.getKey())),
            inTuples(key, keys, e.getValue(), from + 1)));
      }
      return b.or(alternatives);
    }

    /**
     * The first aggregation, grouped by {@code leading} (unit and keys, or keys): one row value per measured column
     * (clamped when a sum uses it, NaN as NULL otherwise), and COUNT(*), COUNT, SUM and sums of squares over them.
     * A centred sum is derived from its column's sum and count ({@code s - c*n}) rather than summed on its own.
     */
    private Aggregated aggregate(List<RexNode> leading, List<String> leadingNames, boolean perUnit) {
      Map<String, ColumnUse> columns = new LinkedHashMap<>();
      boolean rowCount = false;
      for (Measurement m : plan.measurements()) {
        switch (m.kind()) {
          case COUNT_ROWS -> rowCount = true;
          case COUNT_UNITS -> rowCount |= !perUnit;
          case COUNT_DISTINCT_VALUES -> {
            if (!perUnit) {
              // its own row value (NaN as NULL, never clamped), whatever else uses the same argument
              columns.computeIfAbsent(distinctKey(m), k -> new ColumnUse(m.argument().orElseThrow()))
                  .add(m, false);
            }
          }
          default -> columns.computeIfAbsent(m.argument().orElseThrow().toString(),
              k -> new ColumnUse(m.argument().orElseThrow())).add(m, perUnit);
        }
      }
      nameComputedValues(columns.values());
      List<RexNode> projection = new ArrayList<>(leading);
      List<String> names = new ArrayList<>(leadingNames);
      for (ColumnUse c : columns.values()) {
        RexNode value = c.bounded ? clamps.clampRow(c.argument, c.lower, c.upper, c.integral)
            : clamps.nanToNull(c.argument);
        c.value = projection.size();
        projection.add(value);
        names.add("dpq_v" + c.value);
        for (Measurement m : c.gridded) {
          RexNode v = c.integral ? clamps.clampRow(c.argument, c.lower, c.upper, false) : value;
          c.stepFields.put(m, projection.size());
          names.add("dpq_g" + projection.size());
          projection.add(rowSteps(v, m, !perUnit, c.lower, c.upper));
        }
      }
      b.project(projection, names, true);

      List<RelBuilder.AggCall> calls = new ArrayList<>();
      int rows = -1;
      if (rowCount || (!perUnit && !domainConditions().isEmpty())) {
        rows = leading.size() + calls.size();
        calls.add(b.countStar("dpq_rows"));
      }
      for (ColumnUse c : columns.values()) {
        if (c.count) {
          c.countField = leading.size() + calls.size();
          calls.add(b.count(false, "dpq_n" + c.value, b.field(c.value)));
        }
        if (c.distinct) {
          c.distinctField = leading.size() + calls.size();
          calls.add(b.count(true, "dpq_d" + c.value, b.field(c.value)));
        }
        if (c.sum) {
          c.sumField = leading.size() + calls.size();
          calls.add(b.sum(false, "dpq_s" + c.value, b.field(c.value)));
        }
        for (Map.Entry<Measurement, Integer> steps : c.stepFields.entrySet()) {
          c.stepSums.put(steps.getKey(), leading.size() + calls.size());
          calls.add(b.sum(false, "dpq_g" + steps.getValue(), b.field(steps.getValue())));
        }
      }
      b.aggregate(b.groupKey(fieldRange(0, leading.size())), calls);
      return new Aggregated(rows, columns);
    }

    /**
     * Computes the row value of each argument that is an expression (not a plain column) once per row, in a
     * projection of its own under the first aggregation (every field of the current input, then the values), and
     * points its {@link ColumnUse} at that field: the same value on the same rows, named once. Inlined, the row
     * clamp repeats its argument five times and each aggregate over it repeats the clamp, so the text grew with the
     * product of the nestings: a 10 kB bounded query for one {@code SUM(CASE WHEN age >= 18 THEN LEAST(income,
     * 1000) ELSE 0 END)}, whose parsing and planning cost DuckDB 11-19 ms a query on 400 rows against 2-4 ms for
     * the same query with the value named once (same answers). A plain column's value is left inline.
     */
    private void nameComputedValues(java.util.Collection<ColumnUse> uses) {
      List<ColumnUse> computed = uses.stream().filter(c -> c.expression).toList();
      if (computed.isEmpty()) {
        return;
      }
      List<RexNode> fields = new ArrayList<>(b.fields());
      List<String> names = new ArrayList<>(b.peek().getRowType().getFieldNames());
      int first = fields.size();
      for (int i = 0; i < computed.size(); i++) {
        fields.add(computed.get(i).argument);
        names.add("dpq_x" + i);
      }
      b.project(fields, names, true);
      // A condition true on every row (IS NULL or IS NOT NULL, never unknown): it keeps every row, and a WHERE over
      // the projection makes the SQL text a subquery that names the values, where the converter would otherwise
      // inline the projection into the clamps and the aggregates above it again.
      List<RexNode> kept = new ArrayList<>();
      for (int i = 0; i < computed.size(); i++) {
        RexNode named = b.field(first + i);
        computed.get(i).argument = named;
        kept.add(b.or(b.isNull(named), b.isNotNull(named)));
      }
      b.filter(b.and(kept));
    }

    /**
     * A measured argument as the backend evaluates it per row: its bounded columns clamped to their declared bounds
     * and, where an operation could fail on some rows, in the dialect's error-free form.
     */
    private RexNode rowValue(RexNode argument) {
      return RowErrors.asValue(b, dialect, argument, clamps::expandColumnClamps, "an aggregate's argument");
    }

    /** {@code privacy_unit: row}: one GROUP BY keys over clamped rows. */
    private void rowUnits() {
      int keyCount = plan.keys().size();
      List<RexNode> keys = new ArrayList<>();
      List<String> keyNames = new ArrayList<>();
      for (int k = 0; k < keyCount; k++) {
        keys.add(key(k));
        keyNames.add("dpq_k" + k);
      }
      Aggregated agg = aggregate(keys, keyNames, false);
      if (!domainConditions().isEmpty()) {
        // After the GROUP BY, on one row per group: the same rows as a filter before it, but DuckDB would push a
        // plain key condition back onto every row, where its IN list (a hash join) cost 2.5 times the plain
        // GROUP BY at 10M rows. Referring to the group's row count (always > 0) keeps it here.
        b.filter(b.call(SqlStdOperatorTable.CASE,
            b.greaterThan(b.field(agg.rows()), b.literal(0)), b.and(domainConditions(b::field)), b.literal(false)));
      }
      List<RexNode> out = new ArrayList<>(fieldRange(0, keyCount));
      List<String> names = new ArrayList<>(keyNames);
      boolean[] neverNull = new boolean[plan.measurements().size()];
      for (int i = 0; i < plan.measurements().size(); i++) {
        Measurement m = plan.measurements().get(i);
        out.add(agg.measured(m));
        names.add("dpq_m" + i);
        neverNull[i] = m.kind() == MeasurementKind.COUNT_ROWS || m.kind() == MeasurementKind.COUNT_VALUES
            || m.kind() == MeasurementKind.COUNT_UNITS || m.kind() == MeasurementKind.COUNT_DISTINCT_VALUES
            || m.kind() == MeasurementKind.QUANTILE_TREE;
      }
      b.project(out, names, true);
      finalProject(keyCount, neverNull);
    }

    /** Per-unit pre-aggregation, per-unit limits, at most G groups per unit, then cross-unit sums. */
    private void perUnit() {
      int keyCount = plan.keys().size();
      List<RexNode> leading = new ArrayList<>();
      List<String> leadingNames = new ArrayList<>();
      leading.add(rex.makeInputRef(plan.scan(), plan.unitField().orElseThrow()));
      leadingNames.add("dpq_unit");
      for (int k = 0; k < keyCount; k++) {
        leading.add(key(k));
        leadingNames.add("dpq_k" + k);
      }
      boolean capRows = capRows();
      // The total cap counts the rows of the unit's kept groups, so with it the groups are chosen on the raw rows.
      boolean rankFirst = limitGroups() && (order == GroupLimit.RANK_FIRST || capRows);
      if (rankFirst) {
        keepFirstGroups(leading);
      }
      if (capRows) {
        keepFirstRows(leading);
      }
      // Per unit and group: counts and sums of the unit's rows (n counts the values a sum adds up).
      Aggregated agg = aggregate(leading, leadingNames, true);

      // Per-unit limits: counts capped at R, sums scaled to min(n, R) values' worth; the unit's G groups (rank by a
      // secret-keyed hash); then, on the kept rows only, sums clamped to their bound (defence in depth against
      // rounding). Scaling and clamping are separate steps, so that the SQL names the scaled value once.
      List<RexNode> limited = new ArrayList<>(fieldRange(0, keyCount + 1));
      List<String> limitedNames = new ArrayList<>(leadingNames);
      int[] perUnitField = new int[plan.measurements().size()];
      java.util.Arrays.fill(perUnitField, -1);
      double maxRows = plan.dataset().maxRowsPerGroup();
      for (int i = 0; i < plan.measurements().size(); i++) {
        Measurement m = plan.measurements().get(i);
        if (m.kind() == MeasurementKind.COUNT_UNITS || m.kind() == MeasurementKind.COUNT_DISTINCT_VALUES) {
          continue;
        }
        RexNode x = agg.measured(m);
        if (perUnitClamp) {
          boolean count = m.kind() == MeasurementKind.COUNT_ROWS || m.kind() == MeasurementKind.COUNT_VALUES
              || m.kind() == MeasurementKind.QUANTILE_TREE || m.kind() == MeasurementKind.UNITS_WITH_VALUES;
          // a unit's mean (AVG_PER_UNIT) is its sum scaled to one value's worth
          double worth = m.kind() == MeasurementKind.UNIT_MEANS ? 1 : maxRows;
          x = count ? clamps.cap(x, m.perUnitUpper())
              : gridded(m) ? clamps.scaleSteps(x, agg.count(m), worth)
              : clamps.scale(x, agg.count(m), worth);
        }
        perUnitField[i] = limited.size();
        limited.add(x);
        limitedNames.add("dpq_c" + i);
      }
      if (limitGroups() && !rankFirst) {
        List<RexNode> hashed = new ArrayList<>();
        for (int f = 0; f <= keyCount; f++) {
          hashed.add(b.field(f));
        }
        RexNode rank = b.aggregateCall(SqlStdOperatorTable.ROW_NUMBER).over()
            .partitionBy(b.field(0))
            .orderBy(hash.hash(b, secret, hashed))
            .rowsUnbounded()
            .toRex();
        limited.add(rank);
        limitedNames.add("dpq_rank");
        b.project(limited, limitedNames, true);
        b.filter(b.lessThanOrEqual(b.field("dpq_rank"),
            b.literal(BigDecimal.valueOf(plan.dataset().maxGroupsContributed()))));
      } else {
        b.project(limited, limitedNames, true);
      }
      if (perUnitClamp) {
        List<RexNode> clamped = new ArrayList<>(fieldRange(0, keyCount + 1));
        for (int i = 0; i < plan.measurements().size(); i++) {
          Measurement m = plan.measurements().get(i);
          if (perUnitField[i] < 0) {
            continue;
          }
          RexNode x = b.field(perUnitField[i]);
          boolean sum = m.kind() == MeasurementKind.SUM || m.kind() == MeasurementKind.SUM_SQUARES
              || m.kind() == MeasurementKind.UNIT_MEANS;
          perUnitField[i] = clamped.size();
          clamped.add(!sum ? x : gridded(m) ? unitStepClamp(x, m)
              : clamps.clamp(x, m.perUnitLower(), m.perUnitUpper(), false));
        }
        b.project(clamped);
      }

      // Across units, per group: sums of the per-unit values, and the units as COUNT(*) of per-unit rows.
      List<RelBuilder.AggCall> totals = new ArrayList<>();
      boolean[] neverNull = new boolean[plan.measurements().size()];
      for (int i = 0; i < plan.measurements().size(); i++) {
        Measurement m = plan.measurements().get(i);
        String name = "dpq_m" + i;
        // COUNT(DISTINCT v) holds the unit count here as a placeholder; joinDistinctValues replaces it
        boolean units = m.kind() == MeasurementKind.COUNT_UNITS || m.kind() == MeasurementKind.COUNT_DISTINCT_VALUES;
        totals.add(units ? b.countStar(name) : b.sum(false, name, b.field(perUnitField[i])));
        neverNull[i] = units;
      }
      b.aggregate(b.groupKey(fieldRange(1, keyCount)), totals);
      finalProject(keyCount, neverNull);
    }

    /**
     * {@link GroupLimit#RANK_FIRST}: over the raw rows, keeps those in the unit's first G groups by
     * {@code DENSE_RANK()} of (hash(secret, unit, keys), keys). A unit's rows in one group share their rank, and
     * distinct groups never do (the keys break hash ties), so exactly min(groups, G) groups survive.
     */
    private void keepFirstGroups(List<RexNode> leading) {
      b.projectPlus(b.alias(groupRank(leading), "dpq_rank"));
      b.filter(b.lessThanOrEqual(b.field("dpq_rank"),
          b.literal(BigDecimal.valueOf(plan.dataset().maxGroupsContributed()))));
    }

    /** True when the dataset declares a total cap C per unit that this rewrite applies to the raw rows. */
    private boolean capRows() {
      return unitCap && perUnitClamp && plan.dataset().maxRowsPerUnit().isPresent();
    }

    /**
     * The total cap {@code max_rows_per_unit} (C): over the raw rows (after WHERE, the public domains and the
     * unit's G groups), keeps the unit's first C rows by {@code ROW_NUMBER() OVER (PARTITION BY unit ORDER BY
     * hash(secret, unit, keys, measured values))}. The window sees the unit's own rows only, so which rows are kept
     * depends on that unit alone; rows that tie on the hash agree on every value the aggregation reads, so the
     * result does not depend on how the backend breaks ties. The per-group limit R then applies to what is left,
     * so a unit contributes at most min(C, G*R) rows in total and at most R in a group.
     */
    private void keepFirstRows(List<RexNode> leading) {
      List<RexNode> identity = new ArrayList<>(leading);
      java.util.Set<String> seen = new java.util.HashSet<>();
      for (Measurement m : plan.measurements()) {
        if (m.argument().isPresent() && seen.add(m.argument().get().toString())) {
          identity.add(rowValue(m.argument().get()));
        }
      }
      RexNode number = b.aggregateCall(SqlStdOperatorTable.ROW_NUMBER).over()
          .partitionBy(leading.get(0))
          .orderBy(hash.hash(b, secret, identity))
          .rowsUnbounded()
          .toRex();
      b.projectPlus(b.alias(number, "dpq_row"));
      b.filter(b.lessThanOrEqual(b.field("dpq_row"),
          b.literal(BigDecimal.valueOf(plan.dataset().maxRowsPerUnit().getAsInt()))));
    }

    /** {@code DENSE_RANK() OVER (PARTITION BY unit ORDER BY hash(secret, unit, keys), keys)} on the scan row. */
    private RexNode groupRank(List<RexNode> leading) {
      List<RexNode> orderBy = new ArrayList<>();
      orderBy.add(hash.hash(b, secret, leading));
      orderBy.addAll(leading.subList(1, leading.size()));
      return b.aggregateCall(SqlStdOperatorTable.DENSE_RANK).over()
          .partitionBy(leading.get(0))
          .orderBy(orderBy)
          .rowsUnbounded()
          .toRex();
    }

    /** The shape probe of {@link Rewriter#groupLimitProbe}: (rows, pairs, kept rows) on 1/64 of the units. */
    RelNode probe() {
      pushScan();
      List<RexNode> leading = new ArrayList<>();
      leading.add(rex.makeInputRef(plan.scan(), plan.unitField().orElseThrow()));
      for (int k = 0; k < plan.keys().size(); k++) {
        leading.add(key(k));
      }
      List<RexNode> conditions = new ArrayList<>(domainConditions());
      conditions.add(b.equals(b.call(SqlStdOperatorTable.MOD, hash.hash(b, secret, List.of(leading.get(0))),
          b.literal(64)), b.literal(0)));
      b.filter(conditions);
      b.projectPlus(b.alias(groupRank(leading), "dpq_rank"));
      b.aggregate(b.groupKey(leading), b.countStar("dpq_rows"), b.min("dpq_rank", b.field("dpq_rank")));
      RexNode kept = b.call(SqlStdOperatorTable.CASE, b.lessThanOrEqual(b.field("dpq_rank"),
          b.literal(BigDecimal.valueOf(plan.dataset().maxGroupsContributed()))), b.field("dpq_rows"), b.literal(0));
      b.aggregate(b.groupKey(), b.sum(false, "dpq_rows", b.field("dpq_rows")), b.countStar("dpq_pairs"),
          b.sum(false, "dpq_kept", kept));
      return b.build();
    }

    /** What the measurements need of one argument column, and where the first aggregation put it. */
    private final class ColumnUse {
      /** The row value (see {@link #rowValue}); a reference to its own field once it is named. */
      RexNode argument;
      /** The measured argument is an expression, not a plain column: its row value is named once. */
      final boolean expression;
      boolean bounded;
      double lower;
      double upper;
      /** The row value is BIGINT: an integral sum (row units, integer column) adds it up. */
      boolean integral;
      boolean count;
      boolean sum;
      /** COUNT(DISTINCT value) per group ({@code privacy_unit: row} only). */
      boolean distinct;
      /** Real-valued sums (plain, centred, of squares), each computed in whole steps of its grid. */
      final java.util.Set<Measurement> gridded = new java.util.LinkedHashSet<>();
      int value = -1;
      int countField = -1;
      int distinctField = -1;
      int sumField = -1;
      /** Measurement to the projected field of its row steps, and to the field of their sum after the aggregation. */
      final Map<Measurement, Integer> stepFields = new LinkedHashMap<>();
      final Map<Measurement, Integer> stepSums = new LinkedHashMap<>();

      ColumnUse(RexNode measured) {
        this.argument = rowValue(measured);
        this.expression = !(measured instanceof RexInputRef);
      }

      /** Registers {@code m}; a per-unit sum needs its count n to scale. */
      void add(Measurement m, boolean perUnit) {
        switch (m.kind()) {
          case COUNT_VALUES, QUANTILE_TREE, UNITS_WITH_VALUES -> count = true;
          case COUNT_DISTINCT_VALUES -> distinct = true;
          case SUM, SUM_SQUARES, UNIT_MEANS -> {
            bound(m);
            if (gridded(m)) {
              gridded.add(m);
            } else {
              // an integer sum (privacy_unit: row, integer column, centre 0): exact in BIGINT already
              sum = true;
              integral |= m.integral();
            }
            count |= perUnit;
          }
          default -> throw new IllegalStateException(m.kind() + " has no argument");
        }
      }

      private void bound(Measurement m) {
        bounded = true;
        lower = m.lower();
        upper = m.upper();
      }
    }

    /** The first aggregation's output row: where COUNT(*) and each column's aggregates are. */
    private final class Aggregated {
      private final int rows;
      private final Map<String, ColumnUse> columns;

      Aggregated(int rows, Map<String, ColumnUse> columns) {
        this.rows = rows;
        this.columns = columns;
      }

      /** The field of COUNT(*), -1 when not computed. */
      int rows() {
        return rows;
      }

      /**
       * Measurement {@code m} over the aggregated rows (per unit and group, or per group for row units); a
       * centred sum is {@code CAST(s AS DOUBLE) - c * n}. Not for COUNT_UNITS of units with several rows.
       */
      RexNode measured(Measurement m) {
        return switch (m.kind()) {
          case COUNT_ROWS, COUNT_UNITS -> b.field(rows);
          case COUNT_VALUES, QUANTILE_TREE, UNITS_WITH_VALUES -> b.field(column(m).countField);
          case COUNT_DISTINCT_VALUES -> b.field(columns.get(distinctKey(m)).distinctField);
          case SUM, UNIT_MEANS -> gridded(m) ? b.field(column(m).stepSums.get(m)) : b.field(column(m).sumField);
          case SUM_SQUARES -> b.field(column(m).stepSums.get(m));
        };
      }

      /** The count of the values that measurement {@code m} adds up. */
      RexNode count(Measurement m) {
        return b.field(column(m).countField);
      }

      private ColumnUse column(Measurement m) {
        return columns.get(m.argument().orElseThrow().toString());
      }
    }

    /**
     * One row's contribution to a real-valued sum {@code m} in whole steps of its grid ({@link SumGrid}): the
     * clamped value {@code v} (DOUBLE, within {@code [lower, upper]}), centred and squared as {@code m} says. With
     * {@code clampRow} (the row is the unit) the steps are clamped to the row bounds rounded inwards, where rounding
     * could otherwise leave them. The steps are the backend's 64-bit type ({@link SumGrid.RowSteps}) when every value
     * in {@code [lower, upper]} gives a count below 10^18 (always, with the grid's 2^41 steps per bound), so the backend
     * adds 64-bit integers into its wider sum; otherwise DECIMAL(38, 0). Either way the cast cannot fail on any row.
     */
    private RexNode rowSteps(RexNode v, Measurement m, boolean clampRow, double lower, double upper) {
      int e = SumGrid.exponent(m);
      double c = m.center();
      RexNode d = c == 0 ? v : b.call(SqlStdOperatorTable.MINUS, v, clamps.literal(c, false));
      boolean square = m.kind() == MeasurementKind.SUM_SQUARES;
      // the extreme steps of any v in [lower, upper] (the SQL's IEEE operations are monotone in v)
      double[] reach = rowExtremes(lower - c, upper - c, square);
      boolean narrow = Math.abs(SumGrid.rowSteps(reach[0], e)) < 1e18 && Math.abs(SumGrid.rowSteps(reach[1], e)) < 1e18;
      RexNode steps = clamps.steps(square ? b.call(SqlStdOperatorTable.MULTIPLY, d, d) : d, e,
          narrow ? clamps.rowStepsType(SumGrid.RowSteps.forDialect(dialect)) : clamps.stepsType());
      if (!clampRow) {
        return steps;
      }
      // the extreme row values, computed as the SQL computes them (same IEEE operations, monotone in the value)
      double[] extremes = rowExtremes(m.lower() - c, m.upper() - c, square);
      double low = extremes[0];
      double high = extremes[1];
      java.math.BigInteger atLeast = SumGrid.stepsAtLeast(low, e);
      java.math.BigInteger atMost = SumGrid.stepsAtMost(high, e);
      if (SumGrid.rowSteps(low, e) >= atLeast.doubleValue() && SumGrid.rowSteps(high, e) <= atMost.doubleValue()) {
        return steps; // the bounds are whole steps: rounding cannot leave them
      }
      return clamps.clampStepsAsIs(steps, atLeast, atMost);
    }

    /** The least and greatest of {@code d} (or of {@code d * d} when {@code square}) for d in {@code [lo, hi]}. */
    private static double[] rowExtremes(double lo, double hi, boolean square) {
      double low = square ? (lo <= 0 && hi >= 0 ? 0 : Math.min(lo * lo, hi * hi)) : lo;
      double high = square ? Math.max(lo * lo, hi * hi) : hi;
      return new double[] {low, high};
    }

    /** A unit's steps clamped to its per-unit bounds rounded inwards to whole steps. */
    private RexNode unitStepClamp(RexNode x, Measurement m) {
      int e = SumGrid.exponent(m);
      return clamps.clampSteps(x, SumGrid.stepsAtLeast(m.perUnitLower(), e), SumGrid.stepsAtMost(m.perUnitUpper(), e));
    }

    /** The first aggregation's key of a COUNT(DISTINCT v) measurement's own row value. */
    private static String distinctKey(Measurement m) {
      return "distinct " + m.argument().orElseThrow();
    }

    /** True when a unit could touch more than G groups. */
    boolean limitGroups() {
      if (plan.keys().isEmpty()) {
        return false;
      }
      int g = plan.dataset().maxGroupsContributed();
      if (plan.partitionMode() == PartitionMode.PUBLIC_DOMAIN) {
        return org.dpq.engine.analysis.KeyTuples.count(plan.keys()) > g;
      }
      return true;
    }

    /**
     * Keys, then each measurement as BIGINT or DOUBLE; a NULL (a sum over no values, or no row without keys) reads
     * as 0. A count that is never NULL and already BIGINT is passed as it is.
     */
    private void finalProject(int keyCount, boolean[] neverNull) {
      List<RexNode> out = new ArrayList<>();
      List<String> names = new ArrayList<>();
      for (int k = 0; k < keyCount; k++) {
        out.add(b.field(k));
        names.add("k" + k);
      }
      for (int i = 0; i < plan.measurements().size(); i++) {
        Measurement m = plan.measurements().get(i);
        RexNode field = b.field(keyCount + i);
        if (neverNull[i]) {
          out.add(field);
        } else {
          if (gridded(m)) {
            out.add(b.call(SqlStdOperatorTable.COALESCE, clamps.cast(field, clamps.stepsType()),
                clamps.stepsLiteral(java.math.BigInteger.ZERO)));
          } else {
            RelDataType type = m.integral() ? clamps.bigintType() : clamps.doubleType();
            out.add(b.call(SqlStdOperatorTable.COALESCE, clamps.cast(field, type), clamps.literal(0, m.integral())));
          }
        }
        names.add("m" + i);
      }
      b.project(out, names, true);
    }

    private List<RexNode> fieldRange(int from, int count) {
      List<RexNode> fields = new ArrayList<>();
      for (int f = from; f < from + count; f++) {
        fields.add(b.field(f));
      }
      return fields;
    }

    private RexNode inDomain(RexNode column, Column declared, List<String> values) {
      List<RexNode> literals = new ArrayList<>();
      for (String value : values) {
        literals.add(domainLiteral(declared, value));
      }
      if (literals.isEmpty()) {
        return rex.makeLiteral(false);
      }
      return b.in(column, literals);
    }

    private RexNode domainLiteral(Column column, String value) {
      try {
        return switch (column.type()) {
          case STRING -> rex.makeLiteral(value);
          case INT, LONG -> rex.makeExactLiteral(new BigDecimal(value.strip()));
          case DOUBLE -> rex.makeApproxLiteral(new BigDecimal(value.strip()));
          case BOOLEAN -> rex.makeLiteral(Boolean.parseBoolean(value.strip()));
          case DATE -> rex.makeDateLiteral(new DateString(value.strip()));
        };
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("a public value of column '" + column.name() + "' is not a valid "
            + column.type());
      }
    }
  }
}
