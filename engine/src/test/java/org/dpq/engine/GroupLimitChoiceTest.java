package org.dpq.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.calcite.sql.SqlDialect;
import org.dpq.engine.analysis.Analyzer;
import org.dpq.engine.analysis.DpPlan;
import org.dpq.engine.analysis.TestDatasets;
import org.dpq.engine.catalog.CacheLocation;
import org.dpq.engine.catalog.ColumnType;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.PrivacyUnit;
import org.dpq.engine.catalog.Source;
import org.dpq.engine.execution.Backend;
import org.dpq.engine.execution.DuckDbBackend;
import org.dpq.engine.rewrite.GroupLimit;
import org.dpq.engine.rewrite.Rewriter;
import org.dpq.mechanisms.PrivacyLoss;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The group-limit order follows the data's shape: rank-first when units spread over more than G groups,
 * aggregate-first when a unit's rows share few groups or the sample is too small to say; one probe per shape;
 * no probe where no limit is needed or the backend does not choose; a file source's choices kept in the cache for
 * later processes, under the data's fingerprint only.
 */
class GroupLimitChoiceTest {
  private static final Analyzer ANALYZER = new Analyzer();
  @TempDir
  static Path dir;

  @Test
  void theRuleComparesWhatEachOrdersSecondStageSees() {
    assertEquals(GroupLimit.RANK_FIRST, GroupLimit.choose(10_000, 9_000, 4_000));
    assertEquals(GroupLimit.AGGREGATE_FIRST, GroupLimit.choose(10_000, 2_000, 8_000));
    assertEquals(GroupLimit.AGGREGATE_FIRST, GroupLimit.choose(10_000, 5_000, 5_000));
    assertEquals(GroupLimit.AGGREGATE_FIRST, GroupLimit.choose(999, 999, 1));
  }

  @Test
  void unitsSpreadOverManyGroupsAreRankedFirstAndProbedOncePerShape() throws SQLException {
    Dataset spread = dataset("spread", "CAST(hash(i, 2) % 50 AS INTEGER)");
    try (Counting backend = new Counting(DuckDbBackend.open(spread))) {
      GroupLimitChoice choice = new GroupLimitChoice(new Rewriter());
      // Building the probe (what Dpq does before the charge, to dry-run it) reads nothing.
      assertTrue(choice.probe(plan(spread, "SELECT g, COUNT(*) FROM t GROUP BY g"), backend).isPresent());
      assertTrue(backend.executed.isEmpty());
      assertEquals(GroupLimit.RANK_FIRST,
          choose(choice, plan(spread, "SELECT g, COUNT(*) FROM t GROUP BY g"), backend));
      assertEquals(1, backend.executed.size());
      // Same unit and keys: another measurement or WHERE reuses the answer.
      assertEquals(GroupLimit.RANK_FIRST,
          choose(choice, plan(spread, "SELECT g, SUM(x) FROM t WHERE x > 3 GROUP BY g"), backend));
      assertEquals(1, backend.executed.size());
      // Other keys: a new probe.
      choose(choice, plan(spread, "SELECT g, h, COUNT(*) FROM t GROUP BY g, h"), backend);
      assertEquals(2, backend.executed.size());
    }
  }

  @Test
  void unitsInOneGroupEachAreAggregatedFirst() throws SQLException {
    Dataset clustered = dataset("clustered", "CAST(hash(i % 25600, 2) % 50 AS INTEGER)");
    try (Counting backend = new Counting(DuckDbBackend.open(clustered))) {
      assertEquals(GroupLimit.AGGREGATE_FIRST, choose(new GroupLimitChoice(new Rewriter()),
          plan(clustered, "SELECT g, COUNT(*) FROM t GROUP BY g"), backend));
      assertEquals(1, backend.executed.size());
    }
  }

  @Test
  void aSmallSampleKeepsTheDefaultAndQueriesWithoutALimitAreNotProbed() throws SQLException {
    Dataset pums = TestDatasets.pums(1, 1);
    try (Counting backend = new Counting(DuckDbBackend.open(pums))) {
      GroupLimitChoice choice = new GroupLimitChoice(new Rewriter());
      assertEquals(GroupLimit.AGGREGATE_FIRST,
          choose(choice, plan(pums, "SELECT educ, COUNT(*) FROM pums GROUP BY educ"), backend));
      assertEquals(1, backend.executed.size());
      assertEquals(GroupLimit.AGGREGATE_FIRST, choose(choice, plan(pums, "SELECT COUNT(*) FROM pums"), backend));
      assertEquals(1, backend.executed.size());
      assertTrue(new Rewriter().groupLimitProbe(plan(TestDatasets.pumsRows(),
          "SELECT educ, COUNT(*) FROM pums GROUP BY educ"), backend.dialect()).isEmpty());
    }
  }

  @Test
  void aBackendThatDoesNotChooseIsNeverProbed() throws SQLException {
    Dataset spread = dataset("spread2", "CAST(hash(i, 2) % 50 AS INTEGER)");
    try (Counting backend = new Counting(DuckDbBackend.open(spread), false)) {
      GroupLimitChoice choice = new GroupLimitChoice(new Rewriter());
      DpPlan plan = plan(spread, "SELECT g, COUNT(*) FROM t GROUP BY g");
      assertFalse(choice.probe(plan, backend).isPresent());
      assertEquals(GroupLimit.AGGREGATE_FIRST, choose(choice, plan, backend));
      assertTrue(backend.executed.isEmpty());
    }
  }

  @Test
  void aLaterProcessReadsTheChoiceFromTheCacheInsteadOfProbingAgain() throws Exception {
    Path cache = dir.resolve("cache-later");
    String fingerprint = "a".repeat(64);
    Dataset spread = dataset("spread3", "CAST(hash(i, 2) % 50 AS INTEGER)");
    Dataset clustered = dataset("clustered3", "CAST(hash(i % 25600, 2) % 50 AS INTEGER)");
    for (Dataset d : List.of(spread, clustered)) {
      Optional<Path> file = GroupLimitChoice.file(CacheLocation.at(cache), d.name(), fingerprint);
      DpPlan plan = plan(d, "SELECT g, COUNT(*) FROM t GROUP BY g");
      GroupLimit first;
      try (Counting backend = new Counting(DuckDbBackend.open(d))) {
        first = choose(new GroupLimitChoice(new Rewriter(), file), plan, backend);
        assertEquals(1, backend.executed.size());
      }
      assertTrue(Files.isRegularFile(file.orElseThrow()));
      // A new handle (a later CLI process) with the same file: the same order, and the data is not read.
      try (Counting backend = new Counting(DuckDbBackend.open(d))) {
        assertEquals(first, choose(new GroupLimitChoice(new Rewriter(), file), plan, backend));
        assertTrue(backend.executed.isEmpty());
        // Other keys are another probe: run once, then remembered beside the first.
        GroupLimitChoice third = new GroupLimitChoice(new Rewriter(), file);
        choose(third, plan(d, "SELECT g, h, COUNT(*) FROM t GROUP BY g, h"), backend);
        assertEquals(1, backend.executed.size());
      }
      try (Counting backend = new Counting(DuckDbBackend.open(d))) {
        GroupLimitChoice fourth = new GroupLimitChoice(new Rewriter(), file);
        assertEquals(first, choose(fourth, plan, backend));
        choose(fourth, plan(d, "SELECT g, h, COUNT(*) FROM t GROUP BY g, h"), backend);
        assertTrue(backend.executed.isEmpty());
      }
      // Without the file (cache off) every handle probes.
      try (Counting backend = new Counting(DuckDbBackend.open(d))) {
        assertEquals(first, choose(new GroupLimitChoice(new Rewriter()), plan, backend));
        assertEquals(1, backend.executed.size());
      }
    }
    // The two datasets' choices differ, so each file held its own data's answer.
    try (Counting a = new Counting(DuckDbBackend.open(spread)); Counting b = new Counting(DuckDbBackend.open(clustered))) {
      assertEquals(GroupLimit.RANK_FIRST, choose(new GroupLimitChoice(new Rewriter(),
          GroupLimitChoice.file(CacheLocation.at(cache), spread.name(), fingerprint)),
          plan(spread, "SELECT g, COUNT(*) FROM t GROUP BY g"), a));
      assertEquals(GroupLimit.AGGREGATE_FIRST, choose(new GroupLimitChoice(new Rewriter(),
          GroupLimitChoice.file(CacheLocation.at(cache), clustered.name(), fingerprint)),
          plan(clustered, "SELECT g, COUNT(*) FROM t GROUP BY g"), b));
      assertTrue(a.executed.isEmpty() && b.executed.isEmpty());
    }
  }

  @Test
  void otherDataOrAnUnreadableFileIsProbedAgainAndTheOldDatasChoicesAreDeleted() throws Exception {
    Path cache = dir.resolve("cache-other");
    Dataset spread = dataset("spread4", "CAST(hash(i, 2) % 50 AS INTEGER)");
    DpPlan plan = plan(spread, "SELECT g, COUNT(*) FROM t GROUP BY g");
    Path old = GroupLimitChoice.file(CacheLocation.at(cache), spread.name(), "b".repeat(64)).orElseThrow();
    Path now = GroupLimitChoice.file(CacheLocation.at(cache), spread.name(), "c".repeat(64)).orElseThrow();
    try (Counting backend = new Counting(DuckDbBackend.open(spread))) {
      choose(new GroupLimitChoice(new Rewriter(), Optional.of(old)), plan, backend);
      assertEquals(1, backend.executed.size());
      // Another fingerprint (the source or its declarations changed): the old data's choice is not used...
      assertEquals(GroupLimit.RANK_FIRST, choose(new GroupLimitChoice(new Rewriter(), Optional.of(now)), plan, backend));
      assertEquals(2, backend.executed.size());
      // ...and no longer kept.
      assertFalse(Files.exists(old));
      assertTrue(Files.exists(now));
      // A file that says something else than a choice per probe hash (damaged, edited) is not trusted.
      String hashes = Files.readString(now).replaceAll(" RANK_FIRST", " SOMETHING_ELSE");
      Files.writeString(now, hashes);
      assertEquals(GroupLimit.RANK_FIRST, choose(new GroupLimitChoice(new Rewriter(), Optional.of(now)), plan, backend));
      assertEquals(3, backend.executed.size());
      Files.writeString(now, "not a choice\n");
      assertEquals(GroupLimit.RANK_FIRST, choose(new GroupLimitChoice(new Rewriter(), Optional.of(now)), plan, backend));
      assertEquals(4, backend.executed.size());
      // The probe that ran again wrote its choice back: the next handle reads it.
      assertEquals(GroupLimit.RANK_FIRST, choose(new GroupLimitChoice(new Rewriter(), Optional.of(now)), plan, backend));
      assertEquals(4, backend.executed.size());
    }
    assertTrue(GroupLimitChoice.file(CacheLocation.OFF, spread.name(), "c".repeat(64)).isEmpty());
  }

  @Test
  void onAServedDatasetEachAnalystHasTheirOwnMemoryAndNoneIsKeptInTheFile() throws Exception {
    Dataset spread = dataset("spread5", "CAST(hash(i, 2) % 50 AS INTEGER)");
    DpPlan plan = plan(spread, "SELECT g, COUNT(*) FROM t GROUP BY g");
    Optional<Path> file = GroupLimitChoice.file(CacheLocation.at(dir.resolve("cache-served")), spread.name(),
        "d".repeat(64));
    try (Counting backend = new Counting(DuckDbBackend.open(spread))) {
      GroupLimitChoice served = new GroupLimitChoice(new Rewriter(), file);
      Optional<String> probe = served.probe(plan, backend);
      assertEquals(GroupLimit.RANK_FIRST, served.choose("analyst:ann", probe, backend));
      assertEquals(1, backend.executed.size());
      // bob's query of the same shape is not spared the probe by ann's: its time does not tell him she asked it
      assertEquals(GroupLimit.RANK_FIRST, served.choose("analyst:bob", probe, backend));
      assertEquals(2, backend.executed.size());
      // each one's own repeat is remembered
      served.choose("analyst:ann", probe, backend);
      served.choose("analyst:bob", probe, backend);
      assertEquals(2, backend.executed.size());
      assertFalse(Files.exists(file.orElseThrow()), "an analyst's choice never outlives the process");
    }
  }

  /** What Dpq does: build the probe (no data read), then choose after the charge. */
  private static GroupLimit choose(GroupLimitChoice choice, DpPlan plan, Backend backend) {
    return choice.choose(choice.probe(plan, backend), backend);
  }

  private static DpPlan plan(Dataset d, String sql) {
    return ANALYZER.analyze(d, sql);
  }

  /** 128,000 rows, 5 per unit (pid), key g as given (over row number i), key h in 0..2, value x in 0..9. */
  private static Dataset dataset(String name, String g) throws SQLException {
    Path file = dir.resolve(name + ".parquet");
    try (Connection c = TestDatasets.duckdb(); Statement s = c.createStatement()) {
      s.execute("COPY (SELECT CAST(i % 25600 AS INTEGER) AS pid, " + g + " AS g, CAST(i % 3 AS INTEGER) AS h, "
          + "CAST(i % 10 AS DOUBLE) AS x FROM range(128000) r(i)) TO '" + file + "' (FORMAT parquet)");
    }
    return new Dataset(name, "t", new Source.Parquet(file), new PrivacyUnit.ByColumn("pid"), 2, 5,
        PrivacyLoss.budget(new BigDecimal("10"), new BigDecimal("1e-6")), PrivacyLoss.of(0.5, 1e-7),
        name + ".ledger.db", List.of(TestDatasets.plain("pid", ColumnType.INT), TestDatasets.plain("g", ColumnType.INT),
            TestDatasets.plain("h", ColumnType.INT), TestDatasets.bounded("x", ColumnType.DOUBLE, 0, 10)),
        Optional.empty());
  }

  /** A backend that records what it executes, and may refuse to choose the group-limit order. */
  private static final class Counting implements Backend {
    final List<String> executed = new ArrayList<>();
    private final Backend inner;
    private final boolean chooses;

    Counting(Backend inner) {
      this(inner, true);
    }

    Counting(Backend inner, boolean chooses) {
      this.inner = inner;
      this.chooses = chooses;
    }

    @Override
    public SqlDialect dialect() {
      return inner.dialect();
    }

    @Override
    public List<Object[]> execute(String sql) {
      executed.add(sql);
      return inner.execute(sql);
    }

    @Override
    public boolean choosesGroupLimit() {
      return chooses && inner.choosesGroupLimit();
    }

    @Override
    public void close() {
      inner.close();
    }
  }
}
