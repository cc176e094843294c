package org.dpq.engine.analysis;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.apache.calcite.prepare.RelOptTableImpl;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Aggregate;
import org.apache.calcite.rel.core.AggregateCall;
import org.apache.calcite.rel.core.Filter;
import org.apache.calcite.rel.core.Project;
import org.apache.calcite.rel.core.Sort;
import org.apache.calcite.rel.core.TableScan;
import org.apache.calcite.rel.logical.LogicalTableScan;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeField;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexOver;
import org.apache.calcite.rex.RexShuttle;
import org.apache.calcite.rex.RexUtil;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlOrderBy;
import org.apache.calcite.sql.SqlWith;
import org.apache.calcite.sql.SqlWithItem;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlSelect;
import org.dpq.engine.catalog.Column;
import org.dpq.engine.catalog.ColumnType;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.PrivacyUnit;
import org.dpq.errors.QueryRejectedException;

/**
 * Recognises a per-unit subquery: an outer aggregate over an inner {@code GROUP BY unit} over the one table (or,
 * over several tables, over {@link JoinedQuery}'s joined view, whose unit is {@code dpq_unit}), and
 * nothing else of the kind (an inner grouped by anything but exactly the unit, nested levels, an inner used twice
 * are rejected, free, before any charge). Owns invariant 3 for such queries at analysis time: the inner result is
 * read as a derived table with one row per unit and bounds derived from the column bounds and the per-unit row
 * limit m = min(G*R, C) ({@link PerUnitSource}), over which the outer query is analysed as a query with G = R = 1.
 */
final class PerUnitQuery {
  private PerUnitQuery() {}

  /** The outer query over the derived table, the derived dataset it is analysed against, and the inner query. */
  record Split(RelNode outer, Dataset derived, PerUnitSource source) {}

  /**
   * The parse-time check of a subquery in FROM that aggregates: accepted only when it groups by exactly the
   * privacy unit column.
   *
   * @throws QueryRejectedException otherwise, naming the fix
   */
  static void checkGroupsByUnit(SqlSelect select, Dataset dataset) {
    if (!(dataset.unit() instanceof PrivacyUnit.ByColumn byColumn)) {
      throw Reject.because("a subquery in FROM with an aggregate or GROUP BY on a dataset whose privacy unit is the "
          + "row: there is no unit to aggregate per", "write one SELECT with aggregates over " + dataset.table());
    }
    String unit = byColumn.column();
    // over several tables the key may be a unit_via key equal to the unit; the plan checks it is (JoinedQuery)
    boolean byUnit = select.getGroup() != null && select.getGroup().size() == 1
        && select.getGroup().get(0) instanceof SqlIdentifier id
        && (dataset.hasSeveralTables() || id.names.get(id.names.size() - 1).equalsIgnoreCase(unit));
    if (!byUnit) {
      throw notPerUnit(unit);
    }
  }

  private static QueryRejectedException notPerUnit(String unit) {
    return Reject.because("a subquery in FROM with an aggregate must group by exactly the privacy unit '" + unit
        + "' (one row per unit): an aggregate over other groups has no bounded contribution per unit",
        "write the inner query as SELECT " + unit + ", SUM(col) AS s, COUNT(*) AS n FROM ... GROUP BY " + unit
        + ", and aggregate its rows in the outer query (otherwise a subquery in FROM may only select columns and "
        + "filter rows)");
  }

  /**
   * {@code WITH name AS (inner) SELECT ... FROM name [alias] ...} as {@code SELECT ... FROM (inner) AS alias ...}:
   * one common table expression, read once in the body's FROM, is the same query as its subquery form, which the
   * rest of the analysis checks. Anything else with WITH is rejected, free. Other statements are returned as given.
   */
  static SqlNode inlineWith(SqlNode statement, Dataset dataset) {
    SqlNode query = statement instanceof SqlOrderBy orderBy ? orderBy.query : statement;
    if (!(query instanceof SqlWith with)) {
      return statement;
    }
    QueryRejectedException once = Reject.because("WITH is answered for one common table expression read once, in the "
        + "FROM of one SELECT (several, a column list, or a second read are not supported)",
        "write WITH per_unit AS (SELECT unit, ... FROM " + dataset.table() + " GROUP BY unit) SELECT ... FROM per_unit");
    if (with.withList.size() != 1 || !(with.withList.get(0) instanceof SqlWithItem item)
        || item.columnList != null || !(with.body instanceof SqlSelect body) || body.getFrom() == null) {
      throw once;
    }
    String name = item.name.getSimple();
    SqlNode from = body.getFrom();
    if (from instanceof SqlIdentifier id && id.isSimple() && id.getSimple().equalsIgnoreCase(name)) {
      body.setFrom(SqlStdOperatorTable.AS.createCall(SqlParserPos.ZERO, item.query,
          new SqlIdentifier(name, SqlParserPos.ZERO)));
    } else if (from.getKind() == SqlKind.AS && ((SqlCall) from).operand(0) instanceof SqlIdentifier id
        && id.isSimple() && id.getSimple().equalsIgnoreCase(name)) {
      ((SqlCall) from).setOperand(0, item.query);
    } else {
      throw once;
    }
    if (statement instanceof SqlOrderBy orderBy) {
      return new SqlOrderBy(orderBy.getParserPosition(), body, orderBy.orderList, orderBy.offset, orderBy.fetch);
    }
    return body;
  }

  /**
   * The per-unit split of {@code root}, empty when the query has no aggregate below its aggregate (a plain query,
   * which {@link PlanExtractor} analyses as before).
   */
  static Optional<Split> split(Dataset dataset, RelNode root) {
    return split(dataset, root, null, null);
  }

  /**
   * {@link #split(Dataset, RelNode)} over a joined view ({@link JoinedQuery}): messages name {@code shownUnit} and
   * {@code shownFrom} (the analyst's unit column and tables) rather than the view's internal names.
   */
  static Optional<Split> split(Dataset dataset, RelNode root, String shownUnit, String shownFrom) {
    RelNode node = root;
    while (node instanceof Project || node instanceof Filter || node instanceof Sort) {
      node = node.getInput(0);
    }
    if (!(node instanceof Aggregate outer)) {
      return Optional.empty();
    }
    RelNode input = outer.getInput();
    while (input instanceof Project || input instanceof Filter) {
      input = input.getInput(0);
    }
    if (!(input instanceof Aggregate inner)) {
      if (containsAggregate(input)) {
        throw Reject.because("a per-unit subquery may be read once, by one outer aggregate, without joins or set "
            + "operations", "read the per-unit subquery once: SELECT ... FROM (SELECT unit, ... GROUP BY unit) t");
      }
      return Optional.empty();
    }
    if (!(dataset.unit() instanceof PrivacyUnit.ByColumn byColumn)) {
      throw Reject.because("nested aggregation on a dataset whose privacy unit is the row is not supported",
          "use a single level of aggregates");
    }
    PerUnitSource source = source(dataset, inner, byColumn.column(),
        shownUnit == null ? byColumn.column() : shownUnit, shownFrom == null ? dataset.table() : shownFrom);
    Dataset derived = derivedDataset(dataset, source);
    RelOptTableImpl table = RelOptTableImpl.create(source.scan().getTable().getRelOptSchema(), inner.getRowType(),
        List.of(dataset.table() + "$per_unit"), null);
    RelNode scan = LogicalTableScan.create(inner.getCluster(), table, List.of());
    return Optional.of(new Split(replace(root, inner, scan), derived, source));
  }

  private static boolean containsAggregate(RelNode node) {
    if (node instanceof Aggregate) {
      return true;
    }
    return node.getInputs().stream().anyMatch(PerUnitQuery::containsAggregate);
  }

  private static RelNode replace(RelNode node, RelNode target, RelNode with) {
    if (node == target) {
      return with;
    }
    List<RelNode> inputs = new ArrayList<>();
    for (RelNode in : node.getInputs()) {
      inputs.add(replace(in, target, with));
    }
    return inputs.isEmpty() ? node : node.copy(node.getTraitSet(), inputs);
  }

  private static PerUnitSource source(Dataset dataset, Aggregate inner, String unitField, String unit,
      String from) {
    if (inner.getGroupType() != Aggregate.Group.SIMPLE || inner.getGroupCount() != 1) {
      throw notPerUnit(unit);
    }
    RexBuilder rex = inner.getCluster().getRexBuilder();
    List<RelNode> below = new ArrayList<>();
    RelNode input = inner.getInput();
    while (!(input instanceof TableScan)) {
      if (input instanceof Project || input instanceof Filter) {
        below.add(input);
        input = input.getInput(0);
      } else if (input instanceof Aggregate) {
        throw Reject.because("nested per-unit subqueries (an aggregate over an aggregate over an aggregate) are "
            + "not supported", "use one per-unit subquery (GROUP BY " + unit + ") under one outer aggregate");
      } else {
        throw Reject.because("a per-unit subquery must read " + from + " with WHERE only "
            + "(no set operations or windows)", "write SELECT " + unit + ", ... FROM " + from
            + " WHERE ... GROUP BY " + unit);
      }
    }
    TableScan scan = (TableScan) input;
    Collections.reverse(below);
    List<RexNode> rowExprs = new ArrayList<>(rex.identityProjects(scan.getRowType()));
    List<RexNode> conditions = new ArrayList<>();
    for (RelNode step : below) {
      if (step instanceof Filter filter) {
        RexNode condition = rowLevel(PlanExtractor.substitute(filter.getCondition(), rowExprs));
        ExpressionPolicy.check(condition, "the WHERE of a per-unit subquery");
        conditions.add(condition);
      } else {
        List<RexNode> next = new ArrayList<>();
        for (RexNode e : ((Project) step).getProjects()) {
          next.add(PlanExtractor.substitute(e, rowExprs));
        }
        rowExprs = next;
      }
    }
    RelDataTypeField unitRef = scan.getRowType().getField(unitField, false, false);
    RexNode key = rowExprs.get(inner.getGroupSet().nth(0));
    if (unitRef == null || !(key instanceof RexInputRef ref) || ref.getIndex() != unitRef.getIndex()) {
      throw notPerUnit(unit);
    }
    long groupRows = (long) dataset.maxGroupsContributed() * dataset.maxRowsPerGroup();
    int m = (int) Math.min(Math.min(groupRows, dataset.maxRowsPerUnit().orElse(Integer.MAX_VALUE)),
        Integer.MAX_VALUE);
    List<String> names = inner.getRowType().getFieldNames();
    List<PerUnitSource.Column> columns = new ArrayList<>();
    for (int i = 0; i < inner.getAggCallList().size(); i++) {
      columns.add(column(dataset, scan, inner.getAggCallList().get(i), names.get(1 + i), rowExprs, m));
    }
    return new PerUnitSource(dataset, scan, unitRef.getIndex(),
        conditions.isEmpty() ? Optional.empty() : Optional.of(RexUtil.composeConjunction(rex, conditions)), m,
        columns, inner.getRowType());
  }

  private static PerUnitSource.Column column(Dataset dataset, TableScan scan, AggregateCall call, String name,
      List<RexNode> rowExprs, int m) {
    String function = call.getAggregation().getName();
    SqlKind kind = call.getAggregation().getKind();
    if (call.isDistinct() || call.filterArg >= 0 || !call.getCollation().getFieldCollations().isEmpty()) {
      throw Reject.because(function + " with DISTINCT, FILTER or WITHIN GROUP in a per-unit subquery is not "
          + "supported", "use COUNT(*), COUNT(col), SUM, AVG, MIN or MAX of a bounded column per unit");
    }
    ExpressionBounds bounds = new ExpressionBounds(dataset, scan.getRowType().getFieldNames(),
        scan.getCluster().getRexBuilder());
    if (kind == SqlKind.COUNT) {
      if (call.getArgList().isEmpty()) {
        return new PerUnitSource.Column(name, PerUnitSource.Kind.COUNT_ROWS, Optional.empty(), "*", 0, 0, true, 0, m);
      }
      if (call.getArgList().size() != 1) {
        throw Reject.because("COUNT with several arguments is not supported", "count one column: COUNT(col)");
      }
      RexNode arg = rowLevel(rowExprs.get(call.getArgList().get(0)));
      if (!(arg instanceof RexInputRef)) {
        ExpressionPolicy.check(arg, "COUNT's argument in a per-unit subquery");
      }
      return new PerUnitSource.Column(name, PerUnitSource.Kind.COUNT_VALUES, Optional.of(arg), bounds.text(arg), 0,
          0, true, 0, m);
    }
    PerUnitSource.Kind k = switch (kind) {
      case SUM, SUM0 -> PerUnitSource.Kind.SUM;
      case AVG -> PerUnitSource.Kind.AVG;
      case MIN -> PerUnitSource.Kind.MIN;
      case MAX -> PerUnitSource.Kind.MAX;
      default -> throw Reject.because("aggregate function " + function + " is not supported in a per-unit subquery",
          "use COUNT(*), COUNT(col), SUM, AVG, MIN or MAX per unit");
    };
    if (call.getArgList().size() != 1) {
      throw Reject.because(function + " takes one argument", "write " + function + "(expression)");
    }
    RexNode arg = rowLevel(rowExprs.get(call.getArgList().get(0)));
    double lower;
    double upper;
    boolean integral;
    RexNode argument;
    String text;
    if (arg instanceof RexInputRef ref) {
      String columnName = scan.getRowType().getFieldNames().get(ref.getIndex());
      Column column = dataset.column(columnName).orElse(null);
      if (column == null || !column.type().isNumeric() || !column.isBounded()) {
        throw Reject.because(function + "(" + columnName + ") in a per-unit subquery needs a numeric column with "
            + "bounds", "declare lower and upper for '" + columnName + "' in the dataset YAML, or use COUNT("
            + columnName + ")");
      }
      lower = column.lower().getAsDouble();
      upper = column.upper().getAsDouble();
      integral = (column.type() == ColumnType.INT || column.type() == ColumnType.LONG)
          && lower == Math.rint(lower) && upper == Math.rint(upper);
      argument = ref;
      text = columnName;
    } else {
      ExpressionPolicy.check(arg, function + "'s argument in a per-unit subquery");
      ExpressionBounds.Bounded b = bounds.bound(function, arg);
      lower = b.lower();
      upper = b.upper();
      integral = b.integer();
      argument = b.argument();
      text = b.text();
    }
    double dl = k == PerUnitSource.Kind.SUM ? m * Math.min(lower, 0) : lower;
    double du = k == PerUnitSource.Kind.SUM ? m * Math.max(upper, 0) : upper;
    if (!Double.isFinite(dl) || !Double.isFinite(du) || Math.max(Math.abs(dl), Math.abs(du)) > 0x1p52) {
      throw Reject.because(function + "(" + text + ") per unit may reach beyond 2^52, where sums lose precision",
          "declare tighter bounds, or a smaller max_rows_per_unit");
    }
    return new PerUnitSource.Column(name, k, Optional.of(argument), text, lower, upper,
        integral && k != PerUnitSource.Kind.AVG, dl, du);
  }

  /** The dataset the outer query is analysed against: the derived table, one row per unit, G = R = 1. */
  private static Dataset derivedDataset(Dataset dataset, PerUnitSource source) {
    List<Column> columns = new ArrayList<>();
    List<RelDataTypeField> fields = source.rowType().getFieldList();
    String unitColumn = source.scan().getRowType().getFieldNames().get(source.unitField());
    Column unit = dataset.column(unitColumn).orElseGet(() -> new Column(source.unitName(), ColumnType.STRING,
        OptionalDouble.empty(), OptionalDouble.empty(), Optional.empty()));
    columns.add(new Column(fields.get(0).getName(), unit.type(), OptionalDouble.empty(), OptionalDouble.empty(),
        Optional.empty()));
    for (int i = 0; i < source.columns().size(); i++) {
      PerUnitSource.Column c = source.columns().get(i);
      RelDataType type = fields.get(1 + i).getType();
      ColumnType columnType = switch (type.getSqlTypeName()) {
        case INTEGER, SMALLINT, TINYINT -> ColumnType.INT;
        case BIGINT -> ColumnType.LONG;
        default -> ColumnType.DOUBLE;
      };
      if (!org.apache.calcite.sql.type.SqlTypeUtil.isNumeric(type)) {
        throw Reject.because("the per-unit value " + c.name() + " is not a number", "aggregate numeric columns");
      }
      double lower = c.lower();
      double upper = c.upper();
      if (columnType != ColumnType.DOUBLE && (lower != Math.rint(lower) || upper != Math.rint(upper))) {
        columnType = ColumnType.DOUBLE;
      }
      columns.add(new Column(fields.get(1 + i).getName(), columnType, OptionalDouble.of(lower),
          OptionalDouble.of(upper), Optional.empty()));
    }
    return new Dataset(dataset.name(), dataset.table(), dataset.source(),
        new PrivacyUnit.ByColumn(fields.get(0).getName()), 1, 1, dataset.budget(), dataset.defaults(),
        dataset.ledger(), columns, dataset.yamlPath(), dataset.limits(), OptionalInt.empty(), dataset.accounting());
  }

  private static RexNode rowLevel(RexNode expr) {
    if (RexOver.containsOver(expr) || RexUtil.SubQueryFinder.find(expr) != null || !RexUtil.isDeterministic(expr)) {
      throw Reject.because("a window function, subquery or non-deterministic function in a per-unit subquery is "
          + "not supported", "use plain conditions and aggregates over columns");
    }
    return expr;
  }
}
