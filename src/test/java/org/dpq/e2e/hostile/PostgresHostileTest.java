package org.dpq.e2e.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.List;
import org.dpq.engine.Dpq;
import org.dpq.engine.QueryOptions;
import org.dpq.engine.QueryResult;
import org.dpq.engine.TestSeams;
import org.dpq.engine.analysis.CostOracles;
import org.dpq.engine.analysis.PolicySamples;
import org.dpq.engine.execution.PostgresTestServer;
import org.dpq.testing.RequiresPostgres;
import org.dpq.errors.QueryRejectedException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile people table on the PostgreSQL backend (skipped without a server unless CI promised one). PostgreSQL
 * has no TRY: a WHERE that fails on some rows must be refused before the charge, whether or not such rows exist,
 * and what cannot fail must still be answered; hostile values must be bounded as on DuckDB.
 */
@RequiresPostgres
class PostgresHostileTest {
  @TempDir static Path dir;
  private static PostgresTestServer server;
  private static Dpq seeded;
  private static Dpq exact;

  @BeforeAll
  static void load() throws Exception {
    server = PostgresTestServer.schema("hostile");
    server.loadCsv("people", HostileData.PEOPLE_PG_COLUMNS, HostileData.people(dir, 300, 42));
    String source = server.sourceYaml("people");
    seeded = TestSeams.openSeeded(HostileData.yamlWithSource(dir.resolve("seeded"), "pghostile", "people", source,
        "1000", "1e-3"), 5);
    exact = TestSeams.openWithoutNoise(HostileData.yamlWithSource(dir.resolve("exact"), "pgexact", "people", source,
        "1000", "1e-3"));
  }

  @AfterAll
  static void drop() {
    if (seeded != null) {
      seeded.close();
      exact.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void aConditionThatFailsOnOneRowIsRefusedWhetherOrNotTheRowExists() {
    for (String name : List.of("Zyxwvut-Qopmarn", "Nobody-At-All")) {
      rejected("CASE WHEN name = '" + name + "' THEN CAST(name AS INTEGER) ELSE 0 END = 0", "CAST");
    }
  }

  @Test
  void conditionsThatCouldFailOnSomeRowsAreRefusedBeforeTheCharge() {
    rejected("CAST(code AS INTEGER) > 0", "CAST");
    rejected("code = 1", "CAST");
    rejected("age * age * age * age * age * age * age * age * age * age > 0", "*");
    rejected("ABS(big) > 0", "ABS");
    rejected("-big > 0", "unary");
    rejected("MOD(age, age - age) = 0", "MOD");
    rejected("income / 2 > 1", "/");
    rejected("big / -1 > 0", "/");
    rejected("SUBSTRING(name FROM age FOR big) = 'a'", "SUBSTRING");
    rejected("name LIKE 'abc\\'", "LIKE");
    rejected("name LIKE code", "LIKE");
  }

  @Test
  void conditionsThatCannotFailAreAnswered() {
    for (String where : List.of("age / 10 <> 4", "MOD(age, 7) = 1", "grp IS NULL OR age > -5",
        "city = 'north' AND age BETWEEN 20 AND 60", "name LIKE 'Zyx%'", "grp IN ('g1', 'g2') OR big > -5",
        "CASE WHEN age > 30 THEN TRUE ELSE FALSE END", "UPPER(name) = 'N1' OR TRIM(code) = '12'",
        "COALESCE(income, 0) >= 0", "CAST(age AS BIGINT) > 20", "CHAR_LENGTH(name || code) > 3")) {
      String sql = "SELECT COUNT(*) AS n FROM people WHERE " + where;
      var before = LedgerView.of(seeded);
      QueryResult r = seeded.query(sql, QueryOptions.defaults().withAnalyst("pg"));
      assertEquals(1, LedgerView.of(seeded).chargesSince(before), where + ": answered and charged once");
      assertTrue(r.value(0, "n") instanceof Long, where);
    }
  }

  @Test
  void costOraclesAreRefusedBeforeTheChargeAsOnDuckDb() {
    for (CostOracles.CostOracle c : CostOracles.all()) {
      var before = LedgerView.of(seeded);
      try {
        seeded.query(c.sql(), QueryOptions.defaults().withAnalyst("pg"));
        fail(c.id() + ": answered on PostgreSQL");
      } catch (QueryRejectedException e) {
        assertTrue(e.getMessage().contains(c.fragment()), c.id() + ": " + e.getMessage());
      }
      assertEquals(0, LedgerView.of(seeded).chargesSince(before), c.id() + ": charged");
    }
  }

  @Test
  void everyFunctionOnThePolicysListIsSpelledForPostgres() {
    PolicySamples.checkOn("PostgreSQL", sql -> exact.query(sql, QueryOptions.defaults()).value(0, "n"));
  }

  @Test
  void hostileValuesAreBoundedAsOnDuckDb() {
    expectRow(List.of(0.0, 0L, 1L),
        "SELECT SUM(income) AS s, COUNT(income) AS c, COUNT(*) AS n FROM people WHERE tag = 'nan'");
    expectRow(List.of(1000.0, 2L), "SELECT SUM(income) AS s, COUNT(income) AS c FROM people WHERE tag = 'inf'");
    expectRow(List.of(1000.0), "SELECT SUM(income) AS s FROM people WHERE tag = 'huge'");
    expectRow(List.of(0L), "SELECT SUM(big) AS s FROM people WHERE tag IN ('lmax', 'lmin')");
    expectRow(List.of(10L), "SELECT SUM(big) AS s FROM people WHERE tag = 'lmax'");
    expectRow(List.of(2010.0), "SELECT SUM(income) AS s FROM people WHERE tag = 'secret'");
    List<Object> nullUnit = exactRow("SELECT COUNT(*) AS n FROM people WHERE tag = 'nullunit'");
    assertTrue(((Number) nullUnit.get(0)).longValue() <= HostileData.R, "the NULL unit is one bounded unit");
  }

  /** The exact (zero-noise) row of {@code sql}; a mismatch is reported without the value (it may be planted). */
  private static void expectRow(List<Object> expected, String sql) {
    List<Object> actual = exactRow(sql);
    if (!expected.equals(actual)) {
      fail(sql + ": expected " + expected + " exactly (zero noise), got " + Leaks.redact(String.valueOf(actual)));
    }
  }

  private static List<Object> exactRow(String sql) {
    QueryResult r = exact.query(sql, QueryOptions.defaults().withAnalyst("pg"));
    return r.rows().get(0).stream().map(c -> c.value() instanceof Number n && !(n instanceof Long)
        ? (Object) n.doubleValue() : c.value()).toList();
  }

  private static void rejected(String where, String fragment) {
    String sql = "SELECT COUNT(*) FROM people WHERE " + where;
    var before = LedgerView.of(seeded);
    try {
      seeded.query(sql, QueryOptions.defaults().withAnalyst("pg"));
      fail(where + ": answered on PostgreSQL, where it could fail on some rows");
    } catch (QueryRejectedException e) {
      assertTrue(e.getMessage().contains(fragment), where + ": " + e.getMessage());
      assertTrue(Leaks.found(e.getMessage(), sql).isEmpty(), where + ": a planted value in the message");
    }
    var after = LedgerView.of(seeded);
    assertEquals(0, after.chargesSince(before), where + ": charged");
    assertEquals(0, after.epsilonSince(before).signum(), where + ": charged");
  }
}
