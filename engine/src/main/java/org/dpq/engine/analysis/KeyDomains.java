package org.dpq.engine.analysis;

import org.dpq.errors.QueryRejectedException;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import org.apache.calcite.DataContexts;
import org.apache.calcite.avatica.util.TimeUnitRange;
import org.apache.calcite.rel.core.TableScan;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexExecutorImpl;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexShuttle;
import org.apache.calcite.rex.RexUtil;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.type.SqlTypeUtil;
import org.apache.calcite.util.DateString;
import org.apache.calcite.util.ImmutableBitSet;
import org.dpq.engine.catalog.Column;
import org.dpq.engine.catalog.ColumnType;
import org.dpq.engine.catalog.Dataset;

/**
 * The public domain of a GROUP BY expression, when one follows from the query text and the declaration alone
 * (invariant 5): the literal results of a CASE, or the image of a one-column expression over that column's public
 * values, its declared integer bounds, the dates within a date column's declared bounds (its years, quarters,
 * months, or days when there are at most {@value #MAX_ENUMERATED}), or {true, false}. Rows whose key falls outside the derived domain are
 * dropped by the rewrite, as for declared domains. Without such a domain the key goes through partition selection.
 * The domain depends on the query and the catalog only, never on data.
 */
final class KeyDomains {
  /** Most input values enumerated to derive an image (and most keys a derived domain may hold). */
  static final int MAX_ENUMERATED = 1000;

  private final Dataset dataset;
  private final TableScan scan;
  private final RexBuilder rex;

  KeyDomains(Dataset dataset, TableScan scan) {
    this.dataset = dataset;
    this.scan = scan;
    this.rex = scan.getCluster().getRexBuilder();
  }

  /** Where the domain of the last {@link #domain} came from, in words. */
  private String origin = "";

  /** The key {@code expression} named {@code name}: a column standing for it, and its derived public domain if any. */
  GroupKey key(String name, RexNode expression) {
    Optional<List<String>> domain = domain(expression);
    return new GroupKey(name, expression, new Column(name, typeOf(expression.getType()), OptionalDouble.empty(),
        OptionalDouble.empty(), domain), domain.map(d -> origin));
  }

  private Optional<List<String>> domain(RexNode expression) {
    if (expression instanceof RexCall call && call.getKind() == SqlKind.CASE && call.getOperands().size() % 2 == 1) {
      List<RexNode> results = new ArrayList<>();
      for (int i = 1; i < call.getOperands().size(); i += 2) {
        results.add(call.getOperands().get(i));
      }
      results.add(call.getOperands().get(call.getOperands().size() - 1));
      if (results.stream().allMatch(RexUtil::isConstant)) {
        origin = "derived from the literal results of the CASE";
        return evaluate(results);
      }
    }
    ImmutableBitSet refs = org.apache.calcite.plan.RelOptUtil.InputFinder.bits(expression);
    if (refs.cardinality() != 1) {
      return Optional.empty();
    }
    int field = refs.nth(0);
    String columnName = scan.getRowType().getFieldNames().get(field);
    Optional<Column> declared = dataset.column(columnName);
    if (declared.isEmpty()) {
      return Optional.empty();
    }
    List<RexNode> inputs = inputs(declared.get(), scan.getRowType().getFieldList().get(field).getType(),
        expression);
    if (inputs.isEmpty()) {
      return Optional.empty();
    }
    origin = "derived from " + origin;
    List<RexNode> images = new ArrayList<>();
    for (RexNode input : inputs) {
      images.add(expression.accept(new RexShuttle() {
        @Override
        public RexNode visitInputRef(RexInputRef ref) {
          return input;
        }
      }));
    }
    return evaluate(images);
  }

  /**
   * The public domain of a bounded date column grouped by itself: every day from its lower to its upper bound,
   * when there are at most {@value #MAX_ENUMERATED}; otherwise the column as declared (partition selection).
   */
  GroupKey dateKey(String name, RexNode ref, Column declared) {
    if (declared.hasPublicDomain() || declared.dateBounds().isEmpty()) {
      return new GroupKey(name, ref, declared);
    }
    Column.DateRange range = declared.dateBounds().get();
    if (range.last().toEpochDay() - range.first().toEpochDay() >= MAX_ENUMERATED) {
      return new GroupKey(name, ref, declared);
    }
    List<String> days = new ArrayList<>();
    for (LocalDate d = range.first(); !d.isAfter(range.last()); d = d.plusDays(1)) {
      days.add(d.toString());
    }
    return new GroupKey(name, ref, new Column(declared.name(), declared.type(), declared.lower(), declared.upper(),
        Optional.of(days), declared.from()), Optional.of("derived from " + bounds(declared) + ", every day"));
  }

  private static String bounds(Column c) {
    Column.DateRange r = c.dateBounds().orElseThrow();
    return c.name() + "'s declared bounds [" + r.first() + ", " + r.last() + "]";
  }

  /**
   * The dates to enumerate for a bounded date column in {@code expression}: when the expression reads the column
   * only through EXTRACT(YEAR|QUARTER|MONTH) or FLOOR(... TO YEAR|QUARTER|MONTH), which are constant within a
   * calendar month, the lower bound and the first day of every later month up to the upper bound (the image over
   * them is the image over every day); otherwise every day, if there are at most {@value #MAX_ENUMERATED}.
   */
  private List<RexNode> dates(Column.DateRange range, RexNode expression) {
    List<RexNode> out = new ArrayList<>();
    if (monthConstant(expression)) {
      for (LocalDate d = range.first(); !d.isAfter(range.last()) && out.size() <= MAX_ENUMERATED;
          d = d.withDayOfMonth(1).plusMonths(1)) {
        out.add(rex.makeDateLiteral(new DateString(d.toString())));
      }
    } else if (range.last().toEpochDay() - range.first().toEpochDay() < MAX_ENUMERATED
        && !usesWeeks(expression)) {
      for (LocalDate d = range.first(); !d.isAfter(range.last()); d = d.plusDays(1)) {
        out.add(rex.makeDateLiteral(new DateString(d.toString())));
      }
    }
    return out.size() > MAX_ENUMERATED ? List.of() : out;
  }

  /** True when every column reference in {@code node} is the operand of a unit that is constant within a month. */
  private static boolean monthConstant(RexNode node) {
    if (node instanceof RexInputRef) {
      return false;
    }
    if (!(node instanceof RexCall call)) {
      return true;
    }
    TimeUnitRange unit = null;
    RexNode operand = null;
    if (ExpressionPolicy.timeUnit(call) != null && call.getKind() == SqlKind.FLOOR) {
      unit = ExpressionPolicy.timeUnit(call);
      operand = call.getOperands().get(0);
    } else if (call.getKind() == SqlKind.EXTRACT && call.getOperands().get(0) instanceof RexLiteral flag
        && flag.getValue() instanceof TimeUnitRange u) {
      unit = u;
      operand = call.getOperands().get(1);
    }
    if (unit != null && operand instanceof RexInputRef) {
      return unit == TimeUnitRange.YEAR || unit == TimeUnitRange.QUARTER || unit == TimeUnitRange.MONTH;
    }
    return call.getOperands().stream().allMatch(KeyDomains::monthConstant);
  }

  /**
   * True when {@code node} truncates to weeks: every backend starts weeks on Monday (ISO), but Calcite, which
   * would compute the domain, may not; such keys go through partition selection.
   */
  private static boolean usesWeeks(RexNode node) {
    if (node instanceof RexCall call) {
      return ExpressionPolicy.timeUnit(call) == TimeUnitRange.WEEK
          || call.getOperands().stream().anyMatch(KeyDomains::usesWeeks);
    }
    return false;
  }

  /** The values a column can take by its declaration, as literals; empty when they are unknown or too many. */
  private List<RexNode> inputs(Column column, RelDataType type, RexNode expression) {
    List<RexNode> out = new ArrayList<>();
    try {
      if (column.publicValues().isPresent() && column.publicValues().get().size() <= MAX_ENUMERATED) {
        origin = column.name() + "'s public_values";
        for (String v : column.publicValues().get()) {
          out.add(switch (column.type()) {
            case STRING -> rex.makeLiteral(v);
            case INT, LONG, DOUBLE -> rex.makeLiteral(new BigDecimal(v.strip()), type);
            case BOOLEAN -> rex.makeLiteral(Boolean.parseBoolean(v.strip()));
            case DATE -> rex.makeDateLiteral(new DateString(v.strip()));
          });
        }
      } else if ((column.type() == ColumnType.INT || column.type() == ColumnType.LONG) && column.isBounded()
          && !column.hasAutoBounds()) { // estimated clamp bounds are no declared domain
        long lo = (long) Math.ceil(column.lower().getAsDouble());
        long hi = (long) Math.floor(column.upper().getAsDouble());
        origin = column.name() + "'s declared bounds [" + lo + ", " + hi + "]";
        if (hi - lo < MAX_ENUMERATED) {
          for (long v = lo; v <= hi; v++) {
            out.add(rex.makeLiteral(BigDecimal.valueOf(v), type));
          }
        }
      } else if (column.dateBounds().isPresent()) {
        out.addAll(dates(column.dateBounds().get(), expression));
        origin = bounds(column) + (monthConstant(expression) ? ", by calendar month" : ", every day");
      } else if (column.type() == ColumnType.BOOLEAN) {
        origin = "true and false, " + column.name() + "'s values";
        out.add(rex.makeLiteral(true));
        out.add(rex.makeLiteral(false));
      }
    } catch (RuntimeException e) {
      return List.of();
    }
    return out;
  }

  /** Evaluates constant expressions with Calcite; empty unless every one is a literal. NULLs are left out. */
  private Optional<List<String>> evaluate(List<RexNode> constants) {
    List<RexNode> reduced = new ArrayList<>();
    try {
      new RexExecutorImpl(DataContexts.EMPTY).reduce(rex, constants, reduced);
    } catch (RuntimeException | Error e) {
      return Optional.empty();
    }
    Set<String> values = new LinkedHashSet<>();
    for (RexNode r : reduced) {
      // the executor keeps a result's type with a CAST around its literal
      while (r instanceof RexCall cast && cast.getKind() == SqlKind.CAST
          && cast.getOperands().get(0) instanceof RexLiteral) {
        r = cast.getOperands().get(0);
      }
      if (!(r instanceof RexLiteral literal)) {
        return Optional.empty();
      }
      if (literal.isNull()) {
        continue;
      }
      if (SqlTypeUtil.isNumeric(literal.getType())) {
        values.add(literal.getValueAs(BigDecimal.class).stripTrailingZeros().toPlainString());
      } else if (SqlTypeUtil.inCharFamily(literal.getType())) {
        values.add(literal.getValueAs(String.class));
      } else if (literal.getType().getSqlTypeName() == org.apache.calcite.sql.type.SqlTypeName.BOOLEAN
          || literal.getType().getSqlTypeName() == org.apache.calcite.sql.type.SqlTypeName.DATE) {
        values.add(literal.toString().replace("DATE ", "").replace("'", ""));
      } else {
        return Optional.empty();
      }
    }
    return values.isEmpty() || values.size() > MAX_ENUMERATED ? Optional.empty() : Optional.of(List.copyOf(values));
  }

  private static ColumnType typeOf(RelDataType type) {
    return switch (type.getSqlTypeName()) {
      case TINYINT, SMALLINT, INTEGER -> ColumnType.INT;
      case BIGINT -> ColumnType.LONG;
      case DECIMAL, DOUBLE, FLOAT, REAL -> ColumnType.DOUBLE;
      case BOOLEAN -> ColumnType.BOOLEAN;
      case DATE -> ColumnType.DATE;
      default -> ColumnType.STRING;
    };
  }
}
