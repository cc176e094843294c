package org.dpq.cli;

import java.util.List;
import java.util.Locale;
import org.dpq.cli.output.OutputFormat;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses {@code table|csv|json|markdown|jsonl} case-insensitively. */
final class FormatConverter implements ITypeConverter<OutputFormat> {
  @Override
  public OutputFormat convert(String value) {
    try {
      return OutputFormat.valueOf(value.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException("'" + value + "' is not a format; use table, csv, json, markdown or jsonl");
    }
  }

  /** Completion candidates in lower case. */
  static final class Names implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
      return List.of("table", "csv", "json", "markdown", "jsonl").iterator();
    }
  }
}
