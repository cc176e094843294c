package org.dpq.engine.analysis;

import org.dpq.errors.QueryRejectedException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import org.apache.calcite.DataContexts;
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
 * values, its declared integer bounds, or {true, false}. Rows whose key falls outside the derived domain are
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

  /** A column standing for the key {@code expression}: its type, and its derived public domain if any. */
  Column column(String name, RexNode expression) {
    return new Column(name, typeOf(expression.getType()), OptionalDouble.empty(), OptionalDouble.empty(),
        domain(expression));
  }

  private Optional<List<String>> domain(RexNode expression) {
    if (expression instanceof RexCall call && call.getKind() == SqlKind.CASE && call.getOperands().size() % 2 == 1) {
      List<RexNode> results = new ArrayList<>();
      for (int i = 1; i < call.getOperands().size(); i += 2) {
        results.add(call.getOperands().get(i));
      }
      results.add(call.getOperands().get(call.getOperands().size() - 1));
      if (results.stream().allMatch(RexUtil::isConstant)) {
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
    List<RexNode> inputs = inputs(declared.get(), scan.getRowType().getFieldList().get(field).getType());
    if (inputs.isEmpty()) {
      return Optional.empty();
    }
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

  /** The values a column can take by its declaration, as literals; empty when they are unknown or too many. */
  private List<RexNode> inputs(Column column, RelDataType type) {
    List<RexNode> out = new ArrayList<>();
    try {
      if (column.publicValues().isPresent() && column.publicValues().get().size() <= MAX_ENUMERATED) {
        for (String v : column.publicValues().get()) {
          out.add(switch (column.type()) {
            case STRING -> rex.makeLiteral(v);
            case INT, LONG, DOUBLE -> rex.makeLiteral(new BigDecimal(v.strip()), type);
            case BOOLEAN -> rex.makeLiteral(Boolean.parseBoolean(v.strip()));
            case DATE -> rex.makeDateLiteral(new DateString(v.strip()));
          });
        }
      } else if ((column.type() == ColumnType.INT || column.type() == ColumnType.LONG) && column.isBounded()) {
        long lo = (long) Math.ceil(column.lower().getAsDouble());
        long hi = (long) Math.floor(column.upper().getAsDouble());
        if (hi - lo < MAX_ENUMERATED) {
          for (long v = lo; v <= hi; v++) {
            out.add(rex.makeLiteral(BigDecimal.valueOf(v), type));
          }
        }
      } else if (column.type() == ColumnType.BOOLEAN) {
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
