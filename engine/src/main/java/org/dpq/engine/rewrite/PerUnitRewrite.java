package org.dpq.engine.rewrite;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.rel.type.RelDataTypeField;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.sql.SqlDialect;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.tools.RelBuilder;
import org.dpq.engine.analysis.PerUnitSource;

/**
 * The bounded per-unit subquery an outer query reads in place of its derived table. Owns invariant 3 for the
 * derived table: over the table (or, over several tables, the joined relation with the unit attached, where rows
 * whose private tables disagree on the unit are already dropped) and after the inner WHERE, each row value is
 * clamped to its row bounds, only the unit's first m rows by
 * {@code ROW_NUMBER() OVER (PARTITION BY unit ORDER BY hash(secret, unit, values))} reach the inner aggregate
 * (the window sees the unit's own rows only, and rows tying on the hash agree on every value read), and each
 * unit's aggregates are clamped to the derived bounds (a guard against rounding). The result has the derived
 * table's row: the unit, then one column per inner aggregate in its declared type.
 */
final class PerUnitRewrite {
  private PerUnitRewrite() {}

  /**
   * Pushes the bounded inner query of {@code source} onto {@code b}.
   *
   * @param bounded false only for the test seam that skips the row limit and the derived clamp
   */
  static void push(RelBuilder b, PerUnitSource source, SqlDialect dialect, long secret, boolean bounded) {
    RexBuilder rex = b.getRexBuilder();
    Clamps clamps = new Clamps(rex);
    b.push(source.input());
    source.where().ifPresent(w -> b.filter(RowErrors.asFilter(b, dialect, w)));
    RexNode unit = rex.makeInputRef(source.input(), source.unitField());
    List<RexNode> projection = new ArrayList<>();
    List<String> names = new ArrayList<>();
    projection.add(unit);
    names.add("dpq_unit");
    int[] field = new int[source.columns().size()];
    for (int i = 0; i < source.columns().size(); i++) {
      PerUnitSource.Column c = source.columns().get(i);
      if (c.argument().isEmpty()) {
        field[i] = -1;
        continue;
      }
      RexNode value = RowErrors.asValue(b, dialect, c.argument().get(), clamps::expandColumnClamps,
          "an aggregate's argument");
      field[i] = projection.size();
      projection.add(c.kind() == PerUnitSource.Kind.COUNT_VALUES ? clamps.nanToNull(value)
          : clamps.clampRow(value, c.rowLower(), c.rowUpper(), c.integral()));
      names.add("dpq_v" + i);
    }
    if (bounded) {
      RexNode number = b.aggregateCall(SqlStdOperatorTable.ROW_NUMBER).over()
          .partitionBy(unit)
          .orderBy(HashFunction.forDialect(dialect).hash(b, secret, new ArrayList<>(projection)))
          .rowsUnbounded()
          .toRex();
      projection.add(number);
      names.add("dpq_row");
    }
    b.project(projection, names, true);
    if (bounded) {
      b.filter(b.lessThanOrEqual(b.field("dpq_row"), b.literal(BigDecimal.valueOf(source.rowLimit()))));
    }
    List<RelBuilder.AggCall> calls = new ArrayList<>();
    for (int i = 0; i < source.columns().size(); i++) {
      PerUnitSource.Column c = source.columns().get(i);
      String name = "dpq_a" + i;
      calls.add(switch (c.kind()) {
        case COUNT_ROWS -> b.countStar(name);
        case COUNT_VALUES -> b.count(false, name, b.field(field[i]));
        case SUM -> b.sum(false, name, b.field(field[i]));
        case AVG -> b.avg(false, name, b.field(field[i]));
        case MIN -> b.min(name, b.field(field[i]));
        case MAX -> b.max(name, b.field(field[i]));
      });
    }
    b.aggregate(b.groupKey(b.field(0)), calls);
    List<RexNode> out = new ArrayList<>();
    List<String> outNames = new ArrayList<>();
    List<RelDataTypeField> fields = source.rowType().getFieldList();
    out.add(b.field(0));
    outNames.add(fields.get(0).getName());
    for (int i = 0; i < source.columns().size(); i++) {
      PerUnitSource.Column c = source.columns().get(i);
      RexNode x = b.field(1 + i);
      boolean integral = c.kind() == PerUnitSource.Kind.COUNT_ROWS || c.kind() == PerUnitSource.Kind.COUNT_VALUES
          || c.integral();
      if (bounded) {
        x = clamps.clamp(x, c.lower(), c.upper(), integral);
      }
      out.add(rex.makeAbstractCast(fields.get(1 + i).getType(), x, false));
      outNames.add(fields.get(1 + i).getName());
    }
    b.project(out, outNames, true);
  }
}
