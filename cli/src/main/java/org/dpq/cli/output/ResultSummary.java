package org.dpq.cli.output;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.dpq.client.Wire;
import org.dpq.mechanisms.Interval;

/**
 * A one-line form of a released answer as the ledger stores it, for {@code budget history}'s table: the row
 * count and the first rows' values, rounded to the precision their noise allows, cut at a width. It shows only
 * what was released (noisy values and released keys), so it adds nothing to what the analyst saw.
 */
final class ResultSummary {
  private ResultSummary() {}

  /** E.g. {@code 5 rows: (1, 0) (2, 3) (3, 98) ...}; the stored text's kind only when it cannot be read. */
  static String of(String resultJson, int width) {
    JsonNode root;
    try {
      root = Wire.mapper().readTree(resultJson);
    } catch (IOException e) {
      return "(result not readable)";
    }
    if (root.path("found").isBoolean() && root.path("lower").isNumber() && root.path("upper").isNumber()) {
      // an automatic bounds estimate (DP bounds of one column, recorded once and reused)
      return !root.path("found").booleanValue() ? "no bounds found"
          : "bounds [" + exact(root.path("lower").doubleValue()) + ", " + exact(root.path("upper").doubleValue())
              + "]";
    }
    JsonNode values = root.path("values");
    JsonNode cis = root.path("ci95");
    if (!values.isArray()) {
      return "(result not readable)";
    }
    int m = values.size();
    StringBuilder sb = new StringBuilder(m + (m == 1 ? " row" : " rows")).append(m == 0 ? "" : ":");
    for (int i = 0; i < m; i++) {
      JsonNode row = values.get(i);
      List<String> cells = new ArrayList<>();
      for (int j = 0; j < row.size(); j++) {
        cells.add(Numbers.human(value(row.get(j)), interval(cis.path(i).path(j))));
      }
      String part = " " + (cells.size() == 1 ? cells.get(0) : "(" + String.join(", ", cells) + ")");
      if (sb.length() + part.length() > width - 4) {
        sb.append(" ...");
        break;
      }
      sb.append(part);
    }
    return sb.toString();
  }

  /** A bound exactly (bin edges are powers of two): an integer without decimals, else the shortest double text. */
  private static String exact(double v) {
    return v == Math.rint(v) && Math.abs(v) < 0x1p63 ? Long.toString((long) v) : Double.toString(v);
  }

  private static Object value(JsonNode v) {
    if (v == null || v.isNull()) {
      return null;
    }
    if (v.isIntegralNumber()) {
      return v.longValue();
    }
    if (v.isNumber()) {
      return v.doubleValue();
    }
    if (v.isBoolean()) {
      return v.booleanValue();
    }
    return v.asText();
  }

  private static Interval interval(JsonNode ci) {
    if (ci == null || !ci.isObject() || !ci.path("low").isNumber() || !ci.path("high").isNumber()) {
      return null;
    }
    return new Interval(ci.path("low").doubleValue(), ci.path("high").doubleValue());
  }
}
