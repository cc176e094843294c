package org.dpq.engine.analysis;

import java.util.List;
import java.util.Optional;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.TableScan;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rex.RexNode;
import org.dpq.engine.catalog.Dataset;

/**
 * A per-unit subquery ({@code SELECT unit, SUM(x) AS s, COUNT(*) AS n FROM t WHERE ... GROUP BY unit}) as the table
 * an outer aggregate reads: one row per privacy unit whose values are bounded. Owns the derived bounds of that
 * table: at most {@code rowLimit} = min(G*R, C) rows of a unit reach the inner aggregate, each value clamped to its
 * row bounds, so SUM lies in [m*min(L,0), m*max(U,0)], COUNT in [0, m], AVG/MIN/MAX in [L, U]. The outer query is
 * then bounded over that table with G = R = 1 (one row per unit).
 *
 * @param dataset the real dataset (its table, bounds, G, R and cap)
 * @param scan the real table's scan, or over several tables the joined view's scan; every argument and
 *     {@code where} refer to its row
 * @param input what the bounded inner query reads: {@code scan} itself over one table, or the joined relation with
 *     the unit attached ({@code JoinedQuery}'s real relation, whose row is {@code scan}'s) over several tables
 * @param unitField the privacy unit's field in the scan row
 * @param where the inner WHERE over the scan row
 * @param rowLimit m: the most rows of one unit the inner aggregate reads
 * @param columns the derived table's columns after the unit (in the inner aggregate's order)
 * @param rowType the derived table's row: the unit, then {@code columns}
 */
public record PerUnitSource(Dataset dataset, TableScan scan, RelNode input, int unitField, Optional<RexNode> where,
    int rowLimit, List<Column> columns, RelDataType rowType) {

  public PerUnitSource {
    columns = List.copyOf(columns);
    if (!input.getRowType().getFieldNames().equals(scan.getRowType().getFieldNames())) {
      throw new IllegalArgumentException("the per-unit input must have the scan's row");
    }
  }

  /** A per-unit subquery over the one table {@code scan}. */
  public PerUnitSource(Dataset dataset, TableScan scan, int unitField, Optional<RexNode> where, int rowLimit,
      List<Column> columns, RelDataType rowType) {
    this(dataset, scan, scan, unitField, where, rowLimit, columns, rowType);
  }

  /** This subquery reading {@code relation} (the joined relation over several tables) where {@code scan} stands. */
  PerUnitSource reading(RelNode relation) {
    return new PerUnitSource(dataset, scan, relation, unitField, where, rowLimit, columns, rowType);
  }

  /** An inner aggregate. */
  public enum Kind { COUNT_ROWS, COUNT_VALUES, SUM, AVG, MIN, MAX }

  /**
   * One derived column.
   *
   * @param name its name in the derived table
   * @param kind the inner aggregate
   * @param argument the aggregate's argument over the scan row (bounded columns marked for clamping), empty for
   *     COUNT(*)
   * @param text the argument as the analyst wrote it (column names, no data), for explain
   * @param rowLower each row value's clamp, lower end (0 for counts)
   * @param rowUpper each row value's clamp, upper end (0 for counts)
   * @param integral true when the row values are integers
   * @param lower the derived lower bound of the unit's value
   * @param upper the derived upper bound of the unit's value
   */
  public record Column(String name, Kind kind, Optional<RexNode> argument, String text, double rowLower,
      double rowUpper, boolean integral, double lower, double upper) {

    /** For explain: {@code s = SUM(income) per unit over at most m rows, in [0, 2000000]}. */
    String describe(String unit, int rowLimit) {
      String aggregate = kind == Kind.COUNT_ROWS ? "COUNT(*)"
          : (kind == Kind.COUNT_VALUES ? "COUNT" : kind.name()) + "(" + text + ")";
      return name + " = " + aggregate + " per " + unit + " over at most " + rowLimit + " rows of the unit, in ["
          + ExpressionBounds.fmt(lower) + ", " + ExpressionBounds.fmt(upper) + "]";
    }
  }

  /** The name of the unit column. */
  public String unitName() {
    return rowType.getFieldNames().get(0);
  }

  /**
   * For explain: how the derived table's field {@code index} was computed, empty for the unit column.
   */
  public Optional<String> describe(int index) {
    return index == 0 ? Optional.empty() : Optional.of(columns.get(index - 1).describe(unitName(), rowLimit));
  }

  /** A canonical description (SQL constructs and bounds, no data) for stored-answer keys and plan hashes. */
  public String canonical() {
    StringBuilder out = new StringBuilder("perUnit(");
    if (input != scan) {
      out.append("input=").append(org.apache.calcite.plan.RelOptUtil.toString(input)).append(", ");
    }
    out.append("unit=").append(unitField).append(", m=").append(rowLimit)
        .append(", where=").append(where.map(RexNode::toString).orElse("-"));
    for (Column c : columns) {
      out.append(", ").append(c.name()).append('=').append(c.kind()).append('(')
          .append(c.argument().map(RexNode::toString).orElse("*")).append(")[").append(c.rowLower()).append(',')
          .append(c.rowUpper()).append(";").append(c.lower()).append(',').append(c.upper()).append(']');
    }
    return out.append(", row=").append(rowType.getFullTypeString()).append(')').toString();
  }
}
