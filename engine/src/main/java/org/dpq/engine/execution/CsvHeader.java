package org.dpq.engine.execution;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.dpq.errors.BackendException;

/**
 * Reads the header row of a CSV file (by default comma-separated and {@code "}-quoted; UTF-8, optional byte-order
 * mark) so that
 * DuckDB is told the columns instead of sniffing them. Owns one privacy property: DuckDB's sniffer, given a
 * ragged file, may take a data row for the header, and its column names (data values) would then reach error
 * messages; with the header read here, no data row is ever used as a name.
 */
final class CsvHeader {
  /** A header longer than this is not a header (e.g. a file without line breaks). */
  private static final int MAX_CHARS = 1 << 20;

  private CsvHeader() {}

  /**
   * The header's column names, stripped of surrounding blanks.
   *
   * @throws BackendException when the file cannot be read or has no header row (messages carry no content)
   */
  static List<String> read(Path file) {
    return read(file, ',', '"');
  }

  /** The first row's cells with this delimiter and quote (the column names, or the width of a headerless file). */
  static List<String> read(Path file, char delimiter, char quote) {
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return parse(in, file, delimiter, quote);
    } catch (IOException e) {
      throw new BackendException("cannot read the header row of " + file + " (" + e.getClass().getSimpleName()
          + "); check that it is a readable UTF-8 CSV file");
    }
  }

  static List<String> parse(BufferedReader in, Path file) throws IOException {
    return parse(in, file, ',', '"');
  }

  static List<String> parse(BufferedReader in, Path file, char delimiter, char quote) throws IOException {
    List<String> names = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    boolean quoted = false;
    boolean any = false;
    int read = 0;
    for (int ch = in.read(); ch >= 0; ch = in.read()) {
      if (++read > MAX_CHARS) {
        throw new BackendException("the first line of " + file + " is longer than " + MAX_CHARS
            + " characters, so it is not a header row; the CSV source needs a header row naming its columns");
      }
      if (read == 1 && ch == '\uFEFF') {
        continue;
      }
      any = true;
      if (quoted) {
        if (ch == quote) {
          in.mark(1);
          int next = in.read();
          if (next == quote) {
            cell.append(quote);
          } else {
            quoted = false;
            if (next >= 0) {
              in.reset();
            }
          }
        } else {
          cell.append((char) ch);
        }
      } else if (ch == quote) {
        quoted = true;
      } else if (ch == delimiter) {
        names.add(cell.toString().strip());
        cell.setLength(0);
      } else if (ch == '\n' || ch == '\r') {
        break;
      } else {
        cell.append((char) ch);
      }
    }
    if (!any) {
      throw new BackendException("the CSV source " + file + " is empty; it needs at least a header row");
    }
    names.add(cell.toString().strip());
    return List.copyOf(names);
  }

  /**
   * When a header read as one column holds another likely delimiter (a semicolon, a tab or a pipe), the hint
   * naming it; empty otherwise. Says which character, never the header itself.
   */
  static Optional<String> likelyDelimiter(List<String> header, char delimiter) {
    if (header.size() != 1) {
      return Optional.empty();
    }
    String only = header.get(0);
    for (char c : new char[] {';', '\t', '|', ','}) {
      if (c != delimiter && only.indexOf(c) >= 0) {
        String yaml = c == '\t' ? "\"\\t\"" : "\"" + c + "\"";
        String name = c == ';' ? "semicolons" : c == '\t' ? "tabs" : c == '|' ? "'|'" : "commas";
        return Optional.of("its header row reads as a single column but holds " + name
            + ", so the file is probably separated by them: add delimiter: " + yaml + " under source");
      }
    }
    return Optional.empty();
  }
}
