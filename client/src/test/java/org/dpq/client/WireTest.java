package org.dpq.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import org.dpq.budget.LedgerEntry;
import org.dpq.budget.MeasurementCost;
import org.dpq.budget.VerifyReport;
import org.dpq.engine.Explanation;
import org.dpq.engine.MeasurementExplanation;
import org.dpq.mechanisms.MechanismKind;
import org.dpq.mechanisms.PrivacyLoss;
import org.junit.jupiter.api.Test;

/**
 * The ledger's audit types on the wire: an entry or a verification read back by a client and written again gives
 * the same JSON as the server wrote, exact decimals stay exact, and the released result travels as JSON.
 */
class WireTest {
  private static PrivacyLoss loss(String e, String d) {
    return new PrivacyLoss(new BigDecimal(e), new BigDecimal(d));
  }

  @Test
  void aLedgerEntryRoundTripsThroughItsJson() throws Exception {
    LedgerEntry charge = new LedgerEntry(7, "CHARGE", "ratings", "fp", Instant.parse("2026-12-05T07:00:00Z"),
        "alice", "SELECT COUNT(*) FROM ratings", "secret-query-key", "plan",
        List.of(new MeasurementCost("count(*)", "laplace", loss("0.16666666666666666667", "0")),
            new MeasurementCost("partition selection", "gaussian", loss("0.1", "0.0000001"))),
        loss("0.26666666666666666667", "0.0000001"), null, null, null, loss("1.5", "0.0000001"), loss("10", "0.00001"),
        "prev", "hash");
    LedgerEntry release = new LedgerEntry(8, "RELEASE", "ratings", null, Instant.parse("2026-12-05T07:00:01Z"),
        null, null, null, null, List.of(), null, "{\"columns\":[\"n\"],\"rows\":[[1234]],\"ratio\":0.5}", 7L, null,
        loss("1.5", "0.0000001"), loss("10", "0.00001"), "hash", "hash2");
    for (LedgerEntry e : List.of(charge, release)) {
      String json = Wire.write(Wire.Entry.of(e));
      LedgerEntry back = Wire.read(json, Wire.Entry.class).toEntry("ratings");
      assertEquals(json, Wire.write(Wire.Entry.of(back)));
      assertEquals(e.measurements(), back.measurements());
      assertEquals(e.resultJson() == null, back.resultJson() == null, "no result stays no result, not \"null\"");
      assertEquals(e.spentAfter(), back.spentAfter());
      assertNull(back.queryKey(), "the query key stays on the server");
    }
    JsonNode c = Wire.mapper().readTree(Wire.write(Wire.Entry.of(charge)));
    assertEquals("0.16666666666666666667", c.get("measurements").get(0).get("epsilon").asText());
    assertEquals("0.0000001", c.get("cost").get("delta").asText());
    assertTrue(!c.toString().contains("secret-query-key"), c.toString());
    JsonNode r = Wire.mapper().readTree(Wire.write(Wire.Entry.of(release)));
    assertEquals(1234, r.get("result").get("rows").get(0).get(0).asLong(), "the result is JSON, not a string");
  }

  /**
   * A query's weights reach the server as the analyst gave them, NaN included (written as the string "NaN", which
   * the server reads back as NaN so that the engine refuses it as it does locally), and no weights stay absent.
   */
  @Test
  void aQueryRequestCarriesItsWeights() {
    java.util.Map<String, Double> weights = new java.util.LinkedHashMap<>();
    weights.put("avg_price", 4.0);
    weights.put("n", Double.NaN);
    Wire.QueryRequest sent = new Wire.QueryRequest("SELECT 1", "0.5", null, "auto", weights);
    Wire.QueryRequest back = Wire.read(Wire.write(sent), Wire.QueryRequest.class);
    assertEquals(4.0, back.weights().get("avg_price"));
    assertTrue(Double.isNaN(back.weights().get("n")), back.toString());
    assertNull(Wire.read(Wire.write(new Wire.QueryRequest("SELECT 1", null, null, null)), Wire.QueryRequest.class)
        .weights());
    assertNull(Wire.read("{\"sql\": \"SELECT 1\"}", Wire.QueryRequest.class).weights(), "a body without weights");
  }

  @Test
  void anExplanationRoundTripsThroughItsJson() {
    Explanation e = new Explanation("SELECT 1", "THRESHOLD", OptionalLong.of(37), List.of(
        new MeasurementExplanation("COUNT(*)", 4.0, 2.0, loss("0.16666666666666666667", "0.00000005"),
            MechanismKind.GAUSSIAN, 15.5, 30.38),
        new MeasurementExplanation("SUM(cost)", 2000, 2000, loss("0.25", "0"), MechanismKind.LAPLACE, 8000, 23965.2,
            2000)), loss("0.5", "0.0000001"), loss("9.5", "0.0000099"), true);
    String json = Wire.write(Wire.Explain.of(e));
    Explanation back = Wire.read(json, Wire.Explain.class).toExplanation();
    assertEquals(e, back);
    assertEquals(12, back.measurements().get(1).valuesToExceedError(), "a remote explain warns like an embedded one");
    assertTrue(json.contains("\"epsilon\":\"0.16666666666666666667\""), "a share is an exact string: " + json);
  }

  @Test
  void aVerificationRoundTripsThroughItsJson() {
    for (VerifyReport v : List.of(new VerifyReport("ratings", true, 12, OptionalLong.empty(), ""),
        new VerifyReport("ratings", false, 5, OptionalLong.of(4), "entry 4: hash mismatch"))) {
      String json = Wire.write(Wire.Verified.of(v));
      assertEquals(v, Wire.read(json, Wire.Verified.class).toReport());
    }
  }
}
