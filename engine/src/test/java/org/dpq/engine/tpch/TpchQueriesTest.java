package org.dpq.engine.tpch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dpq.engine.Cell;
import org.dpq.engine.Dpq;
import org.dpq.engine.Explanation;
import org.dpq.engine.MeasurementExplanation;
import org.dpq.engine.QueryResult;
import org.dpq.engine.TestSeams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The seven TPC-H queries with the customer as the unit (SF 0.01, tpch.yaml): dpq accepts each DP form, explain
 * shows every measurement's sensitivity, noise scale and 95% half-width, and with the zero-noise seam each released
 * row equals the same SQL run without DP over the same files (no bound binds on this data: a customer reaches at most
 * G = 7 groups of any query and has fewer than C = 200 lines, and the declared bounds are the specification's, so
 * clamps never move a value). A wrong join attachment, a lost row or a clamp that binds would change an answer.
 */
class TpchQueriesTest {
  @org.junit.jupiter.api.io.TempDir
  static Path dir;
  static Path yaml;
  static Connection plain;

  @BeforeAll
  static void generate() throws SQLException {
    yaml = TpchGenerator.writeWithYaml(dir, 0.01, 19920101L);
    TpchGenerator.Written w = new TpchGenerator.Written(dir, 0.01, 19920101L, Map.of());
    plain = w.plainViews();
  }

  @AfterAll
  static void close() throws SQLException {
    plain.close();
  }

  static List<TpchQuery> queries() {
    return TpchQuery.ALL;
  }

  private static Map<String, List<Double>> releasedRows(QueryResult r, int keys) {
    Map<String, List<Double>> out = new LinkedHashMap<>();
    for (List<Cell> row : r.rows()) {
      List<String> key = new ArrayList<>();
      List<Double> values = new ArrayList<>();
      for (int i = 0; i < row.size(); i++) {
        Object v = row.get(i).value();
        if (i < keys) {
          key.add(TpchQuery.keyText(v));
        } else {
          values.add(v == null ? null : ((Number) v).doubleValue());
        }
      }
      out.put(String.join("|", key), values);
    }
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("queries")
  void withoutNoiseEachQueryGivesTheSameSqlsAnswerAndExplainShowsItsNoise(TpchQuery q) throws SQLException {
    try (Dpq dpq = TestSeams.openWithoutNoise(yaml)) {
      Explanation e = dpq.explain(q.sql(), org.dpq.engine.QueryOptions.defaults());
      assertFalse(e.measurements().isEmpty(), q.toString());
      for (MeasurementExplanation m : e.measurements()) {
        assertTrue(m.l1() > 0 && m.scale() > 0 && m.halfWidth95() > 0, q + ": " + m);
      }

      Map<String, List<Double>> expected = TpchQuery.rowsByKey(plain, q.sqlWithoutLimit(), q.keys());
      Map<String, List<Double>> released = releasedRows(dpq.query(q.sqlWithoutLimit()), q.keys());
      assertFalse(expected.isEmpty(), q + " has an answer at SF 0.01");
      for (Map.Entry<String, List<Double>> row : expected.entrySet()) {
        List<Double> got = released.get(row.getKey());
        assertTrue(got != null, q + ": group " + row.getKey() + " released; released " + released.keySet());
        assertEquals(row.getValue().size(), got.size(), q.toString());
        for (int i = 0; i < got.size(); i++) {
          double want = row.getValue().get(i);
          assertEquals(want, got.get(i), 1e-6 * Math.max(1, Math.abs(want)),
              q + " group " + row.getKey() + " column " + (q.keys() + i));
        }
      }
    }
  }

  /**
   * Q1 releases exactly the four (flag, status) pairs of the public table flag_status (lineitem's joint key domain),
   * not the 3 x 2 product of the two columns' own domains: (A, O) and (R, O), which no line can have, are not
   * released as pure noise.
   */
  @org.junit.jupiter.api.Test
  void q1ReleasesTheFourPublicPairsOfFlagStatus() {
    try (Dpq dpq = TestSeams.openWithoutNoise(yaml)) {
      QueryResult r = dpq.query(TpchQuery.Q1.sqlWithoutLimit());
      List<List<String>> pairs = new ArrayList<>();
      for (List<Cell> row : r.rows()) {
        pairs.add(List.of(String.valueOf(row.get(0).value()), String.valueOf(row.get(1).value())));
      }
      assertEquals(TpchGenerator.FLAG_STATUS, pairs.stream().sorted(java.util.Comparator.comparing(Object::toString))
          .toList());
      assertTrue(dpq.explain(TpchQuery.Q1.sql(), org.dpq.engine.QueryOptions.defaults()).keys().get(0)
          .contains("(l_returnflag, l_linestatus): 4 public pairs from flag_status"));
    }
  }
}
