package org.dpq.cli.output;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.dpq.client.Wire;
import org.dpq.engine.Explanation;
import org.dpq.engine.MeasurementExplanation;

/**
 * Prints what a query would do and cost: the bounded SQL, each measurement's sensitivity, budget share,
 * mechanism, noise scale and expected 95% error, and the total. An explanation is computed without data, so all
 * of it is safe to show.
 */
public final class ExplanationRenderer {
  private ExplanationRenderer() {}

  /** Prints {@code e} in {@code format} without the bounded SQL (JSON always has it). */
  public static void print(Explanation e, OutputFormat format, PrintWriter out) {
    print(e, format, false, out);
  }

  /**
   * Prints {@code e} in {@code format}: CSV prints the measurements table, JSONL one object per measurement;
   * the text and Markdown reports add the bounded SQL at the end when {@code withSql}.
   */
  public static void print(Explanation e, OutputFormat format, boolean withSql, PrintWriter out) {
    switch (format) {
      case TABLE -> report(e, withSql, false).forEach(out::println);
      case MARKDOWN -> report(e, withSql, true).forEach(out::println);
      case CSV -> csv(e).forEach(out::println);
      case JSON -> out.println(Wire.write(json(e)));
      case JSONL -> json(e).measurements().forEach(m -> out.println(Wire.write(m)));
    }
    out.flush();
  }

  /** The JSON object: the wire's explanation, so that the CLI and the HTTP API print the same shape. */
  public static Wire.Explain json(Explanation e) {
    return Wire.Explain.of(e);
  }

  /** The measurements as CSV (header + one line each). */
  public static List<String> csv(Explanation e) {
    List<String> lines = new ArrayList<>();
    lines.add(Csv.line(List.of("measurement", "l1", "l2", "epsilon", "delta", "mechanism", "scale", "half_width_95")));
    for (MeasurementExplanation m : e.measurements()) {
      lines.add(Csv.line(List.of(m.name(), Numbers.exactDouble(m.l1()), Numbers.exactDouble(m.l2()),
          LossView.plain(m.loss().epsilon()), LossView.plain(m.loss().delta()), m.mechanism().name(),
          Numbers.exactDouble(m.scale()), Numbers.exactDouble(m.halfWidth95()))));
    }
    return lines;
  }

  /** The human-readable report with the bounded SQL. */
  public static List<String> table(Explanation e) {
    return report(e, true, false);
  }

  /**
   * The human-readable report: measurements and their expected errors first, warnings, how groups are released,
   * the cost and what remains; then, when {@code withSql}, the bounded SQL.
   */
  public static List<String> report(Explanation e, boolean withSql, boolean markdown) {
    List<String> lines = new ArrayList<>();
    lines.add(markdown ? "**Measurements**" : "Measurements:");
    if (markdown) {
      lines.add("");
    }
    TextTable t = new TextTable(List.of("measurement", "L1", "L2", "epsilon", "delta", "mechanism", "scale", "±95%"),
        new boolean[] {false, true, true, true, true, false, true, true});
    for (MeasurementExplanation m : e.measurements()) {
      t.add(List.of(m.name(), num(m.l1()), num(m.l2()), LossView.human(LossView.plain(m.loss().epsilon())),
          LossView.human(LossView.plain(m.loss().delta())), m.mechanism().name().toLowerCase(Locale.ROOT), num(m.scale()),
          num(m.halfWidth95())));
    }
    t.lines(markdown).forEach(l -> lines.add(markdown ? l : "  " + l));
    List<String> warnings = warnings(e);
    if (!warnings.isEmpty()) {
      lines.add("");
      warnings.forEach(w -> lines.add((markdown ? "- " : "warning: ") + w));
    }
    lines.add("");
    String mode = switch (e.partitionMode()) {
      case "NONE" -> "none (no GROUP BY: one row)";
      case "PUBLIC_DOMAIN" -> "public domain (exactly the declared keys are released)";
      case "THRESHOLD" -> "threshold (a group is released only if its noisy person count clears "
          + (e.threshold().isPresent() ? e.threshold().getAsLong() : "the threshold") + ")";
      default -> e.partitionMode();
    };
    String end = markdown ? "  " : ""; // a Markdown line break
    lines.add("Group release: " + mode + end);
    for (String key : e.keys()) {
      lines.add((markdown ? "- " : "  ") + key + end);
    }
    if (!e.bounds().isEmpty()) {
      lines.add("Automatic bounds:" + end);
      e.bounds().forEach(b -> lines.add((markdown ? "- " : "  ") + b + end));
    }
    lines.add("Total cost: " + LossView.of(e.total()).text() + end);
    lines.add("Remaining budget: " + LossView.of(e.remaining()).text());
    if (withSql) {
      lines.add("");
      lines.add(markdown ? "**Bounded query** (sent to the backend):" : "Bounded query (sent to the backend):");
      lines.add("");
      if (markdown) {
        lines.add("```sql");
      }
      for (String l : e.boundedSql().split("\\R")) {
        lines.add(markdown ? l : "  " + l);
      }
      if (markdown) {
        lines.add("```");
      }
      if (e.groupLimitChosenAtRunTime()) {
        lines.add((markdown ? "" : "  ") + "(Shown with each unit's groups limited after its per-group "
            + "pre-aggregation. When the data's shape favours it, the backend ranks the unit's raw rows first "
            + "instead: the same groups are kept, and the result is the same.)");
      }
    }
    return lines;
  }

  /**
   * One warning per SUM measurement whose expected 95% error is larger than the whole range its values span in a
   * group of fewer than some number of values: there, a SUM or AVG answer is mostly noise.
   */
  public static List<String> warnings(Explanation e) {
    List<String> warnings = new ArrayList<>();
    for (MeasurementExplanation m : e.measurements()) {
      long n = m.valuesToExceedError();
      if (n > 1) {
        warnings.add(m.name() + ": its expected error (±" + num(m.halfWidth95()) + ") is larger than the whole range "
            + "the values of a group can span unless the group has at least " + n + " values; in smaller groups a SUM "
            + "or AVG of it is mostly noise (spend more epsilon, or ask about larger groups)");
      }
    }
    return warnings;
  }

  private static String num(double d) {
    return Numbers.human(d, null);
  }
}
