package org.dpq.cli.output;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.dpq.engine.Explanation;
import org.dpq.engine.MeasurementExplanation;

/**
 * Prints what a query would do and cost: the bounded SQL, each measurement's sensitivity, budget share,
 * mechanism, noise scale and expected 95% error, and the total. An explanation is computed without data, so all
 * of it is safe to show.
 */
public final class ExplanationRenderer {
  private ExplanationRenderer() {}

  /**
   * One measurement in JSON.
   *
   * @param name what is measured
   * @param l1 L1 sensitivity
   * @param l2 L2 sensitivity
   * @param epsilon this measurement's share of epsilon (exact decimal string)
   * @param delta this measurement's share of delta (exact decimal string)
   * @param mechanism LAPLACE or GAUSSIAN
   * @param scale Laplace scale or Gaussian sigma
   * @param halfWidth95 expected error: half-width of the 95% noise interval
   */
  public record MeasurementJson(String name, double l1, double l2, String epsilon, String delta, String mechanism,
      double scale, double halfWidth95) {}

  /**
   * The explanation in JSON.
   *
   * @param boundedSql the rewritten SQL sent to the backend
   * @param partitionMode NONE, PUBLIC_DOMAIN or THRESHOLD
   * @param threshold the release threshold (THRESHOLD mode), else null
   * @param measurements per-measurement protection
   * @param total the loss the query would be charged
   * @param remaining the dataset's remaining budget now
   */
  public record ExplainJson(String boundedSql, String partitionMode, Long threshold, List<MeasurementJson> measurements,
      LossView total, LossView remaining) {}

  /** Prints {@code e} in {@code format} (CSV prints the measurements table). */
  public static void print(Explanation e, OutputFormat format, PrintWriter out) {
    switch (format) {
      case TABLE -> table(e).forEach(out::println);
      case CSV -> csv(e).forEach(out::println);
      case JSON -> out.println(Json.write(json(e)));
    }
    out.flush();
  }

  /** The JSON object. */
  public static ExplainJson json(Explanation e) {
    List<MeasurementJson> ms = e.measurements().stream().map(m -> new MeasurementJson(m.name(), m.l1(), m.l2(),
        LossView.plain(m.loss().epsilon()), LossView.plain(m.loss().delta()), m.mechanism().name(), m.scale(),
        m.halfWidth95())).toList();
    Long threshold = e.threshold().isPresent() ? e.threshold().getAsLong() : null;
    return new ExplainJson(e.boundedSql(), e.partitionMode(), threshold, ms, LossView.of(e.total()),
        LossView.of(e.remaining()));
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

  /** The human-readable report. */
  public static List<String> table(Explanation e) {
    List<String> lines = new ArrayList<>();
    lines.add("Bounded query (sent to the backend):");
    for (String l : e.boundedSql().split("\\R")) {
      lines.add("  " + l);
    }
    if (e.groupLimitChosenAtRunTime()) {
      lines.add("  (Shown with each unit's groups limited after its per-group pre-aggregation. When the data's shape");
      lines.add("  favours it, the backend ranks the unit's raw rows first instead: the same groups are kept, and the");
      lines.add("  result is the same.)");
    }
    lines.add("");
    String mode = switch (e.partitionMode()) {
      case "NONE" -> "none (no GROUP BY: one row)";
      case "PUBLIC_DOMAIN" -> "public domain (exactly the declared keys are released)";
      case "THRESHOLD" -> "threshold (a group is released only if its noisy person count clears "
          + (e.threshold().isPresent() ? e.threshold().getAsLong() : "the threshold") + ")";
      default -> e.partitionMode();
    };
    lines.add("Group release: " + mode);
    lines.add("");
    lines.add("Measurements:");
    TextTable t = new TextTable(List.of("measurement", "L1", "L2", "epsilon", "delta", "mechanism", "scale", "±95%"),
        new boolean[] {false, true, true, true, true, false, true, true});
    for (MeasurementExplanation m : e.measurements()) {
      t.add(List.of(m.name(), num(m.l1()), num(m.l2()), LossView.human(LossView.plain(m.loss().epsilon())),
          LossView.human(LossView.plain(m.loss().delta())), m.mechanism().name().toLowerCase(Locale.ROOT), num(m.scale()),
          num(m.halfWidth95())));
    }
    t.lines().forEach(l -> lines.add("  " + l));
    lines.add("");
    lines.add("Total cost: " + LossView.of(e.total()).text());
    lines.add("Remaining budget: " + LossView.of(e.remaining()).text());
    return lines;
  }

  private static String num(double d) {
    return Numbers.human(d, null);
  }
}
