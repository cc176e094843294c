package org.dpq.engine.catalog;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The starting dataset YAML that {@code dpq datasets init} writes from a file's structure. Owns the rule that
 * every privacy decision (privacy unit, G, R, budget, per-query defaults, clamp bounds, public values) is left as
 * a {@code TODO} that {@link DatasetLoader} refuses until the owner replaces it: the draft holds column names and
 * types only, so it can never carry a bound or a domain read from the data.
 */
public final class DatasetDraft {
  private DatasetDraft() {}

  /** One column as the file's structure describes it: its name there, the dpq type and the file's own type. */
  public record SniffedColumn(String name, ColumnType type, String fileType) {}

  /**
   * A data file's structure.
   *
   * @param file the file
   * @param parquet Parquet (else CSV)
   * @param delimiter the CSV delimiter found, if any
   * @param quote the CSV quote found, if any
   * @param header whether the CSV's first line names the columns
   * @param dateFormat the strptime format its dates were found in, if any
   * @param columns the columns in file order
   */
  public record Source(Path file, boolean parquet, Optional<Character> delimiter, Optional<Character> quote,
      boolean header, Optional<String> dateFormat, List<SniffedColumn> columns) {
    public Source {
      columns = List.copyOf(columns);
    }
  }

  /**
   * The draft YAML text for {@code source}, to be saved in {@code yamlDir} (the source path is written relative
   * to it).
   */
  public static String yaml(Source source, Path yamlDir) {
    Path file = source.file().toAbsolutePath().normalize();
    Path dir = yamlDir.toAbsolutePath().normalize();
    String relative = (file.startsWith(dir) ? dir.relativize(file) : file).toString().replace('\\', '/');
    String base = file.getFileName().toString().replaceFirst("\\.[^.]*$", "");
    String name = datasetName(base);
    StringBuilder y = new StringBuilder();
    y.append("# Written by dpq datasets init from ").append(file.getFileName()).append(": column names and types come "
        + "from the\n# file's structure (DuckDB's sniffer); no value, minimum, maximum or list of values was taken "
        + "from it.\n# Each TODO is a privacy decision: make it from domain knowledge, never from the data (bounds or "
        + "key lists\n# computed from the data would themselves reveal it). dpq datasets validate refuses the file "
        + "until no TODO\n# is left.\n");
    y.append("name: ").append(name).append('\n');
    y.append("table: ").append(identifier(base, "data")).append('\n');
    y.append("source: { ").append(source.parquet() ? "parquet" : "csv").append(": ").append(quoted(relative));
    if (!source.parquet()) {
      source.delimiter().filter(c -> c != ',').ifPresent(c -> y.append(", delimiter: ").append(quoted(c + "")));
      source.quote().filter(c -> c != '"').ifPresent(c -> y.append(", quote: ").append(quoted(c + "")));
      if (!source.header()) {
        y.append(", header: false");
      }
      source.dateFormat().filter(f -> !f.equals("%Y-%m-%d") && hasDates(source))
          .ifPresent(f -> y.append(", date_format: ").append(quoted(f)));
    }
    y.append(" }\n");
    y.append("privacy_unit: TODO            # the column that identifies a person, or row if every row is a "
        + "different person\n");
    y.append("max_groups_contributed: TODO  # G: the most groups of one query a person may count in, e.g. 1\n");
    y.append("max_rows_per_group: TODO      # R: the most rows a person may contribute to one group, e.g. 1\n");
    y.append("budget: { epsilon: TODO, delta: TODO }     # lifetime total, all analysts together, e.g. 3.0 and "
        + "1.0e-6\n");
    y.append("defaults: { epsilon: TODO, delta: TODO }   # per query when the analyst gives none, e.g. 0.5 and "
        + "1.0e-7\n");
    y.append("columns:\n");
    Set<String> used = new HashSet<>();
    List<SniffedColumn> columns = source.columns();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      String wanted = source.header() ? identifier(columns.get(i).name(), "column_" + (i + 1)) : "column_" + (i + 1);
      String unique = wanted;
      for (int n = 2; !used.add(unique.toLowerCase(Locale.ROOT)); n++) {
        unique = wanted + "_" + n;
      }
      names.add(unique);
    }
    int width = names.stream().mapToInt(String::length).max().orElse(0);
    for (int i = 0; i < columns.size(); i++) {
      SniffedColumn c = columns.get(i);
      String n = names.get(i);
      StringBuilder line = new StringBuilder("  ").append(n).append(": ").append(" ".repeat(width - n.length()))
          .append("{ type: ").append(DatasetValidator.typeName(c.type()));
      if (source.header() && !n.equals(c.name())) {
        line.append(", from: ").append(quoted(c.name()));
      }
      String comment;
      if (c.type().isNumeric()) {
        line.append(", lower: TODO, upper: TODO");
        comment = "clamp bounds, needed to SUM/AVG it; remove both if it is never summed (e.g. an id)";
      } else {
        line.append(", public_values: TODO");
        comment = "the complete list of keys if they are public (e.g. months); else remove the key";
      }
      if (c.type() == ColumnType.STRING && !c.fileType().equals("VARCHAR")) {
        comment += "; the file's type " + c.fileType() + " is read as text";
      }
      y.append(line).append(" }  # ").append(comment).append('\n');
    }
    return y.toString();
  }

  private static boolean hasDates(Source source) {
    return source.columns().stream().anyMatch(c -> c.type() == ColumnType.DATE);
  }

  /** A name made an SQL identifier: lower case, runs of other characters as _, not starting with a digit. */
  static String identifier(String text, String fallback) {
    if (DatasetValidator.isIdentifier(text)) {
      return text;
    }
    String s = text.strip().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]+", "_").replaceAll("^_+|_+$", "");
    if (s.isEmpty()) {
      return fallback;
    }
    if (Character.isDigit(s.charAt(0))) {
      s = "c_" + s;
    }
    return s.length() > DatasetValidator.MAX_IDENTIFIER_LENGTH ? s.substring(0, DatasetValidator.MAX_IDENTIFIER_LENGTH)
        : s;
  }

  private static String datasetName(String base) {
    String s = base.replaceAll("[^A-Za-z0-9_.-]+", "_").replaceAll("^[^A-Za-z0-9]+", "");
    return s.isEmpty() ? "data" : s.length() > 128 ? s.substring(0, 128) : s;
  }

  /** A YAML double-quoted scalar. */
  private static String quoted(String text) {
    StringBuilder b = new StringBuilder("\"");
    for (char ch : text.toCharArray()) {
      switch (ch) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\t' -> b.append("\\t");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        default -> {
          if (ch < 0x20) {
            b.append(String.format("\\x%02x", (int) ch));
          } else {
            b.append(ch);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
