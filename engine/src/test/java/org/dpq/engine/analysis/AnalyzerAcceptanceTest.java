package org.dpq.engine.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.apache.calcite.rel.RelFieldCollation;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexNode;
import org.dpq.engine.catalog.Column;
import org.dpq.engine.catalog.ColumnType;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.PrivacyUnit;
import org.junit.jupiter.api.Test;

/** The supported grammar: each shape yields the expected measurements, aggregates, keys and partition mode. */
class AnalyzerAcceptanceTest {
  private static final Analyzer ANALYZER = new Analyzer();
  /** G = 3 groups per person, R = 2 rows per group. */
  private static final Dataset PUMS;

  static {
    List<Column> columns = new ArrayList<>(TestDatasets.pumsColumns());
    columns.add(TestDatasets.bounded("delta", ColumnType.INT, -10, 20));
    columns.add(TestDatasets.bounded("score", ColumnType.DOUBLE, 10, 20));
    columns.add(TestDatasets.bounded("cents", ColumnType.LONG, 0, 1e12));
    columns.add(new Column("grade", ColumnType.DOUBLE, java.util.OptionalDouble.empty(),
        java.util.OptionalDouble.empty(), java.util.Optional.of(List.of("1.5", "2.5"))));
    PUMS = TestDatasets.dataset("pums", new PrivacyUnit.ByColumn("pid"), 3, 2, columns);
  }

  private static DpPlan plan(String sql) {
    return ANALYZER.analyze(PUMS, sql);
  }

  private static List<MeasurementKind> kinds(DpPlan plan) {
    return plan.measurements().stream().map(Measurement::kind).toList();
  }

  private static String column(DpPlan plan, Measurement m) {
    RexInputRef ref = (RexInputRef) m.argument().orElseThrow();
    return plan.scan().getRowType().getFieldNames().get(ref.getIndex());
  }

  /** PUMS with G = 4, R = 7 and the total cap {@code max_rows_per_unit: c}. */
  private static Dataset capped(int c) {
    return new Dataset(PUMS.name(), PUMS.table(), PUMS.source(), PUMS.unit(), 4, 7, PUMS.budget(), PUMS.defaults(),
        PUMS.ledger(), PUMS.columns(), PUMS.yamlPath(), PUMS.limits(), java.util.OptionalInt.of(c));
  }

  @Test
  void aTotalCapPerUnitTightensCountsAndSumsButNotDistinctValues() {
    String sql = "SELECT educ, COUNT(*) AS n, SUM(age) AS s, COUNT(DISTINCT pid) AS u, COUNT(DISTINCT race) AS r "
        + "FROM pums GROUP BY educ";
    DpPlan plan = ANALYZER.analyze(capped(9), sql);
    Measurement count = plan.measurements().get(kinds(plan).indexOf(MeasurementKind.COUNT_ROWS));
    // C = 9 < G*R = 28: at most 9 rows in total, at most 7 in a group; L2's worst case is 7 rows in one group and
    // 2 in another: sqrt(7^2 + 2^2)
    assertEquals(9, count.l1(), 1e-12);
    assertEquals(Math.sqrt(53), count.l2(), 1e-12);
    assertEquals(7, count.perUnitUpper());
    Measurement sum = plan.measurements().get(kinds(plan).indexOf(MeasurementKind.SUM));
    double perRow = 100 * (1 + 7 * 0x1p-41); // age's bound 100, plus the grid's half step per row
    assertEquals(9 * perRow, sum.l1(), 1e-9);
    assertEquals(Math.sqrt(53) * perRow, sum.l2(), 1e-9);
    // C = 9 >= G = 4: the distinct-unit count still reaches 4 groups
    Measurement units = plan.measurements().get(kinds(plan).indexOf(MeasurementKind.COUNT_UNITS));
    assertEquals(4, units.l1(), 1e-12);
    // COUNT(DISTINCT value)'s query does not apply the cap: G*R as without it
    Measurement distinct = plan.measurements().get(kinds(plan).indexOf(MeasurementKind.COUNT_DISTINCT_VALUES));
    assertEquals(28, distinct.l1(), 1e-12);
    assertEquals(14, distinct.l2(), 1e-12);
    assertEquals(" [bound: C = 9 rows per unit < G*R = 28: L1 = 9 rows' worth, L2 as 1 full groups + 2 rows]",
        ContributionBound.describe(plan, count));
    assertEquals(" [bound: G*R = 28; max_rows_per_unit C = 9 is not applied to this measurement]",
        ContributionBound.describe(plan, distinct));

    DpPlan three = ANALYZER.analyze(capped(3), sql);
    Measurement fewUnits = three.measurements().get(kinds(three).indexOf(MeasurementKind.COUNT_UNITS));
    assertEquals(3, fewUnits.l1(), 1e-12);
    assertEquals(Math.sqrt(3), fewUnits.l2(), 1e-12);
    Measurement fewRows = three.measurements().get(kinds(three).indexOf(MeasurementKind.COUNT_ROWS));
    assertEquals(3, fewRows.l1(), 1e-12);
    assertEquals(3, fewRows.l2(), 1e-12);

    // a cap above G*R changes nothing
    DpPlan loose = ANALYZER.analyze(capped(100), sql);
    DpPlan none = ANALYZER.analyze(new Dataset(PUMS.name(), PUMS.table(), PUMS.source(), PUMS.unit(), 4, 7,
        PUMS.budget(), PUMS.defaults(), PUMS.ledger(), PUMS.columns(), PUMS.yamlPath(), PUMS.limits()), sql);
    for (int i = 0; i < none.measurements().size(); i++) {
      assertEquals(none.measurements().get(i).l1(), loose.measurements().get(i).l1(), 0);
      assertEquals(none.measurements().get(i).l2(), loose.measurements().get(i).l2(), 0);
    }
  }

  @Test
  void countStarWithoutGroupBy() {
    DpPlan plan = plan("SELECT COUNT(*) FROM pums");
    assertEquals(PartitionMode.NONE, plan.partitionMode());
    assertEquals(-1, plan.selectionMeasurement());
    assertEquals(List.of(MeasurementKind.COUNT_ROWS), kinds(plan));
    Measurement count = plan.measurements().get(0);
    assertEquals(0, count.perUnitLower());
    assertEquals(2, count.perUnitUpper());
    // without GROUP BY a person reaches one output row: G = 1, whatever max_groups_contributed says
    assertEquals(2, count.l1(), 1e-12);
    assertEquals(2, count.l2(), 1e-12);
    assertTrue(count.integral());
    assertEquals(List.of(new AggregateSpec.Count("EXPR$0", 0)), plan.aggregates());
    assertEquals(plan.scan().getRowType().getFieldNames().indexOf("pid"), plan.unitField().orElseThrow());
    assertTrue(plan.keys().isEmpty());
    assertFalse(plan.where().isPresent());
    assertEquals("[$0]", plan.post().outputs().toString());
  }

  @Test
  void groupByPublicDomainColumn() {
    DpPlan plan = plan("SELECT sex, COUNT(*) AS n FROM pums GROUP BY sex");
    assertEquals(PartitionMode.PUBLIC_DOMAIN, plan.partitionMode());
    assertEquals(-1, plan.selectionMeasurement());
    assertEquals(List.of(MeasurementKind.COUNT_ROWS), kinds(plan));
    assertEquals("sex", plan.keys().get(0).name());
    assertEquals("sex", plan.keys().get(0).column().name());
    assertEquals(List.of("sex", "n"), plan.post().outputNames());
    // sex has two public values: a person reaches at most 2 groups although G = 3
    assertEquals(2 * 2, plan.measurements().get(0).l1(), 1e-12);
    assertEquals(Math.sqrt(2) * 2, plan.measurements().get(0).l2(), 1e-12);
  }

  @Test
  void groupByColumnWithoutDomainAddsTheSelectionMeasurement() {
    DpPlan plan = plan("SELECT educ, COUNT(*) FROM pums GROUP BY educ");
    assertEquals(PartitionMode.THRESHOLD, plan.partitionMode());
    assertEquals(List.of(MeasurementKind.COUNT_ROWS, MeasurementKind.COUNT_UNITS), kinds(plan));
    assertEquals(1, plan.selectionMeasurement());
    Measurement units = plan.measurements().get(1);
    assertEquals(1, units.perUnitUpper());
    assertEquals(3, units.l1(), 1e-12);
    assertEquals(Math.sqrt(3), units.l2(), 1e-12);
    assertEquals(1, plan.aggregates().size());
  }

  @Test
  void countDistinctUnitIsReusedForSelection() {
    DpPlan plan = plan("SELECT educ, COUNT(DISTINCT pid) AS people, COUNT(*) FROM pums GROUP BY educ");
    assertEquals(List.of(MeasurementKind.COUNT_UNITS, MeasurementKind.COUNT_ROWS), kinds(plan));
    assertEquals(0, plan.selectionMeasurement());
    assertEquals(new AggregateSpec.CountUnits("people", 0), plan.aggregates().get(0));
  }

  @Test
  void countDistinctOfAnotherColumnIsBoundedByRValuesPerUnitAndGroup() {
    DpPlan plan = plan("SELECT educ, COUNT(DISTINCT age) AS ages, COUNT(DISTINCT age) FILTER (WHERE sex = '1') AS f, "
        + "COUNT(DISTINCT pid) AS people FROM pums GROUP BY educ");
    assertEquals(List.of(MeasurementKind.COUNT_DISTINCT_VALUES, MeasurementKind.COUNT_DISTINCT_VALUES,
        MeasurementKind.COUNT_UNITS), kinds(plan));
    Measurement ages = plan.measurements().get(0);
    assertEquals("age", column(plan, ages));
    // a person keeps at most R = 2 of its distinct ages per group, in at most G = 3 groups
    assertEquals(0, ages.perUnitLower());
    assertEquals(2, ages.perUnitUpper());
    assertEquals(3 * 2, ages.l1(), 1e-12);
    assertEquals(Math.sqrt(3) * 2, ages.l2(), 1e-12);
    assertTrue(ages.integral());
    assertEquals(new AggregateSpec.Count("ages", 0), plan.aggregates().get(0));
    // FILTER: the ages of other rows read as NULL, which COUNT(DISTINCT) ignores; same bound
    assertTrue(plan.measurements().get(1).argument().orElseThrow().toString().startsWith("CASE("));
    assertEquals(3 * 2, plan.measurements().get(1).l1(), 1e-12);
    assertEquals(new AggregateSpec.CountUnits("people", 2), plan.aggregates().get(2));
    // without GROUP BY one group (G = 1); for privacy_unit: row one value per unit (R = 1)
    assertEquals(2, plan("SELECT COUNT(DISTINCT educ) FROM pums").measurements().get(0).l1(), 1e-12);
    Dataset rows = TestDatasets.dataset("pums", new PrivacyUnit.Row(), 3, 2, TestDatasets.pumsColumns());
    assertEquals(1, ANALYZER.analyze(rows, "SELECT sex, COUNT(DISTINCT educ) FROM pums GROUP BY sex")
        .measurements().get(0).l1(), 1e-12);
  }

  @Test
  void averageSharesTheCountOfValuesAndSumIsDerivedFromItsCentredSum() {
    DpPlan plan = plan("SELECT AVG(income), COUNT(income), SUM(income) FROM pums");
    assertEquals(List.of(MeasurementKind.SUM, MeasurementKind.COUNT_VALUES), kinds(plan),
        "SUM(income) is derived from AVG's centred sum and count, not measured");
    Measurement centred = plan.measurements().get(0);
    assertEquals("income", column(plan, centred));
    assertEquals(250_000, centred.center());
    assertEquals(0, centred.lower());
    assertEquals(500_000, centred.upper());
    assertEquals(-500_000, centred.perUnitLower());
    assertEquals(500_000, centred.perUnitUpper());
    assertEquals(500_000, centred.l1(), 1e-6);
    assertFalse(centred.integral());
    assertEquals(List.of(new AggregateSpec.Mean("EXPR$0", 0, 1, 0, 500_000), new AggregateSpec.Count("EXPR$1", 1),
        new AggregateSpec.DerivedSum("EXPR$2", 0, 1, 250_000, false, true)), plan.aggregates());
  }

  @Test
  void aSumWithoutAnAverageOfTheSameValueIsMeasuredUncentred() {
    DpPlan plan = plan("SELECT AVG(age), SUM(income) FROM pums");
    assertEquals(List.of(MeasurementKind.SUM, MeasurementKind.COUNT_VALUES, MeasurementKind.SUM), kinds(plan));
    Measurement plain = plan.measurements().get(2);
    assertEquals("income", column(plan, plain));
    assertEquals(0, plain.center());
    assertEquals(0, plain.perUnitLower());
    assertEquals(1_000_000, plain.perUnitUpper());
    assertEquals(1_000_000, plain.l1(), 1e-6);
    assertEquals(1_000_000, plain.l2(), 1e-6);
    assertFalse(plain.integral(), "a DOUBLE column's sum is not integral");
    assertEquals(new AggregateSpec.Sum("EXPR$1", 2, false), plan.aggregates().get(1));
  }

  @Test
  void aNonNullableColumnsAveragesShareTheRowCount() {
    Dataset d = Dataset.builder("t").csv(java.nio.file.Path.of("t.csv")).privacyUnit("pid").maxGroupsContributed(1)
        .maxRowsPerGroup(2).budget("1", "0").defaults("0.5", "0").column("pid", org.dpq.engine.catalog.ColumnType.INT)
        .column("a", org.dpq.engine.catalog.ColumnType.DOUBLE, 0, 10).notNull("a")
        .column("b", org.dpq.engine.catalog.ColumnType.DOUBLE, -5, 5).notNull("b")
        .column("c", org.dpq.engine.catalog.ColumnType.DOUBLE, 0, 1).build();
    DpPlan plan = ANALYZER.analyze(d, "SELECT COUNT(*), AVG(a), VAR_POP(b), SUM(a), AVG(c) FROM t");
    assertEquals(List.of(MeasurementKind.COUNT_ROWS, MeasurementKind.SUM, MeasurementKind.SUM_SQUARES,
        MeasurementKind.SUM, MeasurementKind.SUM, MeasurementKind.COUNT_VALUES), kinds(plan),
        "one row count serves COUNT(*), AVG(a), VAR_POP(b) and SUM(a); the nullable c keeps its count of values");
    assertEquals(new AggregateSpec.Mean("EXPR$1", 1, 0, 0, 10), plan.aggregates().get(1));
    assertEquals(new AggregateSpec.Variance("EXPR$2", 2, 3, 0, -5, 5, false), plan.aggregates().get(2));
    assertEquals(new AggregateSpec.DerivedSum("EXPR$3", 1, 0, 5, false, true), plan.aggregates().get(3));
    assertEquals(new AggregateSpec.Mean("EXPR$4", 4, 5, 0, 1), plan.aggregates().get(4));
    // a FILTER makes the argument a CASE (NULL where the filter fails): it needs its own count of values
    DpPlan filtered = ANALYZER.analyze(d, "SELECT AVG(a) FILTER (WHERE b > 0) FROM t");
    assertEquals(List.of(MeasurementKind.SUM, MeasurementKind.COUNT_VALUES), kinds(filtered));
  }

  @Test
  void varianceAndStddevShareComponentsWithAverage() {
    DpPlan plan = plan("SELECT VAR_POP(income), AVG(income), STDDEV(income), VARIANCE(income), VAR_SAMP(income), "
        + "STDDEV_POP(income), STDDEV_SAMP(income) FROM pums");
    assertEquals(List.of(MeasurementKind.SUM_SQUARES, MeasurementKind.SUM, MeasurementKind.COUNT_VALUES),
        kinds(plan));
    Measurement squares = plan.measurements().get(0);
    assertEquals(250_000, squares.center());
    assertEquals(0, squares.perUnitLower());
    assertEquals(2 * 250_000.0 * 250_000.0, squares.perUnitUpper());
    assertEquals(2 * 250_000.0 * 250_000.0, squares.l1(), 1);
    assertEquals(new AggregateSpec.Variance("EXPR$0", 0, 1, 2, 0, 500_000, false), plan.aggregates().get(0));
    assertEquals(new AggregateSpec.Mean("EXPR$1", 1, 2, 0, 500_000), plan.aggregates().get(1));
    assertEquals(new AggregateSpec.Variance("EXPR$2", 0, 1, 2, 0, 500_000, true), plan.aggregates().get(2));
    assertEquals(new AggregateSpec.Variance("EXPR$3", 0, 1, 2, 0, 500_000, false), plan.aggregates().get(3));
    assertEquals(new AggregateSpec.Variance("EXPR$4", 0, 1, 2, 0, 500_000, false), plan.aggregates().get(4));
    assertEquals(new AggregateSpec.Variance("EXPR$5", 0, 1, 2, 0, 500_000, true), plan.aggregates().get(5));
    assertEquals(new AggregateSpec.Variance("EXPR$6", 0, 1, 2, 0, 500_000, true), plan.aggregates().get(6));
  }

  @Test
  void sumOfIntegerColumnIsReleasedAsIntegerButMeasuredInDoubleAndPerUnitRangeKeepsZero() {
    DpPlan plan = plan("SELECT SUM(age), SUM(delta), SUM(score) FROM pums");
    Measurement age = plan.measurements().get(0);
    assertFalse(age.integral(), "a person with more than R rows contributes a fraction of the sum: DOUBLE");
    assertEquals(0, age.perUnitLower());
    assertEquals(200, age.perUnitUpper());
    assertEquals(200, age.l1(), 1e-12);
    Measurement delta = plan.measurements().get(1);
    assertFalse(delta.integral());
    assertEquals(-20, delta.perUnitLower());
    assertEquals(40, delta.perUnitUpper());
    assertEquals(40, delta.l1(), 1e-12);
    Measurement score = plan.measurements().get(2);
    assertFalse(score.integral());
    assertEquals(0, score.perUnitLower(), "a unit's sum of one row in [10, 20] must not be raised to R*10");
    assertEquals(40, score.perUnitUpper());
    assertEquals(new AggregateSpec.Sum("EXPR$0", 0, true), plan.aggregates().get(0));
  }

  @Test
  void releasedTypesAreDoubleForMeansAndBigintForIntegerSums() {
    DpPlan plan = plan("SELECT AVG(age), SUM(age), SUM(income), STDDEV(age), VAR_POP(income), COUNT(*), "
        + "CASE WHEN COUNT(*) > 10 THEN 'many' ELSE 'a few' END FROM pums");
    assertEquals(List.of("DOUBLE", "BIGINT", "DOUBLE", "DOUBLE", "DOUBLE", "BIGINT", "VARCHAR"),
        plan.post().outputTypes().stream().map(t -> t.getSqlTypeName().getName()).toList());
  }

  @Test
  void sumWithHugeIntegerBoundsIsComputedInDouble() {
    DpPlan plan = plan("SELECT SUM(cents) FROM pums");
    assertFalse(plan.measurements().get(0).integral(), "2e12 per unit could overflow BIGINT across units");
    assertEquals(new AggregateSpec.Sum("EXPR$0", 0, false), plan.aggregates().get(0));
  }

  @Test
  void severalPublicKeysKeepGroupByOrder() {
    DpPlan plan = plan("SELECT married, sex, COUNT(*) FROM pums GROUP BY sex, married");
    assertEquals(PartitionMode.PUBLIC_DOMAIN, plan.partitionMode());
    assertEquals(List.of("sex", "married"), plan.keys().stream().map(GroupKey::name).toList());
    // the SELECT list reads the aggregate row [sex, married, count]
    assertEquals("[$1, $0, $2]", plan.post().outputs().toString());
    assertEquals(List.of("married", "sex", "EXPR$2"), plan.post().outputNames());
  }

  @Test
  void mixedKeysUseThreshold() {
    DpPlan plan = plan("SELECT sex, educ, COUNT(*) FROM pums GROUP BY educ, sex");
    assertEquals(PartitionMode.THRESHOLD, plan.partitionMode());
    assertEquals(List.of("educ", "sex"), plan.keys().stream().map(GroupKey::name).toList());
    assertEquals("[$1, $0, $2]", plan.post().outputs().toString());
    RexNode key = plan.keys().get(0).expression();
    assertEquals("educ", plan.scan().getRowType().getFieldNames().get(((RexInputRef) key).getIndex()));
  }

  @Test
  void doubleColumnWithPublicDomainMayBeGrouped() {
    DpPlan plan = plan("SELECT grade, COUNT(*) FROM pums GROUP BY grade");
    assertEquals(PartitionMode.PUBLIC_DOMAIN, plan.partitionMode());
  }

  @Test
  void whereAcceptsTheRowLevelGrammar() {
    DpPlan plan = plan("SELECT COUNT(*) FROM pums WHERE (age BETWEEN 20 AND 60 OR NOT age > 90) "
        + "AND educ IN ('1', '2', '3') AND race LIKE '1%' AND income IS NOT NULL AND married IS NOT NULL "
        + "AND CASE WHEN sex = '1' THEN age * 2 ELSE age - 1 END > 10 AND ABS(delta) < 5 AND UPPER(sex) <> 'X'");
    String where = plan.where().orElseThrow().toString();
    assertTrue(where.contains("LIKE"), where);
    assertTrue(where.contains("CASE"), where);
    assertEquals(List.of(MeasurementKind.COUNT_ROWS), kinds(plan));
  }

  @Test
  void longInListStaysAFilter() {
    StringBuilder in = new StringBuilder("SELECT COUNT(*) FROM pums WHERE educ IN ('0'");
    for (int i = 1; i < 40; i++) {
      in.append(", '").append(i).append('\'');
    }
    DpPlan plan = plan(in.append(")").toString());
    assertTrue(plan.where().isPresent());
    assertEquals(List.of(MeasurementKind.COUNT_ROWS), kinds(plan));
  }

  @Test
  void postProcessingOverAggregates() {
    DpPlan plan = plan("SELECT sex, SUM(income) / COUNT(*) AS ratio, COUNT(*) + 1 AS n1 FROM pums WHERE age > 17 "
        + "GROUP BY sex HAVING COUNT(*) > 10 ORDER BY ratio DESC LIMIT 5 OFFSET 1");
    PostProcessing post = plan.post();
    assertEquals(List.of("sex", "ratio", "n1"), post.outputNames());
    assertEquals(2, plan.aggregates().size());
    AggregateSpec.Sum sum = assertInstanceOf(AggregateSpec.Sum.class, plan.aggregates().get(0));
    AggregateSpec.Count count = assertInstanceOf(AggregateSpec.Count.class, plan.aggregates().get(1));
    assertEquals(MeasurementKind.SUM, plan.measurements().get(sum.sum()).kind());
    assertEquals(MeasurementKind.COUNT_ROWS, plan.measurements().get(count.count()).kind());
    assertEquals("[$0, /($1, $2), +($2, 1)]", post.outputs().toString());
    assertEquals(">($2, 10)", post.having().orElseThrow().toString());
    assertEquals(1, post.orderBy().size());
    assertEquals(1, post.orderBy().get(0).getFieldIndex());
    assertEquals(RelFieldCollation.Direction.DESCENDING, post.orderBy().get(0).getDirection());
    assertEquals(OptionalLong.of(5), post.limit());
    assertEquals(OptionalLong.of(1), post.offset());
    assertEquals(3, post.outputTypes().size());
  }

  @Test
  void havingOnlyAggregateIsMeasuredButNotOutput() {
    DpPlan plan = plan("SELECT sex, COUNT(*) FROM pums GROUP BY sex HAVING AVG(age) > 30");
    assertEquals(2, plan.aggregates().size());
    assertInstanceOf(AggregateSpec.Mean.class, plan.aggregates().get(1));
    assertEquals(2, plan.post().outputs().size());
    assertEquals(">($2, 30.0E0)", plan.post().having().orElseThrow().toString());
  }

  @Test
  void orderByAggregateInSelectAndByKey() {
    DpPlan plan = plan("SELECT sex, COUNT(*) AS n FROM pums GROUP BY sex ORDER BY sex, n DESC");
    assertEquals(2, plan.post().orderBy().size());
    assertEquals(0, plan.post().orderBy().get(0).getFieldIndex());
    assertEquals(1, plan.post().orderBy().get(1).getFieldIndex());
  }

  @Test
  void countOfLiteralAndOfColumn() {
    DpPlan plan = plan("SELECT COUNT(1), COUNT(sex), COUNT(income) FROM pums");
    assertEquals(List.of(MeasurementKind.COUNT_ROWS, MeasurementKind.COUNT_VALUES, MeasurementKind.COUNT_VALUES),
        kinds(plan));
    assertEquals("sex", column(plan, plan.measurements().get(1)));
    assertEquals("income", column(plan, plan.measurements().get(2)));
  }

  @Test
  void countOfUnboundedColumnNeedsNoBounds() {
    DpPlan plan = plan("SELECT race, COUNT(educ) FROM pums GROUP BY race");
    assertEquals(List.of(MeasurementKind.COUNT_VALUES, MeasurementKind.COUNT_UNITS), kinds(plan));
  }

  @Test
  void namesAreCaseInsensitiveAndTrailingSemicolonIsAccepted() {
    DpPlan plan = plan("select EDUC, count(*) as N from PUMS where AGE > 3 group by Educ;");
    assertEquals("educ", plan.keys().get(0).column().name());
    assertEquals(List.of("EDUC", "N"), plan.post().outputNames());
  }

  @Test
  void rowUnitUsesOneRowOneGroup() {
    Dataset rows = TestDatasets.dataset("pums", new PrivacyUnit.Row(), 5, 4, TestDatasets.pumsColumns());
    DpPlan plan = ANALYZER.analyze(rows, "SELECT educ, COUNT(*), SUM(age) FROM pums GROUP BY educ");
    assertTrue(plan.unitField().isEmpty());
    assertEquals(PartitionMode.THRESHOLD, plan.partitionMode());
    assertEquals(List.of(MeasurementKind.COUNT_ROWS, MeasurementKind.SUM, MeasurementKind.COUNT_UNITS), kinds(plan));
    assertEquals(1, plan.measurements().get(0).perUnitUpper());
    assertEquals(1, plan.measurements().get(0).l1());
    assertEquals(100, plan.measurements().get(1).perUnitUpper());
    assertEquals(100, plan.measurements().get(1).l1());
    assertTrue(plan.measurements().get(1).integral(), "a row unit contributes its own integer value");
    assertEquals(new AggregateSpec.Sum("EXPR$2", 1, true), plan.aggregates().get(1));
    assertEquals(1, plan.measurements().get(2).l1());
    assertEquals(2, plan.selectionMeasurement());
  }

  @Test
  void groupingByTheUnitColumnIsFineWhenUnitIsRow() {
    Dataset rows = TestDatasets.pumsRows();
    DpPlan plan = ANALYZER.analyze(rows, "SELECT pid, COUNT(*) FROM pums GROUP BY pid");
    assertEquals(PartitionMode.THRESHOLD, plan.partitionMode());
  }

  @Test
  void analyzerIsReusableAcrossDatasetsAndQueries() {
    DpPlan a = ANALYZER.analyze(TestDatasets.pums(1, 1), "SELECT COUNT(*) FROM pums");
    DpPlan b = ANALYZER.analyze(TestDatasets.pums(4, 2), "SELECT COUNT(*) FROM pums");
    assertEquals(1, a.measurements().get(0).l1());
    assertEquals(2, b.measurements().get(0).l1());
    DpPlan grouped = ANALYZER.analyze(TestDatasets.pums(4, 2), "SELECT educ, COUNT(*) FROM pums GROUP BY educ");
    assertEquals(8, grouped.measurements().get(0).l1());
    assertEquals("SELECT COUNT(*) FROM pums", b.sql());
  }

  @Test
  void oneAnalyzerServesSeveralThreads() throws Exception {
    List<String> queries = List.of("SELECT educ, COUNT(*), AVG(income) FROM pums GROUP BY educ",
        "SELECT sex, SUM(age) FROM pums WHERE income > 10 GROUP BY sex",
        "SELECT VAR_POP(income), COUNT(DISTINCT pid) FROM pums");
    List<String> expected = queries.stream().map(q -> plan(q).measurements().toString()).toList();
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      List<java.util.concurrent.Future<Boolean>> results = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        results.add(pool.submit(() -> {
          for (int i = 0; i < 20; i++) {
            for (int q = 0; q < queries.size(); q++) {
              if (!plan(queries.get(q)).measurements().toString().equals(expected.get(q))) {
                return false;
              }
            }
          }
          return true;
        }));
      }
      for (java.util.concurrent.Future<Boolean> result : results) {
        assertTrue(result.get());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * A subquery in FROM that only selects and filters rows is merged: the plan, and the bounded SQL every backend
   * runs, are those of the flattened query, so it is answered exactly as that query (same clamps, same sensitivity).
   */
  @Test
  void aProjectionAndFilterSubqueryInFromIsTheFlattenedQuery() {
    String[][] pairs = {
        {"SELECT COUNT(*) AS n FROM (SELECT * FROM pums)", "SELECT COUNT(*) AS n FROM pums"},
        {"SELECT sex, AVG(a) AS a, SUM(i) AS s FROM (SELECT age + 1 AS a, sex, income AS i FROM pums "
            + "WHERE age > 20) t WHERE t.i < 100000 GROUP BY sex",
            "SELECT sex, AVG(age + 1) AS a, SUM(income) AS s FROM pums WHERE age > 20 AND income < 100000 "
            + "GROUP BY sex"},
        {"SELECT e, COUNT(DISTINCT pid) AS u FROM (SELECT educ AS e, pid FROM (SELECT * FROM pums WHERE sex = '1') "
            + "AS u WHERE age BETWEEN 10 AND 50) AS t GROUP BY e",
            "SELECT educ AS e, COUNT(DISTINCT pid) AS u FROM pums WHERE sex = '1' AND age BETWEEN 10 AND 50 "
            + "GROUP BY educ"}};
    for (String[] pair : pairs) {
      DpPlan nested = plan(pair[0]);
      DpPlan flat = plan(pair[1]);
      assertEquals(flat.measurements(), nested.measurements(), pair[0]);
      assertEquals(flat.partitionMode(), nested.partitionMode(), pair[0]);
      for (org.apache.calcite.sql.SqlDialect dialect : List.of(org.dpq.engine.execution.DuckDbDialect.INSTANCE,
          org.dpq.engine.execution.SparkDialect.INSTANCE)) {
        assertEquals(new org.dpq.engine.rewrite.Rewriter().rewrite(flat, dialect, 7).sql(),
            new org.dpq.engine.rewrite.Rewriter().rewrite(nested, dialect, 7).sql(), pair[0]);
      }
    }
  }

  /**
   * A numeric GROUP BY expression over bounded columns is evaluated from inputs clamped to the declared bounds, so it
   * is bounded and cannot fail on any backend: PostgreSQL and Spark, which have no TRY, answer it too. Keys over no
   * bounded number are evaluated as written.
   */
  @Test
  void numericKeyExpressionsReadTheirColumnsClampedOnEveryBackend() {
    DpPlan plan = plan("SELECT FLOOR(age / 10) * 10 AS decade, ROUND(income / 1000.0) AS k, COUNT(*) FROM pums "
        + "GROUP BY decade, k");
    for (GroupKey key : plan.keys()) {
      String clamped = key.inputClamps().orElseThrow(() -> new AssertionError(key.name())).toString();
      assertTrue(clamped.contains("DPQ_CLAMP("), clamped);
      assertEquals(key.inputClamps().get(), key.evaluated());
    }
    assertEquals(11, plan.keys().get(0).column().publicValues().orElseThrow().size(),
        "the bins within age's bounds [0, 100] stay the public domain");
    for (org.apache.calcite.sql.SqlDialect dialect : List.of(org.dpq.engine.execution.DuckDbDialect.INSTANCE,
        org.apache.calcite.sql.dialect.PostgresqlSqlDialect.DEFAULT, org.dpq.engine.execution.SparkDialect.INSTANCE)) {
      String sql = new org.dpq.engine.rewrite.Rewriter().rewrite(plan, dialect, 7).sql();
      assertTrue(sql.contains("< 0") && sql.contains("> 100"), dialect + ": age clamped to its bounds: " + sql);
      assertFalse(sql.contains("TRY("), dialect + ": nothing left that could fail: " + sql);
    }
    DpPlan text = plan("SELECT CASE WHEN age > 90 THEN 'old' ELSE 'young' END AS band, SUBSTRING(educ, 1, 1) AS e, "
        + "COUNT(*) FROM pums GROUP BY band, e");
    assertTrue(text.keys().stream().allMatch(k -> k.inputClamps().isEmpty()), "no bounded number read as a value");
  }
}
