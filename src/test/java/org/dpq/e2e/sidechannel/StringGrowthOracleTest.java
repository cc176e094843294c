package org.dpq.e2e.sidechannel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;
import org.dpq.e2e.hostile.HostileData;
import org.dpq.e2e.hostile.LedgerView;
import org.dpq.engine.Dpq;
import org.dpq.engine.QueryOptions;
import org.dpq.engine.analysis.ExpressionPolicy;
import org.dpq.errors.QueryRejectedException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The timing and memory oracle of issue 12, measured deterministically: a WHERE of the form
 * {@code CASE WHEN pid = 7 AND income > X THEN <string expression> ... ELSE TRUE END} makes the backend do extra
 * work only when the target row matches. The measure is the number of bytes the branch builds for the target row
 * (evaluated on DuckDB over the same CSV), against the target row's own input size S: a policy is closed when every
 * probe it lets through builds at most {@link ExpressionPolicy#MAX_GROWTH} x S plus the probe's own literal text.
 * The same check, run on the allow-list main had before (any deterministic built-in on DuckDB), finds the leaks.
 */
class StringGrowthOracleTest {
  private static final int TARGET = 7;
  private static final String FORTY_N = "'" + "n".repeat(40) + "'";

  /** Branches that grow with an argument rather than with the input. */
  private static final List<String> GROWING = List.of(
      "REPLACE(REPLACE(REPLACE(name, 'n', " + FORTY_N + "), 'n', " + FORTY_N + "), 'n', " + FORTY_N + ")",
      "REPEAT(name, 100000)",
      "LPAD(name, 1000000, 'x')",
      "RPAD(name, CAST(age AS INTEGER) * 10000, 'x')",
      String.join(" || ", Collections.nCopies(40, "name")));

  /** Branches whose output is a small constant factor of the input. */
  private static final List<String> BOUNDED = List.of("name || name", "UPPER(name)", "LOWER(name || code)",
      "SUBSTRING(name FROM 1 FOR 2)", "TRIM(name)", "name || 'x'", "CAST(age AS VARCHAR) || name");

  @TempDir static Path dir;
  private static Path csv;
  private static Dpq dpq;

  @BeforeAll
  static void open() {
    csv = HostileData.people(dir.resolve("data"), 60, 42);
    dpq = Dpq.open(HostileData.yaml(dir, "growth", "people", csv, "1000", "1e-3"));
  }

  @AfterAll
  static void close() {
    if (dpq != null) {
      dpq.close();
    }
  }

  /** The probe of the issue with {@code branch} behind the target unit's row. */
  private static String probe(String branch) {
    return "SELECT COUNT(*) AS n FROM people WHERE CASE WHEN pid = " + TARGET + " AND income > 10 THEN CHAR_LENGTH("
        + branch + ") > 0 ELSE TRUE END";
  }

  /** dpq's policy: a probe passes when dpq would answer it (explain reads no data and charges nothing). */
  private static final Predicate<String> CURRENT = sql -> {
    try {
      dpq.explain(sql, QueryOptions.defaults());
      return true;
    } catch (QueryRejectedException e) {
      return false;
    }
  };

  /** The broken variant: main at 3801a98 let DuckDB evaluate any deterministic built-in in WHERE. */
  private static final Predicate<String> OLD_ALLOW_LIST = sql -> true;

  /** The branches a policy lets through although they build more than MAX_GROWTH x S (+ their literals). */
  private static List<String> leaks(Predicate<String> policy, List<String> branches) throws SQLException {
    List<String> leaks = new ArrayList<>();
    for (String branch : branches) {
      if (!policy.test(probe(branch))) {
        continue;
      }
      long built = bytes(branch);
      long input = bytes("name || code || CAST(age AS VARCHAR)");
      long literals = branch.chars().filter(c -> c == '\'').count() == 0 ? 0 : branch.length();
      if (built > ExpressionPolicy.MAX_GROWTH * input + literals) {
        leaks.add(branch);
      }
    }
    return leaks;
  }

  /** Bytes {@code expr} builds for the target row, on DuckDB over the same CSV. */
  private static long bytes(String expr) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
         ResultSet r = s.executeQuery("SELECT MAX(strlen(CAST((" + expr + ") AS VARCHAR))) FROM read_csv('"
             + csv.toString().replace("'", "''") + "', header = true, all_varchar = true) AS p(pid, name, grp, city, "
             + "age, income, big, wide, score, code, tag) WHERE pid = '" + TARGET + "'")) {
      r.next();
      return r.getLong(1);
    }
  }

  @Test
  void everyFunctionOnThePolicysListRunsOnDuckDb() {
    for (var sample : org.dpq.engine.analysis.PolicySamples.all().entrySet()) {
      var r = dpq.query("SELECT COUNT(*) AS n FROM people WHERE " + sample.getValue(), QueryOptions.defaults());
      assertTrue(r.value(0, "n") instanceof Long, sample.getKey());
    }
  }

  @Test
  void theOldAllowListLetsEveryGrowingProbeThrough() throws SQLException {
    assertEquals(GROWING, leaks(OLD_ALLOW_LIST, GROWING), "the check must find each growing probe under the old list");
  }

  @Test
  void thePolicyLetsNoGrowingProbeThrough() throws SQLException {
    assertEquals(List.of(), leaks(CURRENT, GROWING));
    for (String branch : GROWING) {
      LedgerView before = LedgerView.of(dpq);
      try {
        dpq.query(probe(branch), QueryOptions.defaults().withAnalyst("attacker"));
        throw new AssertionError("answered: " + branch);
      } catch (QueryRejectedException e) {
        assertTrue(e.getMessage().contains("Fix:"), e.getMessage());
      }
      assertEquals(0, LedgerView.of(dpq).chargesSince(before), "a rejected probe is free: " + branch);
    }
  }

  @Test
  void boundedBranchesStayAnsweredAndWithinTheModel() throws SQLException {
    assertEquals(List.of(), leaks(CURRENT, BOUNDED));
    for (String branch : BOUNDED) {
      assertTrue(CURRENT.test(probe(branch)), "a bounded branch is still answered: " + branch);
    }
  }
}
