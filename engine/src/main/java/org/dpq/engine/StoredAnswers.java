package org.dpq.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.dpq.mechanisms.Interval;
import org.dpq.mechanisms.PrivacyLoss;

/**
 * The released answer as the ledger stores it, and back. Owns the rule that a repeated identical query gets
 * exactly the stored noisy answer (never fresh noise), and that a query whose execution failed after its charge
 * stays failed (its charge stands and no second charge can average it out).
 */
final class StoredAnswers {
  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.USE_LONG_FOR_INTS, true)
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /**
   * The stored form: released values and intervals only ({@code coversRange} is null in answers stored before
   * it existed).
   */
  record Stored(List<String> columns, List<List<Object>> values, List<List<Interval>> ci95, String costEpsilon,
      String costDelta, List<List<Boolean>> coversRange) {}

  String store(QueryResult r) {
    List<List<Object>> values = new ArrayList<>();
    List<List<Interval>> cis = new ArrayList<>();
    List<List<Boolean>> covers = new ArrayList<>();
    for (List<Cell> row : r.rows()) {
      values.add(row.stream().map(Cell::value).collect(java.util.stream.Collectors.toList()));
      cis.add(row.stream().map(Cell::ci95).collect(java.util.stream.Collectors.toList()));
      covers.add(row.stream().map(Cell::coversRange).toList());
    }
    return write(new Stored(r.columns(), values, cis, r.cost().epsilon().toPlainString(),
        r.cost().delta().toPlainString(), covers));
  }

  QueryResult restore(String json, PrivacyLoss remaining, long sequence) {
    Stored s;
    try {
      s = JSON.readValue(json, Stored.class);
    } catch (JsonProcessingException e) {
      throw new org.dpq.errors.LedgerException("the stored answer of ledger entry " + sequence
          + " cannot be read; run 'dpq budget verify'");
    }
    List<List<Cell>> rows = new ArrayList<>();
    for (int i = 0; i < s.values().size(); i++) {
      List<Cell> row = new ArrayList<>();
      for (int j = 0; j < s.values().get(i).size(); j++) {
        Object v = s.values().get(i).get(j);
        if (v instanceof Integer n) {
          v = n.longValue();
        }
        boolean covers = s.coversRange() != null && Boolean.TRUE.equals(s.coversRange().get(i).get(j));
        row.add(new Cell(v, s.ci95().get(i).get(j), covers));
      }
      rows.add(row);
    }
    return new QueryResult(s.columns(), rows, PrivacyLoss.ZERO, remaining, true, sequence);
  }

  private static String write(Stored s) {
    try {
      return JSON.writeValueAsString(s);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode a released answer", e);
    }
  }
}
