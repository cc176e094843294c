package org.dpq.engine.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.dpq.engine.catalog.ColumnType;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.PrivacyUnit;
import org.dpq.errors.QueryRejectedException;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, items 5 and 6: names that are reserved words in Calcite but ordinary in DuckDB and PostgreSQL work
 * unquoted and in backticks, every rejection still applies, BigQuery's DIFFERENTIAL_PRIVACY clause is refused with
 * directions, and parse and name errors say where the parser stopped, what was probably meant, and how to quote.
 */
class IdentifiersTest {
  private static final Analyzer ANALYZER = new Analyzer();
  private static final Dataset EVENTS = TestDatasets.dataset("events", new PrivacyUnit.ByColumn("pid"), 2, 2,
      List.of(TestDatasets.plain("pid", ColumnType.INT),
          TestDatasets.bounded("month", ColumnType.INT, 1, 12),
          TestDatasets.bounded("year", ColumnType.INT, 2000, 2030),
          TestDatasets.bounded("day", ColumnType.INT, 1, 31),
          TestDatasets.plain("date", ColumnType.DATE),
          TestDatasets.bounded("value", ColumnType.DOUBLE, 0, 100),
          TestDatasets.plain("user", ColumnType.STRING),
          TestDatasets.plain("channel", ColumnType.STRING)));

  private static DpPlan plan(String sql) {
    return ANALYZER.analyze(EVENTS, sql);
  }

  private static String rejection(String sql) {
    return assertThrows(QueryRejectedException.class, () -> plan(sql), sql).getMessage();
  }

  @Test
  void reservedWordsThatNameColumnsWorkUnquoted() {
    DpPlan p = plan("SELECT month, year, COUNT(*), SUM(value), AVG(day) FROM events "
        + "WHERE user <> 'x' AND date > DATE '2020-01-01' GROUP BY month, year ORDER BY year, month");
    assertEquals(List.of("month", "year"), p.keys().stream().map(GroupKey::name).toList());
    assertEquals(List.of("month", "year", "EXPR$2", "EXPR$3", "EXPR$4"), p.post().outputNames());
    // the same words as keywords stay keywords: a typed literal, a CAST's type, a function
    DpPlan keywords = plan("SELECT COUNT(*), SUM(CAST(month AS DOUBLE)) FROM events "
        + "WHERE date < DATE '2030-01-01' AND CAST(date AS DATE) IS NOT NULL");
    assertEquals(2, keywords.aggregates().size());
    // as an alias, and referred to by it
    DpPlan alias = plan("SELECT channel, COUNT(*) AS hour FROM events GROUP BY channel ORDER BY hour DESC");
    assertEquals(List.of("channel", "hour"), alias.post().outputNames());
    // inside strings and comments nothing changes
    DpPlan literal = plan("SELECT COUNT(*) /* month */ FROM events WHERE user = 'month' -- year\n");
    assertTrue(literal.where().orElseThrow().toString().contains("'month'"), literal.where()::toString);
  }

  @Test
  void theRewriteQuotesNamesOnlyWhereTheyAreNames() {
    assertEquals("SELECT EXTRACT(YEAR FROM \"date\"), \"year\" FROM events WHERE \"date\" > DATE '2020-01-01' + "
        + "INTERVAL '1' DAY AND TIMESTAMPADD(MONTH, 1, \"date\") > CAST(\"day\" AS DATE) AND FLOOR(\"date\" TO MONTH) "
        + "IS NOT NULL AND INTERVAL '1-2' YEAR TO MONTH IS NOT NULL AND YEAR(\"date\") = e.\"year\"",
        Identifiers.normalise("SELECT EXTRACT(YEAR FROM date), year FROM events WHERE date > DATE '2020-01-01' + "
        + "INTERVAL '1' DAY AND TIMESTAMPADD(MONTH, 1, date) > CAST(day AS DATE) AND FLOOR(date TO MONTH) "
        + "IS NOT NULL AND INTERVAL '1-2' YEAR TO MONTH IS NOT NULL AND YEAR(date) = e.year", EVENTS));
    // unchanged text when nothing needs quoting (positions in error messages stay the analyst's)
    String plain = "SELECT channel, COUNT(*) FROM events -- month\n GROUP BY channel";
    assertTrue(plain == Identifiers.normalise(plain, EVENTS));
  }

  @Test
  void errorPositionsPointIntoTheAnalystsTextNotTheQuotedOne() {
    // month, year and user are quoted before parsing ("month" is two characters longer): the stop must still be
    // reported where the analyst wrote it, on every line
    String parse = "SELECT month, year, `user`, COUNT(*) FROM events\nWHERE month > 3 AND year < GROUP BY month";
    QueryRejectedException p = assertThrows(QueryRejectedException.class, () -> plan(parse));
    int stopAt = parse.indexOf("< GROUP") - parse.indexOf('\n'); // Calcite reports the token before GROUP too
    assertTrue(p.getMessage().contains("stopped at '< GROUP' (line 2, column " + stopAt + ")"), p.getMessage());
    String validation = "SELECT month, year, channel, COUNT(*) FROM events GROUP BY month, year";
    QueryRejectedException v = assertThrows(QueryRejectedException.class, () -> plan(validation));
    assertTrue(v.getMessage().contains("(line 1, column " + (validation.indexOf("channel") + 1) + ")"),
        v.getMessage());
    String unquoted = "SELECT channel, COUNT(*) FROM events WHERE channel = GROUP BY channel";
    QueryRejectedException u = assertThrows(QueryRejectedException.class, () -> plan(unquoted));
    assertTrue(u.getMessage().contains("column " + (unquoted.indexOf("= GROUP") + 1) + ")"), u.getMessage());
  }

  @Test
  void backticksQuoteNamesLikeDoubleQuotes() {
    DpPlan p = plan("SELECT `month`, COUNT(*) AS `n` FROM `events` WHERE `user` = 'a`b' GROUP BY `month`");
    assertEquals(List.of("month", "n"), p.post().outputNames());
    assertTrue(p.where().orElseThrow().toString().contains("'a`b'"), p.where()::toString);
  }

  @Test
  void everyRejectionStillApplies() {
    assertTrue(rejection("SELECT user FROM events").contains("non-aggregate output"));
    assertTrue(rejection("SELECT `value`, month FROM events").contains("non-aggregate output"));
    assertTrue(rejection("SELECT pid, COUNT(*) FROM events GROUP BY pid").contains("privacy unit"));
    assertTrue(rejection("SELECT SUM(value) FROM events; DROP TABLE events").contains("several statements"));
    assertTrue(rejection("SELECT COUNT(*) FROM (SELECT month, COUNT(*) AS c FROM events GROUP BY month)")
        .contains("subquery in FROM"));
    assertTrue(rejection("SELECT COUNT(*) FROM events AS e JOIN events AS f ON e.user = f.user").contains("JOIN"));
  }

  @Test
  void bigQueryDifferentialPrivacyClauseSaysWhereEachOptionLives() {
    String message = rejection("SELECT WITH DIFFERENTIAL_PRIVACY OPTIONS(epsilon=1, delta=1e-5, "
        + "max_groups_contributed=1, privacy_unit_column=pid) channel, COUNT(*) FROM events GROUP BY channel");
    for (String part : List.of("DIFFERENTIAL_PRIVACY", "--epsilon", "--delta", "max_groups_contributed",
        "max_rows_per_group", "privacy_unit", "dataset YAML", "Fix: drop WITH DIFFERENTIAL_PRIVACY")) {
      assertTrue(message.contains(part), () -> "lacks '" + part + "': " + message);
    }
  }

  @Test
  void aParseErrorNamesTheTokenAndHowToQuoteAReservedWord() {
    String order = rejection("SELECT COUNT(*) FROM events GROUP BY order");
    assertTrue(order.contains("stopped at 'order' (line 1, column 38)"), order);
    assertTrue(order.contains("ORDER is a reserved word"), order);
    assertTrue(order.contains("\"order\" or `order`"), order);
    String end = rejection("SELECT COUNT(*) FROM events WHERE");
    assertTrue(end.contains("stopped at '<EOF>'"), end);
    assertFalse(end.contains("Was expecting"), end);
  }

  @Test
  void misspeltColumnsAndTablesGetADidYouMean() {
    String column = rejection("SELECT SUM(valeu) FROM events WHERE user = 'Zyxw'");
    assertTrue(column.contains("did you mean 'value'?"), column);
    assertFalse(column.contains("Zyxw"), column);
    assertTrue(rejection("SELECT chanel, COUNT(*) FROM events GROUP BY chanel").contains("did you mean 'channel'?"));
    String table = rejection("SELECT COUNT(*) FROM event");
    assertTrue(table.contains("did you mean 'events'?"), table);
    String far = rejection("SELECT COUNT(*) FROM transactions");
    assertFalse(far.contains("did you mean"), far);
    assertTrue(far.contains("this dataset has one table, 'events'"), far);
  }
}
