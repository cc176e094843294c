package org.dpq.engine.rewrite;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.calcite.plan.Contexts;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.rel2sql.RelToSqlConverter;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.sql.SqlDialect;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.tools.RelBuilder;
import org.apache.calcite.util.DateString;
import org.dpq.engine.analysis.DpPlan;
import org.dpq.engine.analysis.GroupKey;
import org.dpq.engine.analysis.Measurement;
import org.dpq.engine.analysis.MeasurementKind;
import org.dpq.engine.analysis.PartitionMode;
import org.dpq.engine.catalog.Column;

/**
 * Rewrites a {@link DpPlan} into the bounded aggregation of DESIGN.md and emits it as SQL for one backend
 * dialect, built with {@code RelBuilder} and {@code RelToSqlConverter}. Owns invariant 3 in the executed query:
 * rows are filtered and clamped to the column bounds; each unit's rows are pre-aggregated per group and limited
 * to R rows' worth (counts capped at min(n, R); a sum of n values scaled to min(n, R) times their mean, then, as
 * defence in depth, clamped to {@code [perUnitLower, perUnitUpper]}); each
 * unit keeps at most G groups, chosen by a secret-keyed hash of (unit, keys) on the pre-aggregated rows; only
 * then are units summed per group. It also drops rows whose key lies outside a declared public domain.
 *
 * <p>Rows whose unit is NULL are treated as one unit (GROUP BY and PARTITION BY put NULLs together), so they
 * are bounded like any other unit rather than dropped or left unbounded.
 *
 * <p>For {@code privacy_unit: row} each row is a unit that lies in one group with one row, so the per-unit
 * stage is skipped: a plain GROUP BY over clamped rows (the fast path).
 *
 * <p>Result columns: the keys (in {@code plan.keys()} order), then one column per measurement (in
 * {@code plan.measurements()} order), BIGINT for integral measurements and DOUBLE otherwise, never NULL. A query
 * without keys returns exactly one row, also on empty input. Stateless and thread-safe.
 */
public final class Rewriter {
  private final boolean perUnitClamp;

  /** The rewriter dpq uses. */
  public Rewriter() {
    this(true);
  }

  /**
   * Test seam: {@code perUnitClamp = false} skips the per-unit limits, i.e. count caps, sum scaling and clamps (a
   * deliberately broken rewrite).
   */
  Rewriter(boolean perUnitClamp) {
    this.perUnitClamp = perUnitClamp;
  }

  /**
   * The bounded query for {@code plan} in {@code dialect}.
   *
   * @param secret a per-query random value; it keys the choice of which G groups a unit keeps
   */
  public BoundedQuery rewrite(DpPlan plan, SqlDialect dialect, long secret) {
    RelBuilder builder = RelBuilder.proto(Contexts.of(RelBuilder.Config.DEFAULT.withSimplify(false).withBloat(-1)))
        .create(plan.scan().getCluster(), plan.scan().getTable().getRelOptSchema());
    RelNode rel = new Build(plan, builder, dialect, secret).build();
    SqlNode statement = new RelToSqlConverter(dialect).visitRoot(rel).asStatement();
    return new BoundedQuery(statement.toSqlString(dialect).getSql(), plan.keys().size(),
        plan.measurements().size());
  }

  /** One rewrite: the stages over one RelBuilder. */
  private final class Build {
    private final DpPlan plan;
    private final RelBuilder b;
    private final HashFunction hash;
    private final long secret;
    private final RexBuilder rex;
    private final Clamps clamps;
    private final SqlDialect dialect;

    Build(DpPlan plan, RelBuilder builder, SqlDialect dialect, long secret) {
      this.plan = plan;
      this.b = builder;
      this.hash = HashFunction.forDialect(dialect);
      this.secret = secret;
      this.rex = builder.getRexBuilder();
      this.clamps = new Clamps(rex);
      this.dialect = dialect;
    }

    RelNode build() {
      b.push(plan.scan());
      List<RexNode> conditions = new ArrayList<>();
      plan.where().ifPresent(w -> conditions.add(RowErrors.asFilter(b, dialect, w)));
      for (GroupKey key : plan.keys()) {
        key.column().publicValues().ifPresent(values -> conditions.add(inDomain(key, values)));
      }
      if (!conditions.isEmpty()) {
        b.filter(conditions);
      }
      if (plan.unitField().isEmpty()) {
        rowUnits();
      } else {
        perUnit();
      }
      return b.build();
    }

    /** Row values over the scan row (after WHERE), deduplicated; index per measurement, -1 when none. */
    private int[] rowValues(List<RexNode> projection, List<String> names) {
      Map<String, Integer> seen = new LinkedHashMap<>();
      int[] index = new int[plan.measurements().size()];
      for (int i = 0; i < index.length; i++) {
        RexNode value = rowValue(plan.measurements().get(i));
        if (value == null) {
          index[i] = -1;
          continue;
        }
        Integer at = seen.get(value.toString());
        if (at == null) {
          at = projection.size();
          projection.add(value);
          names.add("dpq_v" + at);
          seen.put(value.toString(), at);
        }
        index[i] = at;
      }
      return index;
    }

    private RexNode rowValue(Measurement m) {
      return switch (m.kind()) {
        case COUNT_ROWS, COUNT_UNITS -> null;
        case COUNT_VALUES -> clamps.nanToNull(m.argument().orElseThrow());
        case SUM -> {
          RexNode v = clamps.clampRow(m.argument().orElseThrow(), m.lower(), m.upper(), m.integral());
          yield m.center() == 0 ? v : b.call(SqlStdOperatorTable.MINUS, v, clamps.literal(m.center(), false));
        }
        case SUM_SQUARES -> {
          RexNode v = clamps.clampRow(m.argument().orElseThrow(), m.lower(), m.upper(), false);
          RexNode d = m.center() == 0 ? v : b.call(SqlStdOperatorTable.MINUS, v, clamps.literal(m.center(), false));
          yield b.call(SqlStdOperatorTable.MULTIPLY, d, d);
        }
      };
    }

    /** {@code privacy_unit: row}: one GROUP BY keys over clamped rows. */
    private void rowUnits() {
      List<RexNode> projection = new ArrayList<>();
      List<String> names = new ArrayList<>();
      int keyCount = plan.keys().size();
      for (int k = 0; k < keyCount; k++) {
        projection.add(plan.keys().get(k).expression());
        names.add("dpq_k" + k);
      }
      int[] value = rowValues(projection, names);
      b.project(projection, names, true);
      List<RelBuilder.AggCall> calls = new ArrayList<>();
      for (int i = 0; i < value.length; i++) {
        Measurement m = plan.measurements().get(i);
        String name = "dpq_m" + i;
        calls.add(switch (m.kind()) {
          case COUNT_ROWS, COUNT_UNITS -> b.countStar(name);
          case COUNT_VALUES -> b.count(false, name, b.field(value[i]));
          case SUM, SUM_SQUARES -> b.sum(false, name, b.field(value[i]));
        });
      }
      b.aggregate(b.groupKey(fieldRange(0, keyCount)), calls);
      finalProject(keyCount);
    }

    /** Per-unit pre-aggregation, per-unit clamps, at most G groups per unit, then cross-unit sums. */
    private void perUnit() {
      int keyCount = plan.keys().size();
      List<RexNode> projection = new ArrayList<>();
      List<String> names = new ArrayList<>();
      projection.add(rex.makeInputRef(plan.scan(), plan.unitField().orElseThrow()));
      names.add("dpq_unit");
      for (int k = 0; k < keyCount; k++) {
        projection.add(plan.keys().get(k).expression());
        names.add("dpq_k" + k);
      }
      int[] value = rowValues(projection, names);
      b.project(projection, names, true);

      // Per unit and group: counts and sums of the unit's rows, and for each summed column the count n of the
      // values summed (non-NULL, non-NaN: NULL exactly when the clamped value is), shared with COUNT(col).
      List<RelBuilder.AggCall> calls = new ArrayList<>();
      int[] aggField = new int[value.length];
      int[] countField = new int[value.length];
      java.util.Arrays.fill(aggField, -1);
      java.util.Arrays.fill(countField, -1);
      Map<String, Integer> valueCounts = new LinkedHashMap<>();
      for (int i = 0; i < value.length; i++) {
        Measurement m = plan.measurements().get(i);
        String name = "dpq_p" + i;
        switch (m.kind()) {
          case COUNT_UNITS -> {
            continue;
          }
          case COUNT_ROWS -> calls.add(b.countStar(name));
          case COUNT_VALUES -> {
            valueCounts.put(m.argument().orElseThrow().toString(), calls.size());
            calls.add(b.count(false, name, b.field(value[i])));
          }
          case SUM, SUM_SQUARES -> calls.add(b.sum(false, name, b.field(value[i])));
          default -> throw new IllegalStateException();
        }
        aggField[i] = calls.size() - 1;
      }
      for (int i = 0; i < value.length; i++) {
        Measurement m = plan.measurements().get(i);
        if (m.kind() == MeasurementKind.SUM || m.kind() == MeasurementKind.SUM_SQUARES) {
          String column = m.argument().orElseThrow().toString();
          Integer at = valueCounts.get(column);
          if (at == null) {
            at = calls.size();
            calls.add(b.count(false, "dpq_n" + i, b.field(value[i])));
            valueCounts.put(column, at);
          }
          countField[i] = at;
        }
      }
      b.aggregate(b.groupKey(fieldRange(0, keyCount + 1)), calls);

      // Per-unit limits: counts capped at R, sums scaled to min(n, R) values' worth, then clamped to the bound.
      List<RexNode> clamped = new ArrayList<>();
      List<String> clampedNames = new ArrayList<>();
      for (int f = 0; f <= keyCount; f++) {
        clamped.add(b.field(f));
        clampedNames.add(f == 0 ? "dpq_unit" : "dpq_k" + (f - 1));
      }
      int[] perUnitField = new int[value.length];
      java.util.Arrays.fill(perUnitField, -1);
      double rows = plan.dataset().maxRowsPerGroup();
      for (int i = 0; i < value.length; i++) {
        Measurement m = plan.measurements().get(i);
        if (aggField[i] < 0) {
          continue;
        }
        RexNode x = b.field(keyCount + 1 + aggField[i]);
        RexNode c;
        if (!perUnitClamp) {
          c = x;
        } else if (m.kind() == MeasurementKind.COUNT_ROWS || m.kind() == MeasurementKind.COUNT_VALUES) {
          c = clamps.cap(x, m.perUnitUpper());
        } else {
          RexNode scaled = clamps.scale(x, b.field(keyCount + 1 + countField[i]), rows);
          c = clamps.clamp(scaled, m.perUnitLower(), m.perUnitUpper(), false);
        }
        perUnitField[i] = clamped.size();
        clamped.add(c);
        clampedNames.add("dpq_c" + i);
      }
      if (limitGroups()) {
        List<RexNode> hashed = new ArrayList<>();
        for (int f = 0; f <= keyCount; f++) {
          hashed.add(b.field(f));
        }
        RexNode rank = b.aggregateCall(SqlStdOperatorTable.ROW_NUMBER).over()
            .partitionBy(b.field(0))
            .orderBy(hash.hash(b, secret, hashed))
            .rowsUnbounded()
            .toRex();
        clamped.add(rank);
        clampedNames.add("dpq_rank");
        b.project(clamped, clampedNames, true);
        b.filter(b.lessThanOrEqual(b.field("dpq_rank"),
            b.literal(BigDecimal.valueOf(plan.dataset().maxGroupsContributed()))));
      } else {
        b.project(clamped, clampedNames, true);
      }

      // Across units, per group.
      List<RelBuilder.AggCall> totals = new ArrayList<>();
      for (int i = 0; i < value.length; i++) {
        Measurement m = plan.measurements().get(i);
        String name = "dpq_m" + i;
        totals.add(m.kind() == MeasurementKind.COUNT_UNITS ? b.countStar(name)
            : b.sum(false, name, b.field(perUnitField[i])));
      }
      b.aggregate(b.groupKey(fieldRange(1, keyCount)), totals);
      finalProject(keyCount);
    }

    /** True when a unit could touch more than G groups. */
    private boolean limitGroups() {
      if (plan.keys().isEmpty()) {
        return false;
      }
      int g = plan.dataset().maxGroupsContributed();
      if (plan.partitionMode() == PartitionMode.PUBLIC_DOMAIN) {
        long product = 1;
        for (GroupKey key : plan.keys()) {
          product = Math.multiplyExact(product, key.column().publicValues().orElseThrow().size());
          if (product > g) {
            return true;
          }
        }
        return product > g;
      }
      return true;
    }

    /** Keys, then each measurement as BIGINT or DOUBLE, NULL sums read as 0. */
    private void finalProject(int keyCount) {
      List<RexNode> out = new ArrayList<>();
      List<String> names = new ArrayList<>();
      for (int k = 0; k < keyCount; k++) {
        out.add(b.field(k));
        names.add("k" + k);
      }
      for (int i = 0; i < plan.measurements().size(); i++) {
        Measurement m = plan.measurements().get(i);
        RelDataType type = m.integral() ? clamps.bigintType() : clamps.doubleType();
        RexNode value = clamps.cast(b.field(keyCount + i), type);
        out.add(b.call(SqlStdOperatorTable.COALESCE, value, clamps.literal(0, m.integral())));
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

    private RexNode inDomain(GroupKey key, List<String> values) {
      RexNode column = key.expression();
      List<RexNode> literals = new ArrayList<>();
      for (String value : values) {
        literals.add(domainLiteral(key.column(), value));
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
