package org.dpq.engine.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongFunction;
import org.apache.calcite.sql.SqlDialect;
import org.apache.calcite.sql.dialect.PostgresqlSqlDialect;
import org.apache.calcite.sql.dialect.SparkSqlDialect;
import org.dpq.engine.analysis.Analyzer;
import org.dpq.engine.analysis.DpPlan;
import org.dpq.engine.analysis.MeasurementKind;
import org.dpq.engine.analysis.TestDatasets;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.execution.DuckDbDialect;
import org.junit.jupiter.api.Test;

/**
 * {@link SecretTemplate}: a release's bounded SQL made by putting its secret into the planned text must be, character
 * for character, the text a rewrite with that secret gives (else the release would differ from an unplanned one),
 * for every dialect, order, tree query and secret, including the extremes; analyst text that happens to contain a
 * probe's digits must not be taken for the secret.
 */
class SecretTemplateTest {
  private static final Analyzer ANALYZER = new Analyzer();
  private static final Rewriter REWRITER = new Rewriter();
  private static final List<SqlDialect> DIALECTS =
      List.of(DuckDbDialect.INSTANCE, PostgresqlSqlDialect.DEFAULT, SparkSqlDialect.DEFAULT);

  private record Case(Dataset dataset, String sql) {}

  private static final List<Case> CASES = List.of(
      new Case(TestDatasets.pumsRows(), "SELECT educ, COUNT(*), SUM(income), AVG(age) FROM pums GROUP BY educ"),
      new Case(TestDatasets.pums(1, 3), "SELECT COUNT(*), AVG(income) FROM pums"),
      new Case(TestDatasets.pums(1, 3), "SELECT sex, COUNT(*) FROM pums GROUP BY sex"),
      new Case(TestDatasets.pums(2, 3), "SELECT educ, SUM(income) FROM pums WHERE age > 30 GROUP BY educ"),
      new Case(TestDatasets.pums(2, 3), "SELECT sex, COUNT(DISTINCT educ) FROM pums GROUP BY sex"),
      new Case(TestDatasets.pums(1, 2), "SELECT sex, MEDIAN(age) FROM pums GROUP BY sex"),
      // the analyst's text holds a probe's digits: the template must not take them for the secret
      new Case(TestDatasets.pums(1, 3), "SELECT sex, COUNT(*) FROM pums WHERE educ <> '"
          + SecretTemplate.PROBE_A + "' GROUP BY sex"),
      new Case(TestDatasets.pums(1, 3), "SELECT sex, COUNT(*) FROM pums WHERE educ <> '"
          + SecretTemplate.PROBE_B + "' GROUP BY sex"));

  private static List<Long> secrets() {
    List<Long> out = new ArrayList<>(List.of(0L, 1L, -1L, 7L, 10L, Long.MIN_VALUE, Long.MAX_VALUE,
        SecretTemplate.PROBE_A, SecretTemplate.PROBE_B));
    SplittableRandom random = new SplittableRandom(20_261_207L);
    for (int i = 0; i < 20; i++) {
      out.add(random.nextLong());
    }
    return out;
  }

  /** Every rendering of one case: main query in both orders and each quantile-tree query, by name. */
  private static List<LongFunction<BoundedQuery>> renderings(DpPlan plan, SqlDialect dialect) {
    List<LongFunction<BoundedQuery>> out = new ArrayList<>();
    for (GroupLimit order : GroupLimit.values()) {
      out.add(s -> REWRITER.rewrite(plan, dialect, s, order));
    }
    for (int i = 0; i < plan.measurements().size(); i++) {
      if (plan.measurements().get(i).kind() == MeasurementKind.QUANTILE_TREE) {
        int m = i;
        out.add(s -> REWRITER.treeQuery(plan, m, dialect, s));
      }
    }
    return out;
  }

  @Test
  void theTemplatedTextIsTheRewrittenTextForEverySecret() {
    int substituted = 0;
    int keyed = 0;
    for (SqlDialect dialect : DIALECTS) {
      for (Case c : CASES) {
        DpPlan plan = ANALYZER.analyze(c.dataset(), c.sql());
        for (LongFunction<BoundedQuery> render : renderings(plan, dialect)) {
          SecretTemplate template = SecretTemplate.of(render);
          // only a text holding the first probe's digits besides the secret is rendered afresh per release
          assertEquals(!c.sql().contains(Long.toString(SecretTemplate.PROBE_A)), template.substitutes(), c.sql());
          substituted += template.substitutes() ? 1 : 0;
          for (long secret : secrets()) {
            BoundedQuery expected = render.apply(secret);
            BoundedQuery actual = template.withSecret(secret);
            String what = dialect.getClass().getSimpleName() + ", secret " + secret + ": " + c.sql();
            assertEquals(expected, actual, what);
            keyed += expected.keyed() && expected.sql().contains(Long.toString(secret)) ? 1 : 0;
          }
        }
      }
    }
    // not vacuous: most templates substitute, and keyed texts were checked
    assertEquals(3 * (7 * 2 + 1), substituted, "templates that substitute");
    assertTrue(keyed > 100, "keyed renderings checked: " + keyed);
  }

  @Test
  void twoReleasesDifferInTheirSecretOnly() {
    DpPlan plan = ANALYZER.analyze(TestDatasets.pums(1, 3), "SELECT sex, COUNT(*) FROM pums GROUP BY sex");
    SecretTemplate template = SecretTemplate.of(s -> REWRITER.rewrite(plan, DuckDbDialect.INSTANCE, s));
    assertTrue(template.substitutes());
    long one = 4_242_424_242_424_242_421L;
    long two = -3_131_313_131_313_131_313L;
    String first = template.withSecret(one).sql();
    String second = template.withSecret(two).sql();
    assertNotEquals(first, second);
    assertTrue(first.contains("HASH(" + one + ", "), first);
    assertEquals(first.replace(Long.toString(one), "?"), second.replace(Long.toString(two), "?"));
  }

  @Test
  void analystTextWithTheFirstProbesDigitsIsRenderedAfreshNotSubstituted() {
    DpPlan plan = ANALYZER.analyze(TestDatasets.pums(1, 3),
        "SELECT sex, COUNT(*) FROM pums WHERE educ <> '" + SecretTemplate.PROBE_A + "' GROUP BY sex");
    LongFunction<BoundedQuery> render = s -> REWRITER.rewrite(plan, DuckDbDialect.INSTANCE, s);
    assertTrue(render.apply(1).sql().contains(Long.toString(SecretTemplate.PROBE_A)), "the analyst's constant");
    SecretTemplate template = SecretTemplate.of(render);
    assertFalse(template.substitutes());
    long secret = 99;
    assertEquals(render.apply(secret), template.withSecret(secret));
    // The same comparison rejects a template that skips the check: it replaces the analyst's constant as well.
    String unchecked = render.apply(SecretTemplate.PROBE_A).sql()
        .replace(Long.toString(SecretTemplate.PROBE_A), Long.toString(secret));
    assertNotEquals(render.apply(secret).sql(), unchecked);
  }

  @Test
  void analystTextWithTheSecondProbesDigitsStaysAsTheAnalystWroteIt() {
    DpPlan plan = ANALYZER.analyze(TestDatasets.pums(1, 3),
        "SELECT sex, COUNT(*) FROM pums WHERE educ <> '" + SecretTemplate.PROBE_B + "' GROUP BY sex");
    LongFunction<BoundedQuery> render = s -> REWRITER.rewrite(plan, DuckDbDialect.INSTANCE, s);
    SecretTemplate template = SecretTemplate.of(render);
    assertTrue(template.substitutes()); // only the secret's places are cut, the constant is text around them
    String sql = template.withSecret(5).sql();
    assertEquals(render.apply(5).sql(), sql);
    assertTrue(sql.contains(Long.toString(SecretTemplate.PROBE_B)), sql);
  }
}
