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
 * secret's digits must not be taken for the secret.
 */
class SecretTemplateTest {
  private static final Analyzer ANALYZER = new Analyzer();
  private static final Rewriter REWRITER = new Rewriter();
  private static final List<SqlDialect> DIALECTS =
      List.of(DuckDbDialect.INSTANCE, PostgresqlSqlDialect.DEFAULT, SparkSqlDialect.DEFAULT);
  private static final long ONE = 4_242_424_242_424_242_421L;
  private static final long TWO = -3_131_313_131_313_131_313L;

  private record Case(Dataset dataset, String sql) {}

  private static final List<Case> CASES = List.of(
      new Case(TestDatasets.pumsRows(), "SELECT educ, COUNT(*), SUM(income), AVG(age) FROM pums GROUP BY educ"),
      new Case(TestDatasets.pums(1, 3), "SELECT COUNT(*), AVG(income) FROM pums"),
      new Case(TestDatasets.pums(1, 3), "SELECT sex, COUNT(*) FROM pums GROUP BY sex"),
      new Case(TestDatasets.pums(2, 3), "SELECT educ, SUM(income) FROM pums WHERE age > 30 GROUP BY educ"),
      new Case(TestDatasets.pums(2, 3), "SELECT sex, COUNT(DISTINCT educ) FROM pums GROUP BY sex"),
      new Case(TestDatasets.pums(1, 2), "SELECT sex, MEDIAN(age) FROM pums GROUP BY sex"),
      // the analyst's text holds the digits of the first secret below: they must not be taken for the secret
      new Case(TestDatasets.pums(1, 3), "SELECT sex, COUNT(*) FROM pums WHERE educ <> '" + ONE + "' GROUP BY sex"));

  private static List<Long> secrets() {
    List<Long> out = new ArrayList<>(List.of(ONE, TWO, 0L, 1L, -1L, 7L, 10L, Long.MIN_VALUE, Long.MAX_VALUE));
    SplittableRandom random = new SplittableRandom(20_261_207L);
    for (int i = 0; i < 20; i++) {
      out.add(random.nextLong());
    }
    return out;
  }

  /** Every rendering of one case: the main query in both orders and each quantile-tree query. */
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
    int templates = 0;
    int keyed = 0;
    for (SqlDialect dialect : DIALECTS) {
      for (Case c : CASES) {
        DpPlan plan = ANALYZER.analyze(c.dataset(), c.sql());
        for (LongFunction<BoundedQuery> render : renderings(plan, dialect)) {
          SecretTemplate template = SecretTemplate.of(render);
          for (long secret : secrets()) {
            BoundedQuery expected = render.apply(secret);
            String what = dialect.getClass().getSimpleName() + ", secret " + secret + ": " + c.sql();
            assertEquals(expected, template.withSecret(secret), what);
            keyed += expected.keyed() && secret != 0 && expected.sql().contains(Long.toString(secret)) ? 1 : 0;
          }
          assertTrue(template.substitutes(), "learnt after a few releases: " + c.sql());
          templates++;
        }
      }
    }
    // not vacuous: every rendering was checked, keyed texts among them
    assertEquals(3 * (7 * 2 + 1), templates);
    assertTrue(keyed > 100, "keyed renderings checked: " + keyed);
  }

  @Test
  void twoReleasesDifferInTheirSecretOnly() {
    DpPlan plan = ANALYZER.analyze(TestDatasets.pums(1, 3), "SELECT sex, COUNT(*) FROM pums GROUP BY sex");
    SecretTemplate template = SecretTemplate.of(s -> REWRITER.rewrite(plan, DuckDbDialect.INSTANCE, s));
    String first = template.withSecret(ONE).sql(); // rendered, and the cut learnt from it
    assertTrue(template.substitutes());
    String second = template.withSecret(TWO).sql(); // substituted
    assertNotEquals(first, second);
    assertTrue(first.contains("HASH(" + ONE + ", "), first);
    assertEquals(first.replace(Long.toString(ONE), "?"), second.replace(Long.toString(TWO), "?"));
  }

  @Test
  void analystTextWithTheSecretsDigitsIsNotTakenForTheSecret() {
    DpPlan plan = ANALYZER.analyze(TestDatasets.pums(1, 3),
        "SELECT sex, COUNT(*) FROM pums WHERE educ <> '" + ONE + "' GROUP BY sex");
    LongFunction<BoundedQuery> render = s -> REWRITER.rewrite(plan, DuckDbDialect.INSTANCE, s);
    SecretTemplate template = SecretTemplate.of(render);
    assertEquals(render.apply(ONE), template.withSecret(ONE));
    assertFalse(template.substitutes(), "a cut at the analyst's constant as well is not kept");
    assertEquals(render.apply(TWO), template.withSecret(TWO));
    assertTrue(template.substitutes(), "learnt from a release whose secret the text does not otherwise hold");
    String again = template.withSecret(ONE).sql();
    assertEquals(render.apply(ONE).sql(), again);
    assertTrue(again.contains("'" + ONE + "'"), again);
    // The same comparison rejects a cut kept without the check: it replaces the analyst's constant as well.
    String unchecked = render.apply(ONE).sql().replace(Long.toString(ONE), Long.toString(TWO));
    assertNotEquals(render.apply(TWO).sql(), unchecked);
  }
}
