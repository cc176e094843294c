package org.dpq.engine.analysis;

import org.apache.calcite.sql.SqlAggFunction;
import org.apache.calcite.sql.SqlFunctionCategory;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.type.OperandTypes;
import org.apache.calcite.sql.type.ReturnTypes;
import org.apache.calcite.util.Optionality;

/**
 * {@code AVG_PER_UNIT(x)}: the mean, over the privacy units of a group, of each unit's own mean of x in that group
 * (ZetaSQL's ANON_AVG estimand), beside {@code AVG(x)}, the row-weighted mean. Registered in dpq's operator table
 * so Calcite validates it like AVG (one numeric argument, a DOUBLE result); it is never sent to a backend. Owns no
 * privacy property itself: {@link PlanExtractor} measures it as a centred sum of per-unit means
 * ({@link MeasurementKind#UNIT_MEANS}, one value in [L, U] per unit and group) over a count of units with a value
 * ({@link MeasurementKind#UNITS_WITH_VALUES}), each bounded per unit whatever its row count.
 *
 * <p>NULL and NaN values are ignored: a unit's mean is over its non-NULL values, and a unit whose values in a group
 * are all NULL adds nothing to that group's sum or count. For {@code privacy_unit: row} each unit is one row, so the
 * per-unit mean is the row's value and AVG_PER_UNIT is answered as AVG (the same measurements and answer).
 */
public final class AvgPerUnit extends SqlAggFunction {
  /** The one instance, in {@code CatalogSchema}'s operator table. */
  public static final AvgPerUnit INSTANCE = new AvgPerUnit();

  private AvgPerUnit() {
    super("AVG_PER_UNIT", null, SqlKind.OTHER_FUNCTION, ReturnTypes.AVG_AGG_FUNCTION, null, OperandTypes.NUMERIC,
        SqlFunctionCategory.NUMERIC, false, false, Optionality.FORBIDDEN);
  }
}
