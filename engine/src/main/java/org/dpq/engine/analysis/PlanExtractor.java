package org.dpq.engine.analysis;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.calcite.rel.RelFieldCollation;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Aggregate;
import org.apache.calcite.rel.core.AggregateCall;
import org.apache.calcite.rel.core.Filter;
import org.apache.calcite.rel.core.Project;
import org.apache.calcite.rel.core.Sort;
import org.apache.calcite.rel.core.TableScan;
import org.apache.calcite.rel.core.Values;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeField;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexOver;
import org.apache.calcite.rex.RexShuttle;
import org.apache.calcite.rex.RexUtil;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.dpq.engine.catalog.Column;
import org.dpq.engine.catalog.ColumnType;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.PrivacyUnit;
import org.dpq.errors.QueryRejectedException;

/**
 * Reads a converted query ({@code RelNode}) as: post-processing (Sort, Filter for HAVING, Project) over one
 * Aggregate over row-level work (Project, Filter for WHERE) over the one TableScan, and builds the
 * {@link DpPlan}. Owns invariants 3, 5 and 6 at the plan level: every aggregate becomes bounded measurements,
 * group keys are plain non-unit columns released through a public domain or partition selection, and anything
 * else is rejected, naming the construct and the fix.
 */
final class PlanExtractor {
  private final Dataset dataset;
  private final String sql;
  /** What every row expression of the query (WHERE, GROUP BY, aggregate arguments) costs on one row together. */
  private ExpressionPolicy.Cost rowCost = new ExpressionPolicy.Cost(0, 0, 0, 0, 0);

  /** The joint key domains declared over the scanned relation, and where their public tuples are read. */
  private final List<JointDomains.Declared> jointDomains;
  private final PublicTuples publicTuples;

  PlanExtractor(Dataset dataset, String sql) {
    this(dataset, sql, List.of(), PublicTuples.NONE);
  }

  PlanExtractor(Dataset dataset, String sql, List<JointDomains.Declared> jointDomains, PublicTuples publicTuples) {
    this.dataset = dataset;
    this.sql = sql;
    this.jointDomains = List.copyOf(jointDomains);
    this.publicTuples = publicTuples;
  }

  DpPlan extract(RelNode root) {
    List<RelNode> above = new ArrayList<>();
    RelNode node = root;
    while (!(node instanceof Aggregate)) {
      if (node instanceof Project || node instanceof Filter || node instanceof Sort) {
        above.add(node);
        node = node.getInput(0);
      } else if (node instanceof TableScan) {
        throw QueryShapeCheck.rawRows();
      } else if (node instanceof Values) {
        throw QueryShapeCheck.literalOnly(dataset);
      } else {
        throw unsupportedNode(node);
      }
    }
    Aggregate aggregate = (Aggregate) node;
    RexBuilder rex = aggregate.getCluster().getRexBuilder();

    // Row level: compose Projects and Filters down to the scan.
    List<RelNode> below = new ArrayList<>();
    RelNode input = aggregate.getInput();
    while (!(input instanceof TableScan)) {
      if (input instanceof Project || input instanceof Filter) {
        below.add(input);
        input = input.getInput(0);
      } else if (input instanceof Aggregate) {
        throw Reject.because("nested aggregation (an aggregate over an aggregate) is not supported",
            "use a single level of aggregates, e.g. SELECT col, COUNT(*) FROM ... GROUP BY col");
      } else if (input instanceof Values) {
        throw QueryShapeCheck.literalOnly(dataset);
      } else {
        throw unsupportedNode(input);
      }
    }
    TableScan scan = (TableScan) input;
    Collections.reverse(below);
    List<RexNode> rowExprs = new ArrayList<>(rex.identityProjects(scan.getRowType()));
    List<RexNode> conditions = new ArrayList<>();
    for (RelNode step : below) {
      if (step instanceof Filter filter) {
        RexNode condition = rowLevel(substitute(filter.getCondition(), rowExprs), "WHERE");
        rowCost = rowCost.plus(ExpressionPolicy.check(condition, "WHERE"));
        conditions.add(condition);
      } else {
        List<RexNode> next = new ArrayList<>();
        for (RexNode e : ((Project) step).getProjects()) {
          next.add(substitute(e, rowExprs));
        }
        rowExprs = next;
      }
    }
    Optional<RexNode> where = conditions.isEmpty() ? Optional.empty()
        : Optional.of(RexUtil.composeConjunction(rex, conditions));

    Optional<Integer> unitField = unitField(scan);
    List<GroupKey> keys = groupKeys(aggregate, rowExprs, scan, unitField);
    if (!jointDomains.isEmpty()) {
      keys = JointDomains.apply(keys, scan, jointDomains, publicTuples);
    }
    MeasurementSet measurements = new MeasurementSet(dataset, reachableGroups(keys));
    List<AggregateSpec> specs = new ArrayList<>();
    List<String> names = aggregate.getRowType().getFieldNames();
    int groupCount = aggregate.getGroupCount();
    java.util.Set<String> averaged = averagedArguments(aggregate.getAggCallList(), rowExprs, scan);
    for (int i = 0; i < aggregate.getAggCallList().size(); i++) {
      specs.add(aggregateSpec(aggregate.getAggCallList().get(i), names.get(groupCount + i), rowExprs, scan,
          unitField, measurements, averaged));
    }
    if (specs.isEmpty()) {
      if (keys.isEmpty()) {
        throw Reject.because("the query has no aggregate and no group key", "add an aggregate, e.g. COUNT(*)");
      }
      // Keys only (SELECT DISTINCT k, or GROUP BY k without aggregates): the keys are released through their public
      // domain or partition selection, and the query is charged like the count it uses (the units per key for
      // selection; a row count when every key is public).
      if (keys.stream().allMatch(k -> k.column().hasPublicDomain())) {
        measurements.countRows();
      }
    }

    PartitionMode mode;
    int selection = -1;
    if (keys.isEmpty()) {
      mode = PartitionMode.NONE;
    } else if (keys.stream().allMatch(k -> k.column().hasPublicDomain())) {
      mode = PartitionMode.PUBLIC_DOMAIN;
    } else {
      mode = PartitionMode.THRESHOLD;
      selection = measurements.countUnits();
    }
    PostProcessing post = postProcessing(above, aggregate, root, rex);
    return new DpPlan(dataset, sql, scan, unitField, where, keys, measurements.measurements(), selection, specs,
        post, mode);
  }

  /**
   * Groups one unit can fall in: 1 without keys, the number of released key combinations when every key is public
   * (joint domains counted by their tuples, {@link KeyTuples}), else unknown.
   */
  static long reachableGroups(List<GroupKey> keys) {
    if (!keys.stream().allMatch(k -> k.column().hasPublicDomain())) {
      return Long.MAX_VALUE;
    }
    return Math.max(KeyTuples.count(keys), 1);
  }

  private Optional<Integer> unitField(TableScan scan) {
    if (dataset.unit() instanceof PrivacyUnit.ByColumn byColumn) {
      RelDataTypeField field = scan.getRowType().getField(byColumn.column(), false, false);
      if (field == null) {
        throw new IllegalStateException("privacy unit column missing from the table schema");
      }
      return Optional.of(field.getIndex());
    }
    return Optional.empty();
  }

  private List<GroupKey> groupKeys(Aggregate aggregate, List<RexNode> rowExprs, TableScan scan,
      Optional<Integer> unitField) {
    if (aggregate.getGroupType() != Aggregate.Group.SIMPLE) {
      throw Reject.because("GROUPING SETS, ROLLUP and CUBE are not supported",
          "run one query per grouping (plain GROUP BY col1, col2)");
    }
    List<GroupKey> keys = new ArrayList<>();
    List<String> names = aggregate.getRowType().getFieldNames();
    int position = 0;
    for (int g : aggregate.getGroupSet()) {
      RexNode expr = rowExprs.get(g);
      String name = names.get(position++);
      if (!(expr instanceof RexInputRef ref)) {
        rowLevel(expr, "GROUP BY");
        policy(expr, "GROUP BY");
        keys.add(new KeyDomains(dataset, scan).key(name, expr).withInputClamps(inputClamps(expr, scan)));
        continue;
      }
      String columnName = scan.getRowType().getFieldNames().get(ref.getIndex());
      if (unitField.isPresent() && unitField.get() == ref.getIndex()) {
        throw Reject.because("GROUP BY the privacy unit column '" + columnName + "' would release one group per "
            + "unit", "group by other columns; count units with COUNT(DISTINCT " + columnName + ")");
      }
      // A DOUBLE column without a public domain goes through partition selection like any other key.
      // A bounded DATE column of at most 1,000 days gets every day in its bounds as its public domain.
      keys.add(new KeyDomains(dataset, scan).dateKey(name, ref, declared(columnName)));
    }
    return keys;
  }

  private static boolean meanLike(SqlKind kind) {
    return kind == SqlKind.AVG || kind == SqlKind.VAR_POP || kind == SqlKind.VAR_SAMP || kind == SqlKind.STDDEV_POP
        || kind == SqlKind.STDDEV_SAMP;
  }

  /**
   * The arguments (as their clamped value expressions) of the query's AVG, VAR and STDDEV calls: each of them has a
   * centred sum and a count measured anyway, from which a SUM of the same argument is derived rather than measured
   * (see {@link AggregateSpec.DerivedSum}). A call that would be rejected is skipped here; the main pass rejects it.
   */
  private java.util.Set<String> averagedArguments(List<AggregateCall> calls, List<RexNode> rowExprs, TableScan scan) {
    java.util.Set<String> out = new java.util.HashSet<>();
    RexBuilder rex = scan.getCluster().getRexBuilder();
    for (AggregateCall call : calls) {
      SqlKind kind = call.getAggregation().getKind();
      if (!meanLike(kind) || call.isDistinct() || call.getArgList().size() != 1
          || !call.getCollation().getFieldCollations().isEmpty()) {
        continue;
      }
      try {
        RexNode argument = filtered(call, rowExprs.get(call.getArgList().get(0)), rowExprs, rex);
        policy(argument, call.getAggregation().getName() + "'s argument");
        out.add(valueBound(call.getAggregation().getName(), argument, scan).argument().toString());
      } catch (QueryRejectedException e) {
        // rejected again, in query order, by the main pass
      }
    }
    return out;
  }

  /**
   * The count an AVG or VAR of {@code value} divides by: the row count when the value is a column declared
   * {@code nullable: false} (one count per group then serves every such AVG and VAR, and COUNT(*)), otherwise the
   * count of the value's non-NULL values. Either way a unit adds min(n, R) to it, the same n its sum is scaled by.
   */
  private int meanCount(MeasurementSet measurements, ValueBound value, TableScan scan) {
    if (value.argument() instanceof RexInputRef ref
        && !declared(scan.getRowType().getFieldNames().get(ref.getIndex())).nullable()) {
      return measurements.countRows();
    }
    return measurements.countValues(value.argument(), value.derivation());
  }

  /**
   * The count AVG_PER_UNIT of {@code value} divides by: the units per group (COUNT(DISTINCT unit), shared with
   * partition selection and with every other AVG_PER_UNIT of such columns) when the value is a column declared
   * {@code nullable: false}, since then every unit in a group has a value there; otherwise the units with a non-NULL
   * value. Either way a unit adds 0 or 1.
   */
  private int unitCount(MeasurementSet measurements, ValueBound value, TableScan scan) {
    if (value.argument() instanceof RexInputRef ref
        && !declared(scan.getRowType().getFieldNames().get(ref.getIndex())).nullable()) {
      return measurements.countUnits();
    }
    return measurements.unitsWithValues(value);
  }

  private AggregateSpec aggregateSpec(AggregateCall call, String name, List<RexNode> rowExprs, TableScan scan,
      Optional<Integer> unitField, MeasurementSet measurements, java.util.Set<String> averaged) {
    SqlKind kind = call.getAggregation().getKind();
    String function = call.getAggregation().getName();
    if (kind == SqlKind.MIN || kind == SqlKind.MAX || kind == SqlKind.PERCENTILE_CONT
        || kind == SqlKind.PERCENTILE_DISC) {
      return orderStatistic(call, kind, function, name, rowExprs, scan, measurements);
    }
    if (!call.getCollation().getFieldCollations().isEmpty()) {
      throw Reject.because(function + " WITHIN GROUP (ORDER BY ...) is not supported", "remove WITHIN GROUP");
    }
    if (kind == SqlKind.COUNT) {
      return countSpec(call, name, rowExprs, scan, unitField, measurements);
    }
    if (kind == SqlKind.MODE) {
      throw Reject.because(function + " is not supported yet",
          "for order statistics use MIN, MAX, MEDIAN(col) or PERCENTILE_CONT(p) WITHIN GROUP (ORDER BY col)");
    }
    boolean perUnitMean = call.getAggregation() instanceof AvgPerUnit;
    boolean known = kind == SqlKind.SUM || kind == SqlKind.SUM0 || kind == SqlKind.AVG || kind == SqlKind.VAR_POP
        || kind == SqlKind.VAR_SAMP || kind == SqlKind.STDDEV_POP || kind == SqlKind.STDDEV_SAMP || perUnitMean;
    if (!known) {
      throw Reject.because("aggregate function " + function + " is not supported",
          "use COUNT, COUNT(DISTINCT <privacy unit>), SUM, AVG, AVG_PER_UNIT, VAR_POP/VARIANCE or STDDEV");
    }
    if (call.isDistinct()) {
      throw Reject.because(function + "(DISTINCT ...) is not supported: distinct values are not bounded per unit",
          "drop DISTINCT: " + function + "(col)");
    }
    if (call.getArgList().size() != 1) {
      throw Reject.because(function + " takes one argument", "write " + function + "(expression)");
    }
    RexBuilder rex = scan.getCluster().getRexBuilder();
    RexNode argument = filtered(call, rowExprs.get(call.getArgList().get(0)), rowExprs, rex);
    policy(argument, function + "'s argument");
    ValueBound value = valueBound(function, argument, scan);
    double lower = value.lower();
    double upper = value.upper();
    double mid = lower / 2 + upper / 2;
    if (perUnitMean) {
      return unitField.isEmpty()
          ? new AggregateSpec.Mean(name, measurements.sum(value, mid), meanCount(measurements, value, scan), lower,
              upper)
          : new AggregateSpec.Mean(name, measurements.unitMeans(value, mid), unitCount(measurements, value, scan),
              lower, upper);
    }
    return switch (kind) {
      case SUM, SUM0 -> {
        if (averaged.contains(value.argument().toString())) {
          yield new AggregateSpec.DerivedSum(name, measurements.sum(value, mid), meanCount(measurements, value, scan),
              mid, measurements.integerSum(value), lower >= 0);
        }
        int sum = measurements.sum(value, 0);
        yield new AggregateSpec.Sum(name, sum, measurements.integerSum(value));
      }
      case AVG -> new AggregateSpec.Mean(name, measurements.sum(value, mid), meanCount(measurements, value, scan),
          lower, upper);
      default -> {
        boolean stddev = kind == SqlKind.STDDEV_POP || kind == SqlKind.STDDEV_SAMP;
        yield new AggregateSpec.Variance(name, measurements.sumSquares(value, mid), measurements.sum(value, mid),
            meanCount(measurements, value, scan), lower, upper, stddev);
      }
    };
  }

  /**
   * MIN, MAX, PERCENTILE_CONT and PERCENTILE_DISC (MEDIAN arrives as PERCENTILE_CONT(0.5)): a quantile tree over the
   * argument's declared or derived bounds, shared by every order statistic of the same argument (one budget share
   * for all of them). MIN and MAX are near-extreme estimates ({@code QuantileTree.Noisy#extreme}): DP cannot release
   * one unit's extreme value. {@code WITHIN GROUP (ORDER BY x DESC)} reads the fraction from the other end.
   */
  private AggregateSpec orderStatistic(AggregateCall call, SqlKind kind, String function, String name,
      List<RexNode> rowExprs, TableScan scan, MeasurementSet measurements) {
    RexBuilder rex = scan.getCluster().getRexBuilder();
    boolean percentile = kind == SqlKind.PERCENTILE_CONT || kind == SqlKind.PERCENTILE_DISC;
    RexNode value;
    double fraction;
    AggregateSpec.Extreme extreme = AggregateSpec.Extreme.NONE;
    if (percentile) {
      List<RelFieldCollation> order = call.getCollation().getFieldCollations();
      if (order.size() != 1 || call.getArgList().size() != 1) {
        throw Reject.because(function + " needs one fraction and WITHIN GROUP (ORDER BY one expression)",
            "write " + function + "(0.5) WITHIN GROUP (ORDER BY col)");
      }
      if (call.isDistinct()) {
        throw Reject.because(function + "(DISTINCT ...) is not supported: distinct values are not bounded per unit",
            "drop DISTINCT");
      }
      fraction = fraction(rowExprs.get(call.getArgList().get(0)), function);
      value = rowExprs.get(order.get(0).getFieldIndex());
      if (order.get(0).getDirection().isDescending()) {
        fraction = 1 - fraction;
      }
    } else {
      if (call.getArgList().size() != 1) {
        throw Reject.because(function + " takes one argument", "write " + function + "(expression)");
      }
      // MIN(DISTINCT x) is MIN(x)
      value = rowExprs.get(call.getArgList().get(0));
      extreme = kind == SqlKind.MIN ? AggregateSpec.Extreme.MIN : AggregateSpec.Extreme.MAX;
      fraction = kind == SqlKind.MIN ? 0 : 1;
    }
    RexNode argument = filtered(call, value, rowExprs, rex);
    policy(argument, function + "'s argument");
    ValueBound bound = valueBound(function, argument, scan);
    if (!(bound.lower() < bound.upper())) {
      throw Reject.because(function + " needs a range with lower < upper", "declare lower below upper in the dataset YAML");
    }
    int tree = measurements.quantileTree(bound);
    return new AggregateSpec.Quantile(name, tree, fraction, extreme, kind != SqlKind.PERCENTILE_CONT && bound.integer());
  }

  /** A percentile's fraction: a literal number in [0, 1]. */
  private static double fraction(RexNode node, String function) {
    RexNode n = node;
    while (n instanceof org.apache.calcite.rex.RexCall c && c.getKind() == SqlKind.CAST) {
      n = c.getOperands().get(0);
    }
    if (n instanceof RexLiteral literal && !literal.isNull()) {
      java.math.BigDecimal p = literal.getValueAs(java.math.BigDecimal.class);
      if (p != null && p.signum() >= 0 && p.compareTo(java.math.BigDecimal.ONE) <= 0) {
        return p.doubleValue();
      }
    }
    throw Reject.because(function + "'s fraction must be a literal number between 0 and 1",
        "write e.g. " + function + "(0.9) WITHIN GROUP (ORDER BY col)");
  }

  /**
   * {@code agg(x) FILTER (WHERE c)} as {@code agg(CASE WHEN c THEN x END)}: rows failing the condition give NULL,
   * which every aggregate ignores, so the same bounds and the same rewrite apply.
   */
  private static RexNode filtered(AggregateCall call, RexNode argument, List<RexNode> rowExprs, RexBuilder rex) {
    if (call.filterArg < 0) {
      return argument;
    }
    RexNode condition = rowLevel(rowExprs.get(call.filterArg), "FILTER (WHERE ...)");
    return rex.makeCall(SqlStdOperatorTable.CASE, condition, argument,
        rex.makeNullLiteral(rex.getTypeFactory().createTypeWithNullability(argument.getType(), true)));
  }

  /**
   * Holds a new row expression (an aggregate's argument, a GROUP BY expression) to the one expression policy, alone
   * and together with every other row expression of the query, before anything is charged.
   */
  private void policy(RexNode expression, String clause) {
    if (expression instanceof RexInputRef) {
      return;
    }
    rowCost = rowCost.plus(ExpressionPolicy.check(expression, clause));
    ExpressionPolicy.checkTotal(rowCost, "the query's row expressions together");
  }

  /**
   * A numeric GROUP BY expression with its columns clamped to their declared bounds, when every column it reads as a
   * value is a bounded number and its range, derived by interval arithmetic, fits its type (see
   * {@link GroupKey#inputClamps}); empty otherwise, and the key is evaluated as written.
   */
  private Optional<RexNode> inputClamps(RexNode expression, TableScan scan) {
    if (!org.apache.calcite.sql.type.SqlTypeUtil.isNumeric(expression.getType())
        || org.apache.calcite.plan.RelOptUtil.InputFinder.bits(expression).isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new ExpressionBounds(dataset, scan.getRowType().getFieldNames(),
          scan.getCluster().getRexBuilder()).bound("GROUP BY", expression).argument());
    } catch (QueryRejectedException e) {
      if (e.getMessage() != null && e.getMessage().contains("beyond 2^52 (" + ExpressionBounds.PRECISION + ")")) {
        throw e; // a ROUND whose scaled value could lose precision is refused, not evaluated unclamped
      }
      return Optional.empty();
    }
  }

  /** The value an aggregate adds up, with its per-row clamp: declared for a column, derived for an expression. */
  private ValueBound valueBound(String function, RexNode argument, TableScan scan) {
    if (argument instanceof RexInputRef ref) {
      String columnName = scan.getRowType().getFieldNames().get(ref.getIndex());
      Column column = declared(columnName);
      if (!column.type().isNumeric()) {
        throw Reject.because(function + "(" + columnName + ") needs a numeric column, and '" + columnName
            + "' is " + column.type(), "aggregate a numeric column with bounds, or use COUNT(" + columnName + ")");
      }
      if (!column.isBounded()) {
        throw Reject.because(function + "(" + columnName + ") needs bounds on '" + columnName + "', which has "
            + "none", "declare lower and upper for '" + columnName + "' in the dataset YAML (values are clamped "
            + "to them), or use COUNT(" + columnName + ")");
      }
      double lower = column.lower().getAsDouble();
      double upper = column.upper().getAsDouble();
      boolean integer = (column.type() == ColumnType.INT || column.type() == ColumnType.LONG)
          && lower == Math.rint(lower) && upper == Math.rint(upper);
      return new ValueBound(ref, lower, upper, integer, Optional.empty());
    }
    ExpressionBounds.Bounded b = new ExpressionBounds(dataset, scan.getRowType().getFieldNames(),
        scan.getCluster().getRexBuilder()).bound(function, argument);
    return new ValueBound(b.argument(), b.lower(), b.upper(), b.integer(), Optional.of(b.text() + " in ["
        + ExpressionBounds.fmt(b.lower()) + ", " + ExpressionBounds.fmt(b.upper()) + "], derived from "
        + b.origin()));
  }

  private AggregateSpec countSpec(AggregateCall call, String name, List<RexNode> rowExprs, TableScan scan,
      Optional<Integer> unitField, MeasurementSet measurements) {
    RexBuilder rex = scan.getCluster().getRexBuilder();
    if (call.getArgList().isEmpty()) {
      if (call.filterArg < 0) {
        return new AggregateSpec.Count(name, measurements.countRows());
      }
      return new AggregateSpec.Count(name, countValues(measurements, filtered(call,
          rex.makeExactLiteral(java.math.BigDecimal.ONE), rowExprs, rex), scan));
    }
    if (call.getArgList().size() > 1) {
      throw Reject.because("COUNT with several arguments is not supported", "count one column: COUNT(col)");
    }
    RexNode arg = rowExprs.get(call.getArgList().get(0));
    if (call.isDistinct()) {
      if (arg instanceof RexInputRef ref && unitField.isPresent() && unitField.get() == ref.getIndex()) {
        if (call.filterArg >= 0) {
          throw Reject.because("COUNT(DISTINCT unit) FILTER (WHERE ...) is not supported",
              "move the condition into the query's WHERE clause");
        }
        return new AggregateSpec.CountUnits(name, measurements.countUnits());
      }
      // Distinct values of another column: each unit contributes at most R of its own distinct values per group.
      RexNode distinct = rowLevel(filtered(call, arg, rowExprs, rex), "COUNT(DISTINCT ...)");
      policy(distinct, "COUNT(DISTINCT ...)'s argument");
      Optional<String> text = distinct instanceof RexInputRef ? Optional.empty() : Optional.of(new ExpressionBounds(
          dataset, scan.getRowType().getFieldNames(), rex).text(distinct));
      return new AggregateSpec.Count(name, measurements.countDistinct(distinct, text));
    }
    if (arg instanceof RexLiteral literal && !literal.isNull() && call.filterArg < 0) {
      return new AggregateSpec.Count(name, measurements.countRows());
    }
    return new AggregateSpec.Count(name, countValues(measurements, rowLevel(filtered(call, arg, rowExprs, rex),
        "COUNT(...)"), scan));
  }

  /** COUNT of a column or row expression (which needs no bounds: each row adds 0 or 1). */
  private int countValues(MeasurementSet measurements, RexNode argument, TableScan scan) {
    policy(argument, "COUNT's argument");
    Optional<String> text = argument instanceof RexInputRef ? Optional.empty() : Optional.of(new ExpressionBounds(
        dataset, scan.getRowType().getFieldNames(), scan.getCluster().getRexBuilder()).text(argument));
    return measurements.countValues(argument, text);
  }

  private Column declared(String columnName) {
    return dataset.column(columnName).orElseGet(() -> new Column(columnName, ColumnType.STRING,
        java.util.OptionalDouble.empty(), java.util.OptionalDouble.empty(), Optional.empty()));
  }

  private PostProcessing postProcessing(List<RelNode> above, Aggregate aggregate, RelNode root, RexBuilder rex) {
    List<RelNode> steps = new ArrayList<>(above);
    Collections.reverse(steps);
    List<RexNode> exprs = new ArrayList<>(rex.identityProjects(aggregate.getRowType()));
    List<RexNode> having = new ArrayList<>();
    Sort sort = null;
    for (RelNode step : steps) {
      if (sort != null) {
        if (step instanceof Project project && isIdentity(project)) {
          continue;
        }
        throw Reject.because("ORDER BY an expression that is not in the SELECT list is not supported",
            "add the expression to the SELECT list (it is computed from noisy values) and order by it");
      }
      if (step instanceof Filter filter) {
        having.add(postLevel(substitute(filter.getCondition(), exprs), "HAVING"));
      } else if (step instanceof Project project) {
        List<RexNode> next = new ArrayList<>();
        for (RexNode e : project.getProjects()) {
          next.add(postLevel(substitute(e, exprs), "the SELECT list"));
        }
        exprs = next;
      } else {
        sort = (Sort) step;
      }
    }
    List<RelFieldCollation> orderBy = sort == null ? List.of() : sort.getCollation().getFieldCollations();
    OptionalLong offset = sort == null ? OptionalLong.empty() : literal(sort.offset, "OFFSET");
    OptionalLong limit = sort == null ? OptionalLong.empty() : literal(sort.fetch, "LIMIT");
    List<RelDataType> types = new ArrayList<>();
    for (RelDataTypeField field : root.getRowType().getFieldList()) {
      types.add(field.getType());
    }
    return new PostProcessing(exprs, root.getRowType().getFieldNames(), types,
        having.isEmpty() ? Optional.empty() : Optional.of(RexUtil.composeConjunction(rex, having)), orderBy,
        offset, limit);
  }

  private static boolean isIdentity(Project project) {
    return RexUtil.isIdentity(project.getProjects(), project.getInput().getRowType());
  }

  private static OptionalLong literal(RexNode node, String clause) {
    if (node == null) {
      return OptionalLong.empty();
    }
    if (node instanceof RexLiteral literal) {
      Long value = literal.getValueAs(Long.class);
      if (value != null && value >= 0) {
        return OptionalLong.of(value);
      }
    }
    throw Reject.because(clause + " must be a non-negative literal number", "write e.g. LIMIT 10");
  }

  private static RexNode rowLevel(RexNode expr, String clause) {
    if (RexOver.containsOver(expr)) {
      throw Reject.because("a window function in " + clause + " is not supported", "use GROUP BY with aggregates");
    }
    if (RexUtil.SubQueryFinder.find(expr) != null) {
      throw Reject.because("a subquery in " + clause + " is not supported", "use plain conditions on columns");
    }
    if (!RexUtil.isDeterministic(expr)) {
      throw Reject.because("a non-deterministic function in " + clause + " is not supported",
          "use deterministic conditions on columns");
    }
    return expr;
  }

  private static RexNode postLevel(RexNode expr, String clause) {
    return rowLevel(expr, clause);
  }

  private QueryRejectedException unsupportedNode(RelNode node) {
    String type = node.getRelTypeName().replace("Logical", "");
    if (type.contains("Join") || type.contains("Correlate")) {
      return Reject.because("JOIN (or a correlated subquery) is not supported yet: dpq bounds one private table",
          "query the one table " + dataset.table() + " without JOIN or subqueries");
    }
    if (type.contains("Union") || type.contains("Intersect") || type.contains("Minus")) {
      return Reject.because("set operations (UNION, INTERSECT, EXCEPT) are not supported",
          "run each SELECT as its own query");
    }
    if (type.contains("Window")) {
      return Reject.because("window functions are not supported", "use GROUP BY with aggregates");
    }
    return Reject.because("the relational operator " + type + " is not supported",
        "write one SELECT with aggregates over " + dataset.table() + " (WHERE, GROUP BY, HAVING, ORDER BY, LIMIT)");
  }

  /** Replaces each input reference by the expression it stands for. */
  static RexNode substitute(RexNode expr, List<RexNode> inputs) {
    return expr.accept(new RexShuttle() {
      @Override
      public RexNode visitInputRef(RexInputRef ref) {
        return inputs.get(ref.getIndex());
      }
    });
  }
}
