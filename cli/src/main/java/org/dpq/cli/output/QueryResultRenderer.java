package org.dpq.cli.output;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dpq.client.Wire;
import org.dpq.engine.Cell;
import org.dpq.engine.QueryResult;
import org.dpq.mechanisms.Interval;

/**
 * Prints a released answer. Everything in a {@link QueryResult} is already safe to show (noisy values, public or
 * selected keys, the loss charged), so the renderers only choose a layout: an aligned table with
 * {@code value ± half-width} and a cost footer, CSV with interval columns, or one JSON object.
 */
public final class QueryResultRenderer {
  /** Marks a value whose 95% interval covers its whole possible range. */
  static final String WHOLE_RANGE = "(!)";
  private QueryResultRenderer() {}

  /** Prints {@code result} in {@code format}; for CSV the cost summary goes to {@code err}. */
  public static void print(QueryResult result, OutputFormat format, PrintWriter out, PrintWriter err) {
    switch (format) {
      case TABLE -> table(result).forEach(out::println);
      case CSV -> {
        csv(result).forEach(out::println);
        err.println("# " + costLine(result) + "; " + remainingLine(result));
      }
      case JSON -> out.println(Wire.write(json(result)));
      case MARKDOWN -> markdown(result).forEach(out::println);
      case JSONL -> {
        jsonLines(result).forEach(out::println);
        err.println("# " + costLine(result) + "; " + remainingLine(result));
      }
    }
    out.flush();
    err.flush();
  }

  /** The JSON object: the wire contract's own shape, so the CLI and {@code dpq serve} print one JSON. */
  public static Wire.Result json(QueryResult result) {
    return Wire.Result.of(result);
  }

  /**
   * CSV lines: the header, then one line per row. Each column that has an interval in some row gets two more
   * columns, {@code <col>_ci_low} and {@code <col>_ci_high}, after all value columns (empty where a cell has none).
   */
  public static List<String> csv(QueryResult result) {
    int n = result.columns().size();
    List<Integer> withCi = new ArrayList<>();
    for (int j = 0; j < n; j++) {
      final int col = j;
      if (result.rows().stream().anyMatch(r -> r.get(col).ci95() != null)) {
        withCi.add(j);
      }
    }
    List<String> lines = new ArrayList<>();
    List<String> header = new ArrayList<>(result.columns());
    for (int j : withCi) {
      header.add(result.columns().get(j) + "_ci_low");
      header.add(result.columns().get(j) + "_ci_high");
    }
    lines.add(Csv.line(header));
    for (List<Cell> row : result.rows()) {
      List<String> fields = new ArrayList<>();
      for (Cell cell : row) {
        fields.add(Numbers.exact(cell.value()));
      }
      for (int j : withCi) {
        Interval ci = row.get(j).ci95();
        fields.add(ci == null ? "" : Numbers.exactDouble(ci.low()));
        fields.add(ci == null ? "" : Numbers.exactDouble(ci.high()));
      }
      lines.add(Csv.line(fields));
    }
    return lines;
  }

  /**
   * JSON Lines: one object per row, keyed by column name, with {@code <col>_ci95: [low, high]} after each noisy
   * value (the cost goes to standard error, as for CSV).
   */
  public static List<String> jsonLines(QueryResult result) {
    List<String> lines = new ArrayList<>();
    for (List<Cell> row : result.rows()) {
      Map<String, Object> object = new LinkedHashMap<>();
      for (int j = 0; j < row.size(); j++) {
        Cell cell = row.get(j);
        object.put(result.columns().get(j), cell.value());
        if (cell.ci95() != null) {
          object.put(result.columns().get(j) + "_ci95", new double[] {cell.ci95().low(), cell.ci95().high()});
        }
      }
      lines.add(Wire.write(object));
    }
    return lines;
  }

  /** A Markdown table with the same cells as the text table, and the footer as a paragraph. */
  public static List<String> markdown(QueryResult result) {
    List<String> lines = new ArrayList<>(grid(result).markdown());
    lines.add("");
    footer(result, lines);
    return lines;
  }

  /** The aligned table with the cost footer. */
  public static List<String> table(QueryResult result) {
    List<String> lines = new ArrayList<>(grid(result).lines());
    footer(result, lines);
    return lines;
  }

  private static void footer(QueryResult result, List<String> lines) {
    boolean anyInterval = result.rows().stream().flatMap(List::stream)
        .anyMatch(c -> c.ci95() != null && Numbers.isNumber(c.value()));
    int m = result.rows().size();
    lines.add("(" + m + (m == 1 ? " row" : " rows")
        + (anyInterval ? "; ± is the half-width of the 95% noise interval, [low, high] the interval itself)" : ")"));
    if (result.rows().stream().flatMap(List::stream).anyMatch(Cell::coversRange)) {
      lines.add("(" + WHOLE_RANGE + " the interval covers every value the column's bounds allow: that value is "
          + "mostly noise; spend more epsilon or ask about larger groups)");
    }
    lines.add(costLine(result));
    lines.add(remainingLine(result));
  }

  private static TextTable grid(QueryResult result) {
    int n = result.columns().size();
    int m = result.rows().size();
    String[][] cells = new String[m][n];
    boolean[] right = new boolean[n];
    for (int j = 0; j < n; j++) {
      // A noisy number is "value" + an extra part: " ± h" (interval centred on the value) or " [low, high]"
      // (e.g. a count clamped at zero); values are right-aligned and the ± signs line up.
      String[] values = new String[m];
      String[] halves = new String[m];
      String[] ranges = new String[m];
      int valueWidth = 0;
      int halfWidth = 0;
      int rangeWidth = 0;
      for (int i = 0; i < m; i++) {
        Cell cell = result.rows().get(i).get(j);
        right[j] |= Numbers.isNumber(cell.value());
        values[i] = Numbers.human(cell.value(), cell.ci95());
        valueWidth = Math.max(valueWidth, values[i].length());
        if (cell.ci95() != null && Numbers.isNumber(cell.value())) {
          if (Numbers.centred(cell.value(), cell.ci95())) {
            halves[i] = Numbers.humanHalfWidth(cell.value(), cell.ci95());
            halfWidth = Math.max(halfWidth, halves[i].length());
          } else {
            ranges[i] = Numbers.humanInterval(cell.value(), cell.ci95());
            rangeWidth = Math.max(rangeWidth, ranges[i].length());
          }
        }
      }
      int extraWidth = Math.max(halfWidth == 0 ? 0 : halfWidth + 3, rangeWidth == 0 ? 0 : rangeWidth + 1);
      for (int i = 0; i < m; i++) {
        if (!right[j]) {
          cells[i][j] = values[i];
          continue;
        }
        String extra = halves[i] != null ? " ± " + " ".repeat(halfWidth - halves[i].length()) + halves[i]
            : ranges[i] != null ? " " + ranges[i] : "";
        String flag = result.rows().get(i).get(j).coversRange() ? " " + WHOLE_RANGE : "";
        cells[i][j] = " ".repeat(valueWidth - values[i].length()) + values[i] + extra
            + " ".repeat(extraWidth - extra.length()) + flag;
      }
    }
    TextTable table = new TextTable(result.columns(), right);
    for (String[] row : cells) {
      table.add(List.of(row));
    }
    return table;
  }

  private static String costLine(QueryResult result) {
    if (result.reused()) {
      return "cost: none (the stored answer of ledger entry " + result.ledgerSequence()
          + ", an identical earlier query)";
    }
    return "cost: " + LossView.of(result.cost()).text() + " (ledger entry " + result.ledgerSequence() + ")";
  }

  private static String remainingLine(QueryResult result) {
    return "remaining: " + LossView.of(result.remaining()).text();
  }
}
