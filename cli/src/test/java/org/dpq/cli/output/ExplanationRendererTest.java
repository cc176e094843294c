package org.dpq.cli.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.util.List;
import java.util.OptionalLong;
import org.dpq.client.Wire;
import org.dpq.engine.Explanation;
import org.dpq.engine.MeasurementExplanation;
import org.dpq.mechanisms.MechanismKind;
import org.dpq.mechanisms.PrivacyLoss;
import org.junit.jupiter.api.Test;

class ExplanationRendererTest {

  private static Explanation explanation() {
    PrivacyLoss half = new PrivacyLoss(new BigDecimal("0.25"), new BigDecimal("5E-8"));
    return new Explanation("SELECT merchant, COUNT(*)\nFROM bounded", "THRESHOLD", OptionalLong.of(37), List.of(
        new MeasurementExplanation("COUNT(*)", 4, 2, half, MechanismKind.GAUSSIAN, 15.5, 30.38),
        new MeasurementExplanation("COUNT(DISTINCT customer_id) [selection]", 4, 2, half, MechanismKind.LAPLACE, 16,
            47.9)),
        new PrivacyLoss(new BigDecimal("0.50"), new BigDecimal("1E-7")),
        new PrivacyLoss(new BigDecimal("9.5"), new BigDecimal("0.0000099")));
  }

  @Test
  void tableShowsSqlMeasurementsAndTotals() {
    List<String> lines = ExplanationRenderer.table(explanation());
    String all = String.join("\n", lines);
    assertTrue(all.contains("  SELECT merchant, COUNT(*)\n  FROM bounded"), all);
    assertTrue(all.contains("threshold (a group is released only if its noisy person count clears 37)"), all);
    String count = lines.stream().filter(l -> l.contains("COUNT(*) ")).findFirst().orElseThrow();
    assertTrue(count.matches(".*COUNT\\(\\*\\)\\s+4\\s+2\\s+0\\.25\\s+5e-8\\s+gaussian\\s+15\\.5\\s+30\\.38"),
        count);
    assertTrue(all.contains("Total cost: epsilon 0.5, delta 1e-7"), all);
    assertTrue(all.contains("Remaining budget: epsilon 9.5, delta 9.9e-6"), all);
  }

  @Test
  void tableSaysWhenTheGroupLimitMayRunRankFirst() {
    Explanation shown = explanation();
    assertTrue(String.join("\n", ExplanationRenderer.table(shown)).lines()
        .noneMatch(l -> l.contains("ranks the unit's raw rows first")));
    Explanation chosen = new Explanation(shown.boundedSql(), shown.partitionMode(), shown.threshold(),
        shown.measurements(), shown.total(), shown.remaining(), true);
    String all = String.join("\n", ExplanationRenderer.table(chosen));
    assertTrue(all.contains("the backend ranks the unit's raw rows first instead: the same groups are kept"), all);
  }

  @Test
  void autoBoundsLinesAreShownInTheTableAndCarriedInJson() throws Exception {
    Explanation e = explanation();
    Explanation withBounds = new Explanation(e.boundedSql(), e.partitionMode(), e.threshold(), e.measurements(),
        e.total(), e.remaining(), false, List.of(), List.of("amount: bounds [0, 1024] estimated with DP (ledger entry "
            + "2, epsilon 0.1); reused at no cost"));
    String all = String.join("\n", ExplanationRenderer.table(withBounds));
    assertTrue(all.contains("Automatic bounds:\n  amount: bounds [0, 1024] estimated with DP (ledger entry 2, "
        + "epsilon 0.1); reused at no cost\nTotal cost:"), all);
    assertTrue(String.join("\n", ExplanationRenderer.table(e)).lines().noneMatch(l -> l.contains("Automatic")));
    Explanation back = Wire.read(Wire.write(ExplanationRenderer.json(withBounds)), Wire.Explain.class).toExplanation();
    assertEquals(withBounds.bounds(), back.bounds());
  }

  @Test
  void jsonParsesBack() throws Exception {
    JsonNode j = new ObjectMapper().readTree(Wire.write(ExplanationRenderer.json(explanation())));
    assertEquals("THRESHOLD", j.get("partitionMode").asText());
    assertEquals(37, j.get("threshold").asLong());
    assertEquals(2, j.get("measurements").size());
    JsonNode m = j.get("measurements").get(1);
    assertEquals("COUNT(DISTINCT customer_id) [selection]", m.get("name").asText());
    assertEquals("LAPLACE", m.get("mechanism").asText());
    assertEquals("0.25", m.get("epsilon").asText());
    assertEquals(47.9, m.get("halfWidth95").asDouble());
    assertEquals("0.5", j.get("total").get("epsilon").asText());
    assertEquals("0.0000001", j.get("total").get("delta").asText());
  }

  @Test
  void csvHasOneLinePerMeasurement() {
    List<String> lines = ExplanationRenderer.csv(explanation());
    assertEquals("measurement,l1,l2,epsilon,delta,mechanism,scale,half_width_95", lines.get(0));
    assertEquals("COUNT(*),4.0,2.0,0.25,0.00000005,GAUSSIAN,15.5,30.38", lines.get(1));
    assertEquals(3, lines.size());
  }
}
