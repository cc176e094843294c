package org.dpq.cli.output;

import java.util.ArrayList;
import java.util.List;

/** An aligned text table: a header, a rule and rows, columns separated by two spaces. */
public final class TextTable {
  private final List<String> headers;
  private final boolean[] rightAligned;
  private final List<List<String>> rows = new ArrayList<>();

  /** A table with these headers; {@code rightAligned[i]} right-aligns column i (numbers). */
  public TextTable(List<String> headers, boolean[] rightAligned) {
    if (headers.size() != rightAligned.length) {
      throw new IllegalArgumentException("one alignment per column");
    }
    this.headers = List.copyOf(headers);
    this.rightAligned = rightAligned.clone();
  }

  /** A table with left-aligned columns. */
  public static TextTable leftAligned(List<String> headers) {
    return new TextTable(headers, new boolean[headers.size()]);
  }

  /** Adds a row (one string per column). */
  public TextTable add(List<String> row) {
    if (row.size() != headers.size()) {
      throw new IllegalArgumentException("row has " + row.size() + " cells, table has " + headers.size() + " columns");
    }
    rows.add(List.copyOf(row));
    return this;
  }

  /** The rendered lines, without trailing spaces. */
  public List<String> lines() {
    int n = headers.size();
    int[] width = new int[n];
    for (int i = 0; i < n; i++) {
      width[i] = headers.get(i).length();
      for (List<String> row : rows) {
        width[i] = Math.max(width[i], row.get(i).length());
      }
    }
    List<String> out = new ArrayList<>();
    out.add(render(headers, width));
    List<String> rule = new ArrayList<>();
    for (int w : width) {
      rule.add("-".repeat(w));
    }
    out.add(render(rule, width));
    for (List<String> row : rows) {
      out.add(render(row, width));
    }
    return out;
  }

  /**
   * The table in Markdown (GitHub pipe tables): the header, a delimiter row with alignment and the rows, each
   * {@code |} in a cell escaped.
   */
  public List<String> markdown() {
    List<String> out = new ArrayList<>();
    out.add(markdownRow(headers));
    List<String> rule = new ArrayList<>();
    for (boolean right : rightAligned) {
      rule.add(right ? "---:" : "---");
    }
    out.add(markdownRow(rule));
    for (List<String> row : rows) {
      out.add(markdownRow(row));
    }
    return out;
  }

  /** Text lines or Markdown lines. */
  public List<String> lines(boolean markdown) {
    return markdown ? markdown() : lines();
  }

  private static String markdownRow(List<String> cells) {
    StringBuilder sb = new StringBuilder("|");
    for (String c : cells) {
      sb.append(' ').append(c.strip().replace("|", "\\|")).append(" |");
    }
    return sb.toString();
  }

  private String render(List<String> cells, int[] width) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      if (i > 0) {
        sb.append("  ");
      }
      String c = cells.get(i);
      String pad = " ".repeat(width[i] - c.length());
      sb.append(rightAligned[i] ? pad + c : c + pad);
    }
    return sb.toString().stripTrailing();
  }
}
