package org.dpq.engine.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;
import org.dpq.engine.analysis.Analyzer;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.DatasetLoader;
import org.dpq.engine.rewrite.Rewriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Calcite validates {@code INT / INT} as an integer that truncates toward zero; DuckDB's and Spark's {@code /}
 * divide integers as reals, so their dialects must write the division otherwise. Checked on DuckDB against Java's
 * own integer division, over negative and positive values.
 */
class IntegerDivisionTest {
  @TempDir static Path tmp;

  private static Dataset dataset() throws IOException {
    StringBuilder csv = new StringBuilder("n\n");
    IntStream.rangeClosed(-20, 20).forEach(n -> csv.append(n).append('\n'));
    Files.writeString(tmp.resolve("n.csv"), csv);
    return DatasetLoader.parse("""
        name: t
        table: t
        source: { csv: n.csv }
        privacy_unit: row
        budget: { epsilon: 1, delta: 0 }
        defaults: { epsilon: 0.5, delta: 0 }
        columns:
          n: { type: int, lower: -20, upper: 20 }
        """, tmp);
  }

  private static long expected(IntPredicate where) {
    return IntStream.rangeClosed(-20, 20).filter(where).count();
  }

  private static long count(Backend b, Dataset d, String where) {
    String sql = new Rewriter().rewrite(new Analyzer().analyze(d, "SELECT COUNT(*) AS c FROM t WHERE " + where),
        b.dialect(), 1L).sql();
    List<Object[]> rows = b.execute(sql);
    return (Long) rows.get(0)[0];
  }

  @Test
  void duckDbTruncatesIntegerDivisionTowardZeroLikeCalcite() throws IOException {
    Dataset d = dataset();
    try (Backend b = DuckDbBackend.open(d)) {
      assertEquals(expected(n -> n / 3 == -1), count(b, d, "n / 3 = -1"));
      assertEquals(expected(n -> n / 3 == 2), count(b, d, "n / 3 = 2"));
      assertEquals(expected(n -> (n + 1) / (2 * 3) + 1 > 2), count(b, d, "(n + 1) / (2 * 3) + 1 > 2"));
      assertEquals(expected(n -> n / 4 * 4 == n), count(b, d, "n / 4 * 4 = n"));
      // A real division stays real.
      assertEquals(expected(n -> n / 2.0 == 1.5), count(b, d, "n / 2.0 = 1.5"));
    }
  }

  @Test
  void theDialectsThatNeedItWriteATruncatingOperatorAndPostgresKeepsSlash() throws IOException {
    Dataset d = dataset();
    var plan = new Analyzer().analyze(d, "SELECT COUNT(*) FROM t WHERE n / 3 = 1 AND n / 2.0 > 1");
    String duck = new Rewriter().rewrite(plan, DuckDbDialect.INSTANCE, 1L).sql();
    String spark = new Rewriter().rewrite(plan, SparkDialect.INSTANCE, 1L).sql();
    String pg = new Rewriter().rewrite(plan, org.apache.calcite.sql.dialect.PostgresqlSqlDialect.DEFAULT, 1L).sql();
    assertTrue(duck.contains("(\"n\" // 3) = 1"), duck);
    assertTrue(spark.contains("(`n` DIV 3) = 1"), spark);
    assertTrue(pg.contains("\"n\" / 3 = 1"), pg);
    for (String sql : List.of(duck, spark, pg)) {
      assertTrue(sql.contains("/ 2.0"), "a real division keeps /: " + sql);
    }
  }
}
