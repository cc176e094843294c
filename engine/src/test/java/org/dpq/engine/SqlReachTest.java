package org.dpq.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14 end to end through {@link Dpq} (zero noise, so released values are the bounded values): GROUP BY
 * expressions with derived public domains, ordinals and aliases, keys-only queries, and explain's derived bounds.
 */
class SqlReachTest {
  @TempDir
  Path dir;

  private Dpq open() {
    return TestSeams.openWithoutNoise(PumsFiles.pumsYaml(dir, "PUMS_pid.csv", "pid", 1, 1, "100"));
  }

  private static List<Object> column(QueryResult r, int c) {
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < r.rows().size(); i++) {
      out.add(r.value(i, c));
    }
    return out;
  }

  @Test
  void aCaseKeyWithLiteralResultsIsReleasedThroughItsDomain() {
    try (Dpq dpq = open()) {
      QueryResult r = dpq.query("SELECT CASE WHEN age > 90 THEN 'old' WHEN age < 0 THEN 'never' ELSE 'young' END "
          + "AS band, COUNT(*) AS n FROM pums GROUP BY band ORDER BY band",
          QueryOptions.defaults().withEpsilon("1").withDelta("0"));
      assertEquals(List.of("never", "old", "young"), column(r, 0), "every literal result, even one no row has");
      assertEquals(0L, r.value(0, 1));
      long old = (Long) r.value(1, 1);
      long young = (Long) r.value(2, 1);
      assertEquals(1000, old + young, "PUMS_pid has 1,000 people, one row each");
      assertEquals("PUBLIC_DOMAIN", dpq.explain("SELECT CASE WHEN age > 90 THEN 'old' ELSE 'young' END, COUNT(*) "
          + "FROM pums GROUP BY 1", QueryOptions.defaults().withDelta("0")).partitionMode());
    }
  }

  @Test
  void binsOfABoundedColumnAreReleasedThroughTheirImage() {
    try (Dpq dpq = open()) {
      QueryResult r = dpq.query("SELECT FLOOR(age / 10) * 10 AS decade, COUNT(*) AS n FROM pums GROUP BY 1 "
          + "ORDER BY decade", QueryOptions.defaults().withEpsilon("1").withDelta("0"));
      List<Object> decades = column(r, 0);
      assertEquals(11, decades.size(), decades::toString);
      assertEquals(0L, ((Number) decades.get(0)).longValue());
      assertEquals(100L, ((Number) decades.get(10)).longValue());
      long total = 0;
      for (int i = 0; i < r.rows().size(); i++) {
        total += (Long) r.value(i, 1);
      }
      assertEquals(1000, total);
    }
  }

  @Test
  void keysWithoutADomainGoThroughPartitionSelection() {
    try (Dpq dpq = open()) {
      Explanation e = dpq.explain("SELECT SUBSTRING(educ, 1, 1) AS e1, COUNT(*) FROM pums GROUP BY e1",
          QueryOptions.defaults());
      assertEquals("THRESHOLD", e.partitionMode());
      assertEquals("THRESHOLD", dpq.explain("SELECT income, COUNT(*) FROM pums GROUP BY income",
          QueryOptions.defaults()).partitionMode(), "a DOUBLE key without a domain is selected, not refused");
    }
  }

  @Test
  void keysOnlyQueriesReleaseTheSelectedKeysChargedLikeTheirCount() {
    try (Dpq dpq = open()) {
      QueryOptions options = QueryOptions.defaults().withEpsilon("1").withDelta("1e-6");
      QueryResult grouped = dpq.query("SELECT educ FROM pums GROUP BY educ ORDER BY educ", options);
      QueryResult distinct = dpq.query("SELECT DISTINCT educ FROM pums ORDER BY educ", options);
      assertEquals(List.of("educ"), grouped.columns());
      assertEquals(column(grouped, 0), column(distinct, 0));
      assertTrue(grouped.rows().size() >= 5 && grouped.rows().size() <= 16, grouped.rows()::toString);
      assertEquals(0, new java.math.BigDecimal("1").compareTo(grouped.cost().epsilon()));
      Explanation e = dpq.explain("SELECT DISTINCT educ FROM pums", options);
      assertEquals(1, e.measurements().size());
      assertTrue(e.measurements().get(0).name().startsWith("COUNT(DISTINCT pid)"), e.measurements()::toString);
      QueryResult sexes = dpq.query("SELECT DISTINCT sex FROM pums ORDER BY sex", options);
      assertEquals(List.of("0", "1"), column(sexes, 0), "a public domain is released as declared");
    }
  }

  @Test
  void aliasesWorkInGroupByHavingAndOrderBy() {
    try (Dpq dpq = open()) {
      QueryResult r = dpq.query("SELECT sex AS s, COUNT(*) AS n FROM pums GROUP BY s HAVING n > 0 ORDER BY n DESC",
          QueryOptions.defaults().withEpsilon("1").withDelta("0"));
      assertEquals(2, r.rows().size());
      assertTrue((Long) r.value(0, 1) >= (Long) r.value(1, 1));
    }
  }

  @Test
  void explainShowsEachDerivedBoundAndItsOrigin() {
    try (Dpq dpq = open()) {
      Explanation e = dpq.explain("SELECT SUM(income * (1 - age / 200.0)) FROM pums", QueryOptions.defaults());
      String name = e.measurements().get(0).name();
      assertTrue(name.contains("in [0, 500000]") && name.contains("income in [0, 500000] (declared)")
          && name.contains("age in [0, 100] (declared)"), name);
      assertEquals(500_000.0, e.measurements().get(0).l1());
    }
  }
}
