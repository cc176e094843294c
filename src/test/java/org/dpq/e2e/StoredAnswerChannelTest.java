package org.dpq.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.dpq.engine.Cell;
import org.dpq.engine.Dpq;
import org.dpq.engine.LegacyReleaseKey;
import org.dpq.engine.QueryOptions;
import org.dpq.engine.QueryResult;
import org.dpq.engine.TestSeams;
import org.dpq.engine.release.ReleaseKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 12, item 5: a stored answer is handed out only for a query whose release is the same. Before, {@code
 * SELECT VARIANCE(age) AS v} then {@code SELECT STDDEV(age) AS v} (same epsilon and delta) returned the variance
 * as the standard deviation, free and marked reused, because the key covered the measurements but not how the
 * released value is derived from them. The check below asks the second query after the first on one ledger and
 * compares it with the same query asked alone on a fresh ledger (zero noise, so the two must agree); the
 * same check run with the old key ({@link LegacyReleaseKey}) finds the channel.
 */
class StoredAnswerChannelTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @ParameterizedTest(name = "{0} then {1}")
  @CsvSource(delimiter = '|', textBlock = """
      SELECT VARIANCE(age) AS v FROM visits               | SELECT STDDEV(age) AS v FROM visits
      SELECT STDDEV(age) AS v FROM visits                 | SELECT VARIANCE(age) AS v FROM visits
      SELECT sex, VAR_POP(cost) AS v FROM visits GROUP BY sex | SELECT sex, STDDEV_POP(cost) AS v FROM visits GROUP BY sex
      SELECT STDDEV_SAMP(cost) AS v FROM visits WHERE age > 40 | SELECT VAR_SAMP(cost) AS v FROM visits WHERE age > 40
      """)
  void aDifferentReleaseIsNeverAnsweredFromTheStore(String first, String second) {
    assertEquals(List.of(), leaks(ReleaseKey.CANONICAL, first, second));
  }

  @ParameterizedTest(name = "broken key: {0} then {1}")
  @CsvSource(delimiter = '|', textBlock = """
      SELECT VARIANCE(age) AS v FROM visits               | SELECT STDDEV(age) AS v FROM visits
      SELECT STDDEV(age) AS v FROM visits                 | SELECT VARIANCE(age) AS v FROM visits
      SELECT sex, VAR_POP(cost) AS v FROM visits GROUP BY sex | SELECT sex, STDDEV_POP(cost) AS v FROM visits GROUP BY sex
      """)
  void theSameCheckFindsTheChannelUnderTheOldKey(String first, String second) {
    List<String> found = leaks(LegacyReleaseKey.SCHEME, first, second);
    assertTrue(found.contains("reused") && found.contains("wrong values"), "the old key should leak: " + found);
  }

  @Test
  void theSameReleaseSpelledDifferentlyIsStillReused() {
    try (Dpq dpq = TestSeams.openWithoutNoise(Samples.copy("clinic", dir))) {
      QueryResult first = dpq.query("SELECT sex, VARIANCE(age) AS v FROM visits WHERE cost > 100 GROUP BY sex",
          QueryOptions.defaults().withEpsilon("0.5"));
      QueryResult again = dpq.query("select  sex,\n variance( AGE ) as v from VISITS where COST>100 group by SEX",
          QueryOptions.defaults().withEpsilon("0.50"));
      // (the key column keeps its spelling in SELECT: it is the released column's name)
      assertTrue(again.reused(), "whitespace, casing and 0.5 vs 0.50 do not change the release");
      assertEquals(first.rows(), again.rows());
    }
  }

  /** Through the real CLI with real noise: VARIANCE then STDDEV is charged twice; a respelled STDDEV is reused. */
  @Test
  void theCliChargesStddevAfterVarianceAndReusesOnlyTheSameRelease() {
    Samples.copy("clinic", dir);
    JsonNode variance = json(Cli.run(dir, "query", "--dataset", "clinic.yaml", "--format", "json",
        "SELECT VARIANCE(age) AS v FROM visits"));
    JsonNode stddev = json(Cli.run(dir, "query", "--dataset", "clinic.yaml", "--format", "json",
        "SELECT STDDEV(age) AS v FROM visits"));
    assertFalse(stddev.get("reused").asBoolean(), "STDDEV after VARIANCE must not be a stored answer");
    assertEquals(0, new BigDecimal(stddev.get("cost").get("epsilon").asText()).compareTo(BigDecimal.ONE));
    double v = variance.get("rows").get(0).get(0).asDouble();
    double s = stddev.get("rows").get(0).get(0).asDouble();
    assertNotEquals(v, s);
    assertTrue(s <= 50, "a standard deviation of ages in [0, 100] is at most 50: " + s);
    JsonNode again = json(Cli.run(dir, "query", "--dataset", "clinic.yaml", "--format", "json",
        "select stddev(AGE) as v\nfrom VISITS"));
    assertTrue(again.get("reused").asBoolean());
    assertEquals(s, again.get("rows").get(0).get(0).asDouble());
  }

  /**
   * What goes wrong when {@code second} is asked after {@code first} on one ledger keyed by {@code key}: "reused"
   * when it is answered from the store, "wrong values" when its answer differs from the same query asked alone
   * (both with zero noise, so a correct answer is reproducible). Empty when nothing leaks.
   */
  private List<String> leaks(ReleaseKey.Scheme key, String first, String second) {
    QueryOptions options = QueryOptions.defaults().withEpsilon("1").withDelta("1e-7");
    QueryResult after;
    try (Dpq dpq = TestSeams.openWithReleaseKey(Samples.copy("clinic", fresh("shared")), TestSeams.ZERO_NOISE,
        key)) {
      dpq.query(first, options);
      after = dpq.query(second, options);
    }
    QueryResult alone;
    try (Dpq dpq = TestSeams.openWithReleaseKey(Samples.copy("clinic", fresh("alone")), TestSeams.ZERO_NOISE,
        key)) {
      alone = dpq.query(second, options);
    }
    List<String> found = new ArrayList<>();
    if (after.reused()) {
      found.add("reused");
    }
    if (!close(values(after), values(alone))) {
      found.add("wrong values");
    }
    return found;
  }

  /** Equal values, doubles up to 1e-9 relative (a variance and a standard deviation differ far more). */
  private static boolean close(List<List<Object>> a, List<List<Object>> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      for (int j = 0; j < a.get(i).size(); j++) {
        Object x = a.get(i).get(j);
        Object y = b.get(i).get(j);
        boolean same = x instanceof Double dx && y instanceof Double dy
            ? Math.abs(dx - dy) <= 1e-9 * Math.max(1, Math.abs(dx)) : java.util.Objects.equals(x, y);
        if (!same) {
          return false;
        }
      }
    }
    return true;
  }

  private Path fresh(String name) {
    try {
      return Files.createDirectories(Files.createTempDirectory(dir, name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<List<Object>> values(QueryResult r) {
    return r.rows().stream().map(row -> row.stream().map(Cell::value).toList()).toList();
  }

  private static JsonNode json(Cli.Result r) {
    assertEquals(0, r.code(), r::toString);
    try {
      return JSON.readTree(r.out());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
