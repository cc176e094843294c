package org.dpq.engine.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexDynamicParam;
import org.apache.calcite.rex.RexExecutor;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexUtil;
import org.apache.calcite.rex.RexVisitorImpl;

/**
 * The planner's constant folding (Calcite's own executor, {@link RexUtil#EXECUTOR}) with a memory of what it already
 * folded, so that analysing a query again, or another query with the same constants (a {@code CASE ... ELSE 0}
 * over a DOUBLE is a {@code CAST(0 AS DOUBLE)} to simplify), does not compile one more class with Janino per
 * analysis; measured, that compile was most of the analysis time of a query with such a cast.
 *
 * <p>Owns no privacy property and changes no result: a batch is remembered by its expressions (Calcite compares
 * them structurally, types included) and only when every one is a deterministic, non-dynamic constant without a
 * parameter, whose value depends on its text alone, never on data (the planner reads none); a batch is folded as
 * one, exactly as Calcite's executor folds it (one that fails is handed back unreduced, whole), and anything else
 * goes to Calcite's executor each time. The rewrite ({@code RowErrors}) folds the constants it hands to a backend
 * through the same memory.
 */
public final class ConstantFolding implements RexExecutor {
  /** The one folding memory, shared by the planner and the rewrite's check of constants. */
  public static final ConstantFolding INSTANCE = new ConstantFolding();
  private static final int MAX_FOLDED = 4096;

  private final Map<List<RexNode>, List<RexNode>> folded = new ConcurrentHashMap<>();

  private ConstantFolding() {}

  @Override
  public void reduce(RexBuilder rexBuilder, List<RexNode> constExps, List<RexNode> reducedValues) {
    if (!constExps.stream().allMatch(ConstantFolding::rememberable)) {
      RexUtil.EXECUTOR.reduce(rexBuilder, constExps, reducedValues);
      return;
    }
    List<RexNode> key = List.copyOf(constExps);
    List<RexNode> known = folded.get(key);
    if (known == null) {
      List<RexNode> out = new ArrayList<>(key.size());
      RexUtil.EXECUTOR.reduce(rexBuilder, key, out);
      if (out.size() != key.size() || out.contains(null)) {
        reducedValues.addAll(out);
        return;
      }
      known = List.copyOf(out);
      if (folded.size() >= MAX_FOLDED) {
        folded.clear();
      }
      folded.put(key, known);
    }
    for (int i = 0; i < key.size(); i++) {
      // An expression left unreduced is handed back as the caller's own node.
      RexNode value = known.get(i);
      reducedValues.add(value.equals(constExps.get(i)) ? constExps.get(i) : value);
    }
  }

  private static boolean rememberable(RexNode e) {
    if (!RexUtil.isConstant(e)) {
      return false;
    }
    boolean[] parameter = {false};
    e.accept(new RexVisitorImpl<Void>(true) {
      @Override
      public Void visitDynamicParam(RexDynamicParam dynamicParam) {
        parameter[0] = true;
        return null;
      }
    });
    return !parameter[0];
  }
}
