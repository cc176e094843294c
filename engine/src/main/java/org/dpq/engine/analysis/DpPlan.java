package org.dpq.engine.analysis;

import java.util.List;
import java.util.Optional;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rex.RexNode;
import org.dpq.engine.catalog.Dataset;

/**
 * An analysed query that dpq can bound: the private scan, its filter, the group keys, the measurements with
 * their sensitivities, the user-visible aggregates and the post-processing over noisy values. Immutable; owns
 * the statement that every released number is derived from bounded measurements only (invariants 3 and 5).
 *
 * @param dataset the catalog entry
 * @param sql the analyst's SQL as given
 * @param scan the TableScan of the private table (the base every expression refers to)
 * @param unitField field index of the privacy unit in the scan row, empty for {@code privacy_unit: row}
 * @param where the WHERE condition over the scan row
 * @param keys grouping columns (in GROUP BY order)
 * @param measurements noisy quantities per group; when {@code partitionMode} is THRESHOLD, one of them is the
 *     COUNT_UNITS measurement {@code selectionMeasurement} used for the threshold
 * @param selectionMeasurement index of the COUNT_UNITS measurement used for partition selection, or -1
 * @param aggregates user-visible aggregates in aggregate-row order
 * @param post post-processing over the aggregate row
 * @param partitionMode how keys are released
 * @param perUnit when the query reads a per-unit subquery: the bounded inner query that {@code scan} stands for
 *     ({@code dataset} is then its derived table, one row per unit, G = R = 1)
 */
public record DpPlan(Dataset dataset, String sql, RelNode scan, Optional<Integer> unitField,
    Optional<RexNode> where, List<GroupKey> keys, List<Measurement> measurements, int selectionMeasurement,
    List<AggregateSpec> aggregates, PostProcessing post, PartitionMode partitionMode,
    Optional<PerUnitSource> perUnit) {

  public DpPlan {
    keys = List.copyOf(keys);
    measurements = List.copyOf(measurements);
    aggregates = List.copyOf(aggregates);
    java.util.Objects.requireNonNull(perUnit, "perUnit");
  }

  /** A plan over the dataset's own table (no per-unit subquery). */
  public DpPlan(Dataset dataset, String sql, RelNode scan, Optional<Integer> unitField,
      Optional<RexNode> where, List<GroupKey> keys, List<Measurement> measurements, int selectionMeasurement,
      List<AggregateSpec> aggregates, PostProcessing post, PartitionMode partitionMode) {
    this(dataset, sql, scan, unitField, where, keys, measurements, selectionMeasurement, aggregates, post,
        partitionMode, Optional.empty());
  }

  /** This plan reading the per-unit subquery {@code source}. */
  DpPlan withPerUnit(PerUnitSource source) {
    return new DpPlan(dataset, sql, scan, unitField, where, keys, measurements, selectionMeasurement, aggregates,
        post, partitionMode, Optional.of(source));
  }
}
