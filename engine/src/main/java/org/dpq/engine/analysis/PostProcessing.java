package org.dpq.engine.analysis;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.calcite.rel.RelFieldCollation;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rex.RexNode;

/**
 * What is computed on released (noisy) values only: the SELECT list, HAVING, ORDER BY and LIMIT. Every
 * expression reads the "aggregate row" {@code [keys..., aggregates...]} (same order as
 * {@link DpPlan#keys()} then {@link DpPlan#aggregates()}), never raw data.
 *
 * @param outputs the SELECT list over the aggregate row
 * @param outputNames output column names
 * @param outputTypes output SQL types (as Calcite inferred them)
 * @param having filter over the aggregate row, evaluated after noise
 * @param orderBy collations over the outputs (field index = output position)
 * @param offset rows to skip
 * @param limit rows to keep
 */
public record PostProcessing(List<RexNode> outputs, List<String> outputNames, List<RelDataType> outputTypes,
    Optional<RexNode> having, List<RelFieldCollation> orderBy, OptionalLong offset, OptionalLong limit) {

  public PostProcessing {
    outputs = List.copyOf(outputs);
    outputNames = List.copyOf(outputNames);
    outputTypes = List.copyOf(outputTypes);
    orderBy = List.copyOf(orderBy);
  }
}
