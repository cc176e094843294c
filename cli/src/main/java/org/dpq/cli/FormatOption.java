package org.dpq.cli;

import org.dpq.cli.output.OutputFormat;
import picocli.CommandLine.Option;

/** The {@code --format table|csv|json} option. */
public final class FormatOption {
  @Option(names = {"--format", "-f"}, paramLabel = "FORMAT", defaultValue = "table",
      converter = FormatConverter.class, completionCandidates = FormatConverter.Names.class,
      description = "Output format: table (for people), csv or json (for programs). Default: ${DEFAULT-VALUE}.")
  OutputFormat format;

  /** The chosen format. */
  public OutputFormat format() {
    return format;
  }
}
