package org.dpq.engine.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.calcite.sql.SqlDialect;
import org.apache.calcite.sql.dialect.PostgresqlSqlDialect;
import org.apache.calcite.sql.dialect.SparkSqlDialect;
import org.dpq.engine.analysis.Analyzer;
import org.dpq.engine.analysis.DpPlan;
import org.dpq.engine.analysis.TestDatasets;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.execution.DuckDbDialect;
import org.junit.jupiter.api.Test;

/**
 * {@link BoundedQuery#keyed}: Dpq runs an unkeyed query's template (rewritten with secret 0) instead of rewriting it
 * with the query's own secret, so "unkeyed" must mean that the text is the same for every secret; a keyed query's
 * text must change with the secret (else its G groups would not depend on it).
 */
class KeyedQueryTest {
  private static final Analyzer ANALYZER = new Analyzer();
  private static final long A = 0L;
  private static final long B = -7_046_029_254_386_353_131L;

  private record Case(Dataset dataset, String sql, boolean keyed) {}

  @Test
  void unkeyedTextsAreTheSameForEverySecretAndKeyedOnesAreNot() {
    List<Case> cases = List.of(
        new Case(TestDatasets.pumsRows(), "SELECT educ, COUNT(*), SUM(income), AVG(age) FROM pums GROUP BY educ", false),
        new Case(TestDatasets.pumsRows(), "SELECT COUNT(*) FROM pums WHERE age > 30", false),
        // sex has two public values: with G = 2 a person may touch both groups, no limit, no hash
        new Case(TestDatasets.pums(2, 3), "SELECT sex, COUNT(*), SUM(income) FROM pums GROUP BY sex", false),
        new Case(TestDatasets.pums(1, 3), "SELECT COUNT(*), AVG(income) FROM pums", false),
        new Case(TestDatasets.pums(1, 3), "SELECT sex, COUNT(*) FROM pums GROUP BY sex", true),
        new Case(TestDatasets.pums(2, 3), "SELECT educ, SUM(income) FROM pums WHERE age > 30 GROUP BY educ", true),
        new Case(TestDatasets.pums(2, 3), "SELECT sex, COUNT(DISTINCT educ) FROM pums GROUP BY sex", true));
    Rewriter rewriter = new Rewriter();
    for (SqlDialect dialect : List.of(DuckDbDialect.INSTANCE, PostgresqlSqlDialect.DEFAULT, SparkSqlDialect.DEFAULT)) {
      for (Case c : cases) {
        DpPlan plan = ANALYZER.analyze(c.dataset(), c.sql());
        for (GroupLimit order : GroupLimit.values()) {
          BoundedQuery a = rewriter.rewrite(plan, dialect, A, order);
          BoundedQuery b = rewriter.rewrite(plan, dialect, B, order);
          String what = dialect.getClass().getSimpleName() + " " + order + ": " + c.sql();
          assertEquals(c.keyed(), a.keyed(), what);
          assertEquals(a.keyed(), b.keyed(), what);
          if (a.keyed()) {
            assertNotEquals(a.sql(), b.sql(), what);
            assertTrue(b.sql().contains(Long.toString(B)), what + "\n" + b.sql());
          } else {
            assertEquals(a.sql(), b.sql(), what);
            assertFalse(b.sql().contains(Long.toString(B)), what);
          }
        }
      }
    }
  }
}
