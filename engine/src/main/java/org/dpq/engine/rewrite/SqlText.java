package org.dpq.engine.rewrite;

import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.plan.RelOptRule;
import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.plan.hep.HepPlanner;
import org.apache.calcite.plan.hep.HepProgram;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.SingleRel;
import org.apache.calcite.rel.core.JoinRelType;
import org.apache.calcite.rel.rel2sql.RelToSqlConverter;
import org.apache.calcite.rel.rules.AggregateProjectConstantToDummyJoinRule;
import org.apache.calcite.rel.rules.FullToLeftAndRightJoinRule;
import org.apache.calcite.rel.rules.JoinCommuteRule;
import org.apache.calcite.rel.rules.SortRemoveConstantKeysRule;
import org.apache.calcite.sql.SqlDialect;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.util.Util;

/**
 * A relational tree as one SQL statement in a dialect: what {@code new RelToSqlConverter(dialect).visitRoot(rel)}
 * gives, step for step (the same dialect-driven rewrites first, then the same conversion), except that the rules
 * are made from their own configurations instead of being read from Calcite's {@code CoreRules}, whose
 * initialisation builds all of Calcite's roughly 200 rules (about 900 classes) in every fresh JVM for the one or
 * two a dialect needs. Owns no privacy property: the text says exactly what the tree says.
 */
final class SqlText {
  private SqlText() {}

  static String of(RelNode rel, SqlDialect dialect) {
    RelToSqlConverter converter = new RelToSqlConverter(dialect);
    SqlNode statement;
    try {
      statement = converter.visitInput(holder(prepared(rel, dialect)), 0).asStatement();
    } catch (Error | RuntimeException e) {
      throw Util.throwAsRuntime("Error while converting RelNode to SqlNode:\n" + RelOptUtil.toString(rel), e);
    }
    return statement.toSqlString(dialect).getSql();
  }

  /** {@code rel} after the rewrites that {@code visitRoot} applies for what {@code dialect} cannot express. */
  private static RelNode prepared(RelNode rel, SqlDialect dialect) {
    List<RelOptRule> rules = new ArrayList<>();
    if (!dialect.supportsGroupByLiteral()) {
      rules.add(AggregateProjectConstantToDummyJoinRule.Config.DEFAULT.toRule());
    }
    if (!dialect.supportsJoinType(JoinRelType.FULL)) {
      rules.add(FullToLeftAndRightJoinRule.Config.DEFAULT.toRule());
    }
    if (!dialect.supportsJoinType(JoinRelType.RIGHT)) {
      rules.add(JoinCommuteRule.Config.RIGHT_TO_LEFT_ONLY.toRule()); // CoreRules.JOIN_COMMUTE_RIGHT_TO_LEFT
    }
    if (!dialect.supportsOrderByLiteral()) {
      rules.add(SortRemoveConstantKeysRule.Config.DEFAULT.toRule()); // CoreRules.SORT_REMOVE_CONSTANT_KEYS
    }
    if (rules.isEmpty()) {
      return rel;
    }
    HepPlanner planner = new HepPlanner(HepProgram.builder().addRuleCollection(rules).build());
    planner.setRoot(rel);
    return planner.findBestExp();
  }

  /** The root as the only input of a node of no kind, as {@code visitRoot} converts it. */
  private static RelNode holder(RelNode rel) {
    return new SingleRel(rel.getCluster(), rel.getTraitSet(), rel) { };
  }
}
