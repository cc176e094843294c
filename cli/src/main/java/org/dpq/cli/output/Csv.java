package org.dpq.cli.output;

import java.util.List;

/** RFC 4180 CSV lines: a field is quoted when it holds a comma, a quote, a line break or edge spaces. */
public final class Csv {
  private Csv() {}

  /** One CSV line (without the line break). */
  public static String line(List<String> fields) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < fields.size(); i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(field(fields.get(i)));
    }
    return sb.toString();
  }

  /** One field, quoted if needed; null is the empty field. */
  public static String field(String value) {
    if (value == null) {
      return "";
    }
    boolean quote = value.isEmpty() ? false : value.charAt(0) == ' ' || value.charAt(value.length() - 1) == ' ';
    for (int i = 0; i < value.length() && !quote; i++) {
      char c = value.charAt(i);
      quote = c == ',' || c == '"' || c == '\n' || c == '\r';
    }
    return quote ? '"' + value.replace("\"", "\"\"") + '"' : value;
  }
}
