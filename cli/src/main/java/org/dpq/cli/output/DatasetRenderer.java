package org.dpq.cli.output;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.dpq.client.Wire;
import org.dpq.engine.catalog.Column;
import org.dpq.engine.catalog.ColumnType;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.PrivacyUnit;
import org.dpq.engine.catalog.Source;

/**
 * Prints a dataset's declaration: what the YAML says (columns, bounds, public domains, privacy unit, G, R,
 * budget, ledger location). It reads no rows, so it shows no data values, and it hides passwords in JDBC URLs.
 */
public final class DatasetRenderer {
  private static final Pattern SECRET = Pattern.compile("(?i)(password|passwd|pwd)=[^&;]*");

  private DatasetRenderer() {}

  /**
   * A column in JSON.
   *
   * @param name column name
   * @param type declared type
   * @param lower lower clamp bound (a number; for a date column its ISO date, e.g. "2020-01-01") or null
   * @param upper upper clamp bound (likewise) or null
   * @param publicValues the declared public domain, or null
   */
  public record ColumnJson(String name, String type, Object lower, Object upper, List<String> publicValues) {}

  /**
   * A dataset in JSON.
   *
   * @param name dataset id
   * @param table SQL table name
   * @param source source kind and location, e.g. {@code csv /data/ratings.csv}
   * @param privacyUnit the unit column, or {@code row}
   * @param maxGroupsContributed G
   * @param maxRowsPerGroup R
   * @param budget lifetime total
   * @param defaults per-query default loss
   * @param ledger ledger location
   * @param columns declared columns
   */
  public record DatasetJson(String name, String table, String source, String privacyUnit, int maxGroupsContributed,
      int maxRowsPerGroup, LossView budget, LossView defaults, String ledger, List<ColumnJson> columns) {}

  /** Prints the declaration in {@code format} (CSV prints the columns table). */
  public static void print(Dataset d, OutputFormat format, PrintWriter out) {
    switch (format) {
      case TABLE -> table(d).forEach(out::println);
      case CSV -> csv(d).forEach(out::println);
      case JSON, JSONL -> out.println(Wire.write(json(d)));
      case MARKDOWN -> markdown(d).forEach(out::println);
    }
    out.flush();
  }

  /** The JSON object. */
  public static DatasetJson json(Dataset d) {
    List<ColumnJson> cols = d.columns().stream().map(c -> new ColumnJson(c.name(), c.type().name().toLowerCase(),
        jsonBound(c, c.lower()), jsonBound(c, c.upper()), c.publicValues().orElse(null))).toList();
    return new DatasetJson(d.name(), d.table(), source(d.source()), unit(d.unit()), d.maxGroupsContributed(),
        d.maxRowsPerGroup(), LossView.of(d.budget()), LossView.of(d.defaults()), redact(d.ledger()), cols);
  }

  /** The columns as CSV. */
  public static List<String> csv(Dataset d) {
    List<String> lines = new ArrayList<>();
    lines.add(Csv.line(List.of("column", "type", "lower", "upper", "public_values")));
    for (Column c : d.columns()) {
      lines.add(Csv.line(List.of(c.name(), c.type().name().toLowerCase(), bound(c, c.lower()),
          bound(c, c.upper()), c.publicValues().map(v -> String.join("|", v)).orElse(""))));
    }
    return lines;
  }

  /** The human-readable report. */
  public static List<String> table(Dataset d) {
    return report(d, false);
  }

  /** The report with Markdown tables. */
  public static List<String> markdown(Dataset d) {
    return report(d, true);
  }

  private static List<String> report(Dataset d, boolean markdown) {
    List<String> lines = new ArrayList<>();
    TextTable head = TextTable.leftAligned(List.of("property", "value"));
    head.add(List.of("dataset", d.name()));
    head.add(List.of("table", d.table()));
    head.add(List.of("source", source(d.source())));
    head.add(List.of("privacy unit", unit(d.unit())));
    head.add(List.of("max groups per unit (G)", String.valueOf(d.maxGroupsContributed())));
    head.add(List.of("max rows per group (R)", String.valueOf(d.maxRowsPerGroup())));
    d.maxRowsPerUnit().ifPresent(c -> head.add(List.of("max rows per unit (C)", String.valueOf(c))));
    head.add(List.of("budget (lifetime)", LossView.of(d.budget()).text()));
    head.add(List.of("default per query", LossView.of(d.defaults()).text()));
    head.add(List.of("ledger", redact(d.ledger())));
    lines.addAll(markdown ? head.markdown() : head.lines().subList(2, head.lines().size()));
    lines.add("");
    TextTable cols = TextTable.leftAligned(List.of("column", "type", "bounds", "public values"));
    for (Column c : d.columns()) {
      String bounds = c.isBounded() ? "[" + bound(c, c.lower()) + ", " + bound(c, c.upper()) + "]"
          : c.autoBounds().map(a -> "auto (estimated with DP once, epsilon "
              + a.epsilon().stripTrailingZeros().toPlainString() + ", see explain)")
              .orElse("none (group, filter, count only)");
      cols.add(List.of(c.name(), c.type().name().toLowerCase(), bounds,
          c.publicValues().map(v -> v.size() + ": " + String.join(", ", v)).orElse("none (partition selection)")));
    }
    lines.addAll(cols.lines(markdown));
    return lines;
  }

  /** A bound as JSON: a number, or for a date column its ISO date (dates' bounds are held as epoch days). */
  private static Object jsonBound(Column c, java.util.OptionalDouble b) {
    if (b.isEmpty()) {
      return null;
    }
    return c.type() == ColumnType.DATE ? bound(c, b) : (Object) b.getAsDouble();
  }

  /** A bound as the YAML writes it: a number, or for a date column its ISO date; empty when absent. */
  private static String bound(Column c, java.util.OptionalDouble b) {
    if (b.isEmpty()) {
      return "";
    }
    double v = b.getAsDouble();
    if (c.type() == ColumnType.DATE) {
      return java.time.LocalDate.ofEpochDay((long) v).toString();
    }
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : Numbers.exactDouble(v);
  }

  private static String unit(PrivacyUnit u) {
    return u instanceof PrivacyUnit.ByColumn c ? c.column() : "row";
  }

  private static String source(Source s) {
    if (s instanceof Source.Csv c) {
      return "csv " + c.path();
    }
    if (s instanceof Source.Parquet p) {
      return "parquet " + p.path();
    }
    Source.Jdbc j = (Source.Jdbc) s;
    return "jdbc " + redact(j.url()) + " table " + j.table();
  }

  /** A location with any password parameter hidden. */
  public static String redact(String location) {
    return location == null ? "" : SECRET.matcher(location).replaceAll("$1=***");
  }
}
