package org.dpq.engine.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.rel.type.RelDataTypeSystem;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexUtil;
import org.apache.calcite.sql.type.SqlTypeFactoryImpl;
import org.apache.calcite.sql.type.SqlTypeName;
import org.junit.jupiter.api.Test;

/** The planner's remembered constant folding gives exactly what Calcite's executor gives, once per batch. */
class ConstantFoldingTest {
  private static RexBuilder builder() {
    return new RexBuilder(new SqlTypeFactoryImpl(RelDataTypeSystem.DEFAULT));
  }

  private static RexNode castToDouble(RexBuilder b, long value) {
    return b.makeAbstractCast(b.getTypeFactory().createSqlType(SqlTypeName.DOUBLE),
        b.makeExactLiteral(BigDecimal.valueOf(value)));
  }

  private static RexNode castToInteger(RexBuilder b, String text) {
    return b.makeAbstractCast(b.getTypeFactory().createSqlType(SqlTypeName.INTEGER), b.makeLiteral(text));
  }

  private static List<RexNode> reduce(org.apache.calcite.rex.RexExecutor executor, RexBuilder b, RexNode... nodes) {
    List<RexNode> out = new ArrayList<>();
    executor.reduce(b, List.of(nodes), out);
    return out;
  }

  @Test
  void aConstantIsFoldedAsCalciteFoldsItAndOnlyOnce() {
    RexBuilder first = builder();
    List<RexNode> calcite = reduce(RexUtil.EXECUTOR, first, castToDouble(first, 424242));
    List<RexNode> once = reduce(ConstantFolding.INSTANCE, first, castToDouble(first, 424242));
    assertEquals(calcite, once, "the same literal, type included, as Calcite's executor");
    assertInstanceOf(RexLiteral.class, once.get(0));
    // A later analysis (its own builder and an equal expression) gets the remembered literal, not a new compile.
    RexBuilder later = builder();
    List<RexNode> again = reduce(ConstantFolding.INSTANCE, later, castToDouble(later, 424242));
    assertSame(once.get(0), again.get(0), "the remembered literal");
  }

  @Test
  void aBatchWithAConstantThatCannotBeEvaluatedIsHandedBackUnreducedWhole() {
    RexBuilder b = builder();
    RexNode good = castToDouble(b, 7);
    RexNode bad = castToInteger(b, "not a number");
    List<RexNode> calcite = reduce(RexUtil.EXECUTOR, b, good, bad);
    for (int round = 0; round < 2; round++) {
      List<RexNode> ours = reduce(ConstantFolding.INSTANCE, b, good, bad);
      assertEquals(calcite, ours, "round " + round + ": as Calcite's executor hands the batch back");
      assertSame(good, ours.get(0), "round " + round + ": the caller's own node, unreduced");
      assertSame(bad, ours.get(1), "round " + round + ": the caller's own node, unreduced");
    }
  }
}
