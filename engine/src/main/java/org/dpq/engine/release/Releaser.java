package org.dpq.engine.release;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.calcite.rel.RelFieldCollation;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexUtil;
import org.dpq.engine.Cell;
import org.dpq.engine.analysis.AggregateSpec;
import org.dpq.engine.analysis.DpPlan;
import org.dpq.engine.analysis.GroupKey;
import org.dpq.engine.analysis.Measurement;
import org.dpq.engine.analysis.MeasurementKind;
import org.dpq.engine.analysis.PartitionMode;
import org.dpq.engine.catalog.Column;
import org.dpq.engine.release.AggregateDeriver.Noisy;
import org.dpq.engine.rewrite.SumGrid;
import org.dpq.mechanisms.Interval;
import org.dpq.mechanisms.PartitionThreshold;
import org.dpq.mechanisms.QuantileTree;

/**
 * Turns the backend's bounded rows into released rows. Owns invariants 2 and 5 at the point of release: every
 * measurement of every group gets fresh noise from {@link Noise}, real-valued sums as the exact decimals the
 * backend computed in grid steps ({@link SumGrid}); group keys leave only as the declared public
 * domain (absent keys as noisy zeros, keys outside it dropped) or when their noisy distinct-unit count clears
 * the threshold; everything after that (AVG, VAR, HAVING, ORDER BY, LIMIT, arithmetic) reads noisy values only.
 */
public final class Releaser {

  /** The released table before it is wrapped with cost and budget. */
  public record Released(List<String> columns, List<List<Cell>> rows) {}

  /** Rejects, before any charge, a plan whose post-processing this releaser cannot evaluate. */
  public static void check(DpPlan plan) {
    prepared(plan).forEach(RexEvaluator::check);
  }

  /** Releases the bounded rows of {@code plan} with the noise of {@code noisePlan} (a plan without order statistics). */
  public Released release(DpPlan plan, NoisePlan noisePlan, List<Object[]> boundedRows, Noise noise) {
    return release(plan, noisePlan, boundedRows, Map.of(), noise);
  }

  /**
   * Releases the bounded rows of {@code plan} with the noise of {@code noisePlan}; {@code treeRows} holds, for each
   * quantile-tree measurement index, the rows of its tree query (keys, leaf, weight; see
   * {@code Rewriter#treeQuery}). Order statistics of a released group are read from that group's noisy tree (each
   * node's noise drawn once, only for the nodes read; see {@link QuantileTree}); a group without tree rows has an
   * empty tree, which still gets noise.
   */
  public Released release(DpPlan plan, NoisePlan noisePlan, List<Object[]> boundedRows,
      Map<Integer, List<Object[]>> treeRows, Noise noise) {
    int keyCount = plan.keys().size();
    Map<Integer, Map<List<String>, Map<Integer, Long>>> leaves = leaves(plan, treeRows);
    List<Object[]> groups = switch (plan.partitionMode()) {
      case NONE -> List.<Object[]>of(boundedRows.isEmpty() ? zeros(plan, new Object[0]) : boundedRows.get(0));
      case PUBLIC_DOMAIN -> publicDomain(plan, boundedRows);
      case THRESHOLD -> boundedRows;
    };
    List<List<Cell>> aggregateRows = new ArrayList<>();
    for (Object[] group : groups) {
      List<Noisy> noisy = new ArrayList<>(plan.measurements().size());
      boolean keep = true;
      for (int i = 0; i < plan.measurements().size(); i++) {
        MeasurementNoise mn = noisePlan.measurements().get(i);
        Object raw = group[keyCount + i];
        double value;
        if (mn.measurement().kind() == MeasurementKind.QUANTILE_TREE) {
          value = Double.NaN; // released through its tree below
        } else if (mn.threshold().isPresent()) {
          PartitionThreshold t = mn.threshold().get();
          long units = noise.noisyUnits(t, asLong(raw));
          keep = t.release(units);
          value = units;
        } else if (mn.measurement().integral()) {
          value = noise.add(mn.mechanism(), asLong(raw));
        } else if (SumGrid.applies(mn.measurement())) {
          // the exact bounded sum: whole grid steps, whatever order the backend added them in
          value = noise.add(mn.mechanism(), SumGrid.value(raw, mn.measurement()));
        } else {
          value = noise.add(mn.mechanism(), asDouble(raw));
        }
        noisy.add(new Noisy(value, mn));
        if (!keep) {
          break;
        }
      }
      if (!keep) {
        continue;
      }
      List<Cell> row = new ArrayList<>(keyCount + plan.aggregates().size());
      for (int k = 0; k < keyCount; k++) {
        row.add(new Cell(keyValue(group[k]), null));
      }
      Map<Integer, QuantileTree.Noisy> trees = new HashMap<>();
      for (AggregateSpec spec : plan.aggregates()) {
        if (spec instanceof AggregateSpec.Quantile q) {
          QuantileTree.Noisy tree = trees.computeIfAbsent(q.tree(), i -> {
            MeasurementNoise mn = noisePlan.measurements().get(i);
            Map<Integer, Long> counts = leaves.getOrDefault(i, Map.of()).getOrDefault(groupKey(plan, group), Map.of());
            return QuantileTree.noisy(mn.measurement().tree().orElseThrow(), counts, mn.mechanism(),
                c -> noise.add(mn.mechanism(), c));
          });
          row.add(quantile(q, tree, noisePlan.measurements().get(q.tree()).measurement(), plan.aggregates()));
        } else {
          row.add(AggregateDeriver.derive(spec, noisy));
        }
      }
      aggregateRows.add(row);
    }
    return postProcess(plan, aggregateRows);
  }

  /** An order statistic of one group's noisy tree, with the tree's 95% interval (see {@link QuantileTree.Noisy#interval}). */
  private static Cell quantile(AggregateSpec.Quantile q, QuantileTree.Noisy tree, Measurement m,
      List<AggregateSpec> all) {
    double value = switch (q.extreme()) {
      case MIN -> Math.min(tree.extreme(false), requested(all, q.tree(), tree, false));
      case MAX -> Math.max(tree.extreme(true), requested(all, q.tree(), tree, true));
      case NONE -> tree.quantile(q.fraction());
    };
    Interval ci = tree.interval(q.fraction(), AggregateDeriver.CONFIDENCE);
    // an interval must hold the released value (an extreme may lie outside the plain quantiles' interval)
    ci = new Interval(Math.min(ci.low(), value), Math.max(ci.high(), value));
    boolean covers = ci.low() <= m.lower() && ci.high() >= m.upper();
    if (q.integral()) {
      long v = Math.round(value);
      return new Cell(v, new Interval(Math.floor(ci.low()), Math.ceil(ci.high())), covers);
    }
    return new Cell(value, ci, covers);
  }

  /**
   * The lowest (or highest) percentile the query reads from the same tree, so that a released MIN is never above a
   * released percentile of the same column and group, nor MAX below one (the extremes use another noise floor than
   * the percentiles, see {@link QuantileTree.Noisy#extreme}); +-infinity when there is none. Post-processing.
   */
  private static double requested(List<AggregateSpec> all, int treeIndex, QuantileTree.Noisy tree, boolean highest) {
    double out = highest ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    for (AggregateSpec spec : all) {
      if (spec instanceof AggregateSpec.Quantile other && other.tree() == treeIndex
          && other.extreme() == AggregateSpec.Extreme.NONE) {
        double v = tree.quantile(other.fraction());
        out = highest ? Math.max(out, v) : Math.min(out, v);
      }
    }
    return out;
  }

  /** Tree rows by measurement, then by canonical group key, then leaf. */
  private static Map<Integer, Map<List<String>, Map<Integer, Long>>> leaves(DpPlan plan,
      Map<Integer, List<Object[]>> treeRows) {
    int keyCount = plan.keys().size();
    Map<Integer, Map<List<String>, Map<Integer, Long>>> out = new HashMap<>();
    for (Map.Entry<Integer, List<Object[]>> e : treeRows.entrySet()) {
      Map<List<String>, Map<Integer, Long>> byGroup = new HashMap<>();
      for (Object[] row : e.getValue()) {
        long weight = asLong(row[keyCount + 1]);
        if (weight != 0) {
          byGroup.computeIfAbsent(groupKey(plan, row), k -> new HashMap<>())
              .merge((int) asLong(row[keyCount]), weight, Long::sum);
        }
      }
      out.put(e.getKey(), byGroup);
    }
    return out;
  }

  private static List<String> groupKey(DpPlan plan, Object[] row) {
    List<String> key = new ArrayList<>(plan.keys().size());
    for (int i = 0; i < plan.keys().size(); i++) {
      key.add(canonical(row[i], plan.keys().get(i).column()));
    }
    return key;
  }

  private static Released postProcess(DpPlan plan, List<List<Cell>> aggregateRows) {
    List<RexNode> exprs = prepared(plan);
    List<RexNode> outputs = exprs.subList(0, plan.post().outputs().size());
    RexNode having = plan.post().having().isPresent() ? exprs.get(exprs.size() - 1) : null;
    List<List<Cell>> out = new ArrayList<>();
    for (List<Cell> aggRow : aggregateRows) {
      List<Object> values = new ArrayList<>(aggRow.size());
      for (Cell c : aggRow) {
        values.add(c.value());
      }
      if (having != null && !Boolean.TRUE.equals(RexEvaluator.eval(having, values))) {
        continue;
      }
      List<Cell> row = new ArrayList<>(outputs.size());
      for (RexNode e : outputs) {
        row.add(new Cell(RexEvaluator.eval(e, values), OutputIntervals.of(e, aggRow, plan.keys().size()),
            OutputIntervals.coversRange(e, aggRow, plan.keys().size())));
      }
      out.add(row);
    }
    sort(out, plan.post().orderBy());
    long offset = plan.post().offset().orElse(0);
    long limit = plan.post().limit().orElse(Long.MAX_VALUE);
    int from = (int) Math.min(out.size(), offset);
    int to = (int) Math.min(out.size(), from + Math.min(limit, Integer.MAX_VALUE));
    return new Released(OutputNames.of(plan), new ArrayList<>(out.subList(from, to)));
  }

  /** Output expressions then HAVING, with SEARCH (IN/BETWEEN ranges) expanded into plain comparisons. */
  private static List<RexNode> prepared(DpPlan plan) {
    RexBuilder rexBuilder = plan.scan().getCluster().getRexBuilder();
    List<RexNode> all = new ArrayList<>(plan.post().outputs());
    plan.post().having().ifPresent(all::add);
    return all.stream().map(e -> RexUtil.expandSearch(rexBuilder, null, e)).toList();
  }

  private static void sort(List<List<Cell>> rows, List<RelFieldCollation> orderBy) {
    if (orderBy.isEmpty()) {
      return;
    }
    Comparator<List<Cell>> cmp = null;
    for (RelFieldCollation fc : orderBy) {
      int index = fc.getFieldIndex();
      boolean descending = fc.getDirection().isDescending();
      boolean nullsFirst = fc.nullDirection == RelFieldCollation.NullDirection.FIRST;
      Comparator<List<Cell>> c = (a, b) -> {
        Object x = a.get(index).value();
        Object y = b.get(index).value();
        if (x == null || y == null) {
          if (x == y) {
            return 0;
          }
          return (x == null) == nullsFirst ? -1 : 1;
        }
        int r = RexEvaluator.compare(x, y);
        return descending ? -r : r;
      };
      cmp = cmp == null ? c : cmp.thenComparing(c);
    }
    rows.sort(cmp);
  }

  private static List<Object[]> publicDomain(DpPlan plan, List<Object[]> boundedRows) {
    List<GroupKey> keys = plan.keys();
    Map<List<String>, Object[]> byKey = new HashMap<>();
    for (Object[] row : boundedRows) {
      List<String> k = new ArrayList<>(keys.size());
      for (int i = 0; i < keys.size(); i++) {
        k.add(canonical(row[i], keys.get(i).column()));
      }
      byKey.put(k, row);
    }
    // every key's own domain, joint domains as their public tuples (the same combinations the G check counted)
    Map<List<String>, Object[]> ordered = new LinkedHashMap<>();
    for (List<String> values : org.dpq.engine.analysis.KeyTuples.all(keys)) {
      List<String> k = new ArrayList<>(keys.size());
      for (int i = 0; i < keys.size(); i++) {
        k.add(canonical(values.get(i), keys.get(i).column()));
      }
      Object[] found = byKey.get(k);
      ordered.put(k, found != null ? found : zeros(plan, publicKeyValues(k, keys)));
    }
    return new ArrayList<>(ordered.values());
  }

  private static Object[] publicKeyValues(List<String> canonicalKey, List<GroupKey> keys) {
    Object[] values = new Object[keys.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = typedKey(canonicalKey.get(i), keys.get(i).column());
    }
    return values;
  }

  private static Object[] zeros(DpPlan plan, Object[] keys) {
    Object[] row = new Object[keys.length + plan.measurements().size()];
    System.arraycopy(keys, 0, row, 0, keys.length);
    for (int i = 0; i < plan.measurements().size(); i++) {
      Measurement m = plan.measurements().get(i);
      row[keys.length + i] = m.integral() ? (Object) 0L : (Object) 0.0;
    }
    return row;
  }

  /** Public-domain keys compare by value: numbers numerically (so "1", 1 and 1.0 match), strings as written. */
  private static String canonical(Object value, Column column) {
    if (value == null) {
      return "\u0000null";
    }
    if (column.type().isNumeric()) {
      try {
        return new BigDecimal(String.valueOf(value)).stripTrailingZeros().toPlainString();
      } catch (NumberFormatException e) {
        return String.valueOf(value);
      }
    }
    return String.valueOf(value);
  }

  private static Object typedKey(String canonical, Column column) {
    return switch (column.type()) {
      case INT, LONG -> Long.parseLong(canonical);
      case DOUBLE -> Double.parseDouble(canonical);
      case BOOLEAN -> Boolean.parseBoolean(canonical);
      default -> canonical;
    };
  }

  private static Object keyValue(Object raw) {
    if (raw instanceof Integer || raw instanceof Short || raw instanceof Byte) {
      return ((Number) raw).longValue();
    }
    if (raw instanceof Float f) {
      return f.doubleValue();
    }
    if (raw instanceof BigDecimal bd) {
      return bd.doubleValue();
    }
    if (raw == null || raw instanceof Long || raw instanceof Double || raw instanceof String || raw instanceof Boolean) {
      return raw;
    }
    return raw.toString();
  }

  private static long asLong(Object raw) {
    if (raw == null) {
      return 0;
    }
    Number n = (Number) raw;
    return n instanceof Double || n instanceof Float || n instanceof BigDecimal ? Math.round(n.doubleValue())
        : n.longValue();
  }

  private static double asDouble(Object raw) {
    return raw == null ? 0.0 : ((Number) raw).doubleValue();
  }

}
