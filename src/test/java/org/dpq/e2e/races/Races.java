package org.dpq.e2e.races;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.dpq.engine.Cell;
import org.dpq.engine.QueryResult;

/** The queries of the race tests and a canonical text of an answer, comparable across the API and the CLI. */
public final class Races {
  /** The query every racer sends in the identical-query race. */
  public static final String IDENTICAL = "SELECT city, COUNT(*) AS n FROM people GROUP BY city";

  private Races() {}

  /** The i-th of the distinct queries: the same count with a different no-op filter (a different plan). */
  public static String distinctQuery(int i) {
    return "SELECT city, COUNT(*) AS n FROM people WHERE age <> -" + (i + 1) + " GROUP BY city";
  }

  /** The released cells of an API answer, e.g. {@code north=12;south=40;...}. */
  public static String answer(QueryResult r) {
    List<String> rows = new ArrayList<>();
    for (List<Cell> row : r.rows()) {
      List<String> cells = new ArrayList<>();
      for (Cell c : row) {
        cells.add(String.valueOf(c.value()));
      }
      rows.add(String.join("=", cells));
    }
    return String.join(";", rows);
  }

  /** The released cells of a CLI JSON answer, in the same text as {@link #answer(QueryResult)}. */
  public static String answer(JsonNode json) {
    List<String> rows = new ArrayList<>();
    for (JsonNode row : json.get("rows")) {
      List<String> cells = new ArrayList<>();
      for (JsonNode c : row) {
        cells.add(c.asText());
      }
      rows.add(String.join("=", cells));
    }
    return String.join(";", rows);
  }
}
