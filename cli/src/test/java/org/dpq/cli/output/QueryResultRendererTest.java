package org.dpq.cli.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.util.List;
import org.dpq.engine.Cell;
import org.dpq.engine.QueryResult;
import org.dpq.mechanisms.Interval;
import org.dpq.mechanisms.PrivacyLoss;
import org.junit.jupiter.api.Test;

class QueryResultRendererTest {
  private static final PrivacyLoss COST = new PrivacyLoss(new BigDecimal("1.0"), new BigDecimal("1E-7"));
  private static final PrivacyLoss REMAINING = new PrivacyLoss(new BigDecimal("9.0"), new BigDecimal("0.0000099"));

  private static Cell key(Object v) {
    return new Cell(v, null);
  }

  private static Cell noisy(Object v, double low, double high) {
    return new Cell(v, new Interval(low, high));
  }

  private static QueryResult ratings() {
    return new QueryResult(List.of("rating", "users"), List.of(
        List.of(key(3L), noisy(812L, 803, 821)),
        List.of(key(4L), noisy(7L, -2, 16)),
        List.of(key(5L), noisy(1234L, 1225, 1243))), COST, REMAINING, false, 17);
  }

  @Test
  void tableShowsValuePlusMinusHalfWidthAlignedWithAFooter() {
    List<String> lines = QueryResultRenderer.table(ratings());
    assertTrue(lines.get(0).matches("rating +users"), lines.get(0));
    assertTrue(lines.get(1).matches("-+  -+"), lines.get(1));
    assertTrue(lines.get(2).endsWith(" 812 ± 9"), lines.get(2));
    assertTrue(lines.get(3).endsWith("   7 ± 9"), lines.get(3));
    assertTrue(lines.get(4).endsWith("1234 ± 9"), lines.get(4));
    // the ± signs line up
    int col = lines.get(2).indexOf('±');
    assertEquals(col, lines.get(3).indexOf('±'));
    assertEquals(col, lines.get(4).indexOf('±'));
    // keys are right-aligned numbers
    assertTrue(lines.get(2).startsWith("     3"), lines.get(2));
    String footer = String.join("\n", lines.subList(5, lines.size()));
    assertTrue(footer.contains("(3 rows; ± is the half-width of the 95% noise interval"), footer);
    assertTrue(footer.contains("cost: epsilon 1, delta 1e-7 (ledger entry 17)"), footer);
    assertTrue(footer.contains("remaining: epsilon 9, delta 9.9e-6"), footer);
  }

  @Test
  void tableRoundsRealValuesToTheirNoisePrecision() {
    QueryResult r = new QueryResult(List.of("clinic", "avg_cost"), List.of(
        List.of(key("north"), noisy(412.3456789, 412.3456789 - 0.523, 412.3456789 + 0.523)),
        List.of(key("south"), noisy(97.0, 97.0 - 12.5, 97.0 + 12.5))), COST, REMAINING, false, 3);
    List<String> lines = QueryResultRenderer.table(r);
    assertTrue(lines.get(2).startsWith("north  "), lines.get(2));
    assertTrue(lines.get(2).endsWith("412.35 ± 0.52"), lines.get(2));
    assertTrue(lines.get(3).endsWith("    97 ±   13"), lines.get(3));
  }

  @Test
  void anIntervalNotCentredOnTheValueIsShownAsARangeKeepingValuesAligned() {
    QueryResult r = new QueryResult(List.of("k", "users"), List.of(
        List.of(key(1L), noisy(3L, 0, 63)),
        List.of(key(3L), noisy(91L, 31, 151)),
        List.of(key(5L), noisy(0L, 0, 18))), COST, REMAINING, false, 2);
    List<String> lines = QueryResultRenderer.table(r);
    assertTrue(lines.get(2).contains("  3 [0, 63]"), lines.get(2));
    assertFalse(lines.get(2).contains("±"), lines.get(2));
    assertTrue(lines.get(3).contains(" 91 ± 60"), lines.get(3));
    assertTrue(lines.get(4).contains("  0 [0, 18]"), lines.get(4));
    // the values' last digits share one column
    int end = lines.get(3).indexOf("91") + 2;
    assertEquals('3', lines.get(2).charAt(end - 1));
    assertEquals('0', lines.get(4).charAt(end - 1));
  }

  @Test
  void tableSaysWhenTheAnswerWasReusedAtNoCost() {
    QueryResult r = new QueryResult(List.of("n"), List.of(List.of(noisy(5L, 0, 10))), PrivacyLoss.ZERO, REMAINING,
        true, 4);
    String all = String.join("\n", QueryResultRenderer.table(r));
    assertTrue(all.contains("cost: none (the stored answer of ledger entry 4"), all);
  }

  @Test
  void csvHasIntervalColumnsForNoisyColumnsOnly() {
    List<String> lines = QueryResultRenderer.csv(ratings());
    assertEquals(List.of("rating,users,users_ci_low,users_ci_high", "3,812,803.0,821.0", "4,7,-2.0,16.0",
        "5,1234,1225.0,1243.0"), lines);
  }

  @Test
  void csvQuotesKeysThatNeedIt() {
    QueryResult r = new QueryResult(List.of("merchant", "n"), List.of(List.of(key("Smith, \"Jr\""),
        noisy(3L, 1, 5)), List.of(key(null), noisy(1e-9, -1, 1))), COST, REMAINING, false, 2);
    assertEquals(List.of("merchant,n,n_ci_low,n_ci_high", "\"Smith, \"\"Jr\"\"\",3,1.0,5.0", ",0.000000001,-1.0,1.0"),
        QueryResultRenderer.csv(r));
  }

  @Test
  void csvPrintsTheCostOnStandardErrorOnly() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    QueryResultRenderer.print(ratings(), OutputFormat.CSV, new PrintWriter(out), new PrintWriter(err));
    assertFalse(out.toString().contains("epsilon"));
    assertTrue(err.toString().startsWith("# cost: epsilon 1, delta 1e-7"), err.toString());
  }

  @Test
  void jsonHasTheDesignShapeWithExactDecimalStrings() throws Exception {
    StringWriter out = new StringWriter();
    QueryResultRenderer.print(ratings(), OutputFormat.JSON, new PrintWriter(out), new PrintWriter(new StringWriter()));
    String text = out.toString();
    assertEquals(1, text.strip().lines().count(), "one JSON object on one line");
    JsonNode j = new ObjectMapper().readTree(text);
    assertEquals("[\"rating\",\"users\"]", j.get("columns").toString());
    assertEquals("[[3,812],[4,7],[5,1234]]", j.get("rows").toString());
    assertTrue(j.get("ci95").get(0).get(0).isNull());
    assertEquals("[803.0,821.0]", j.get("ci95").get(0).get(1).toString());
    assertEquals("1", j.get("cost").get("epsilon").asText());
    assertTrue(j.get("cost").get("epsilon").isTextual());
    assertEquals("0.0000001", j.get("cost").get("delta").asText());
    assertEquals("9", j.get("remaining").get("epsilon").asText());
    assertEquals("0.0000099", j.get("remaining").get("delta").asText());
    assertFalse(j.get("reused").asBoolean());
    assertEquals(17, j.get("ledgerSequence").asLong());
  }

  @Test
  void aValueWhoseIntervalCoversItsWholeRangeIsFlaggedInTablesAndMarkdown() {
    QueryResult r = new QueryResult(List.of("clinic", "avg_cost"), List.of(
        List.of(key("north"), new Cell(1012.5, new Interval(0, 2000), true)),
        List.of(key("south"), new Cell(812.25, new Interval(790.5, 834.0), false))), COST, REMAINING, false, 3);
    List<String> table = QueryResultRenderer.table(r);
    assertTrue(table.get(2).endsWith("(!)"), table.get(2));
    assertFalse(table.get(3).contains("(!)"), table.get(3));
    assertTrue(table.stream().anyMatch(l -> l.startsWith("((!) the interval covers every value")), table.toString());
    List<String> markdown = QueryResultRenderer.markdown(r);
    assertTrue(markdown.get(2).contains("(!)"), markdown.toString());

    QueryResult plain = new QueryResult(List.of("clinic", "avg_cost"), List.of(
        List.of(key("south"), new Cell(812.25, new Interval(790.5, 834.0), false))), COST, REMAINING, false, 4);
    assertFalse(String.join("\n", QueryResultRenderer.table(plain)).contains("(!)"));
  }

  @Test
  void markdownIsAPipeTableWithAlignedNumbersAndEscapedPipes() {
    QueryResult r = new QueryResult(List.of("name", "n"), List.of(List.of(key("a|b"), noisy(7L, 5, 9))), COST,
        REMAINING, false, 5);
    List<String> lines = QueryResultRenderer.markdown(r);
    assertEquals("| name | n |", lines.get(0));
    assertEquals("| --- | ---: |", lines.get(1));
    assertEquals("| a\\|b | 7 ± 2 |", lines.get(2));
    assertEquals("", lines.get(3));
    assertTrue(lines.get(5).startsWith("cost: epsilon 1"), lines.toString());
  }
}
