package org.dpq.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
  void aSubqueryThatOnlySelectsAndFiltersIsAnsweredAsTheFlattenedQuery() {
    try (Dpq dpq = open()) {
      QueryOptions options = QueryOptions.defaults().withEpsilon("1").withDelta("0");
      QueryResult nested = dpq.query("SELECT sex, COUNT(*) AS n, AVG(a) AS a FROM (SELECT sex, age AS a FROM pums "
          + "WHERE age > 20) t WHERE a < 60 GROUP BY sex ORDER BY sex", options);
      QueryResult flat = dpq.query("SELECT sex, COUNT(*) AS n, AVG(age) AS a FROM pums WHERE age > 20 AND age < 60 "
          + "GROUP BY sex ORDER BY sex", options);
      assertEquals(flat.rows(), nested.rows());
      assertEquals(1000L, dpq.query("SELECT COUNT(*) FROM (SELECT * FROM pums)", options).value(0, 0));
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

  /**
   * 400 people with one dated row each inside d's declared five years, 15 outside them (before and after), one
   * with no date; e spans ten declared days.
   */
  private Dpq openDated() throws java.io.IOException {
    StringBuilder csv = new StringBuilder("pid,d,e\n");
    java.time.LocalDate first = java.time.LocalDate.parse("2020-01-01");
    for (int pid = 1; pid <= 416; pid++) {
      String d = pid <= 400 ? first.plusDays((pid * 13L) % 1827).toString() : pid <= 410 ? "2019-06-01"
          : pid <= 415 ? "2025-03-01" : "";
      csv.append(pid).append(',').append(d).append(',').append(first.plusYears(4).plusDays(pid % 7)).append('\n');
    }
    java.nio.file.Files.writeString(dir.resolve("dated.csv"), csv);
    Path yaml = java.nio.file.Files.writeString(dir.resolve("dated.yaml"), """
        name: dated
        table: t
        source: { csv: dated.csv }
        privacy_unit: pid
        max_groups_contributed: 1
        max_rows_per_group: 1
        budget: { epsilon: 100, delta: 1.0e-3 }
        defaults: { epsilon: 1.0, delta: 1.0e-7 }
        columns:
          pid: { type: int }
          d:   { type: date, lower: "2020-01-01", upper: "2024-12-31" }
          e:   { type: date, lower: "2024-01-01", upper: "2024-01-10" }
        """);
    return TestSeams.openWithoutNoise(yaml);
  }

  @Test
  void dateKeysAreReleasedThroughTheDomainOfTheDeclaredBounds() throws Exception {
    QueryOptions options = QueryOptions.defaults().withEpsilon("1").withDelta("0");
    try (Dpq dpq = openDated()) {
      QueryResult years = dpq.query("SELECT date_trunc('year', d) AS y, COUNT(*) AS n FROM t GROUP BY 1 ORDER BY y",
          options);
      assertEquals(List.of("2020-01-01", "2021-01-01", "2022-01-01", "2023-01-01", "2024-01-01"),
          column(years, 0).stream().map(String::valueOf).toList());
      assertEquals(400L, column(years, 1).stream().mapToLong(v -> (Long) v).sum(),
          "the 15 dates outside the bounds have years outside the domain, and are dropped");
      QueryResult quarters = dpq.query("SELECT EXTRACT(YEAR FROM d) AS y, EXTRACT(QUARTER FROM d) AS q, COUNT(*) "
          + "AS n FROM t GROUP BY y, q ORDER BY y, q", options);
      assertEquals(20, quarters.rows().size());
      assertEquals(2020L, quarters.value(0, 0));
      assertEquals(4L, quarters.value(19, 1));
      QueryResult months = dpq.query("SELECT MONTH(d) AS m, COUNT(*) AS n FROM t GROUP BY m ORDER BY m", options);
      assertEquals(12, months.rows().size());
      assertEquals(415L, column(months, 1).stream().mapToLong(v -> (Long) v).sum(),
          "a month of the year is in the domain whatever the year, as MOD(age, 10) of an age beyond its bounds is");
      QueryResult days = dpq.query("SELECT e, COUNT(*) AS n FROM t GROUP BY e ORDER BY e", options);
      assertEquals(10, days.rows().size(), "every declared day, even the three no row has");
      assertEquals(0L, days.value(9, 1));
      Explanation e = dpq.explain("SELECT date_trunc('month', d) AS m, COUNT(*) FROM t GROUP BY m", options);
      assertEquals("PUBLIC_DOMAIN", e.partitionMode());
      assertEquals(List.of("m: public domain of 60 keys, derived from d's declared bounds [2020-01-01, 2024-12-31], "
          + "by calendar month"), e.keys());
      assertEquals(List.of("e: public domain of 10 keys, derived from e's declared bounds [2024-01-01, 2024-01-10], "
          + "every day"), dpq.explain("SELECT e, COUNT(*) FROM t GROUP BY e", options).keys());
      Explanation wide = dpq.explain("SELECT d, COUNT(*) FROM t GROUP BY d", QueryOptions.defaults());
      assertEquals("THRESHOLD", wide.partitionMode(), "1,827 days are more than a derived domain may hold");
      assertEquals(List.of("d: partition selection (no public domain)"), wide.keys());
      for (String sum : List.of("SELECT SUM(d) FROM t", "SELECT AVG(e) FROM t", "SELECT SUM(EXTRACT(YEAR FROM d)) FROM t")) {
        assertThrows(org.dpq.errors.QueryRejectedException.class, () -> dpq.explain(sum, options), sum);
      }
    }
  }
}
