package org.dpq.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.dpq.cli.output.OutputFormat;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** The {@code --format} and {@code --output FILE} options: how and where a command prints its result. */
public final class FormatOption {
  @Option(names = {"--format", "-f"}, paramLabel = "FORMAT", defaultValue = "table",
      converter = FormatConverter.class, completionCandidates = FormatConverter.Names.class,
      description = "Output format: table or markdown (for people), csv, json or jsonl (for programs). "
          + "Default: ${DEFAULT-VALUE}.")
  OutputFormat format;

  @Option(names = {"--output", "-o"}, paramLabel = "FILE",
      description = "Write the result to FILE instead of standard output (written only when the command "
          + "succeeds; an existing file is replaced). Messages and warnings still go to standard error.")
  Path output;

  /** The chosen format. */
  public OutputFormat format() {
    return format;
  }

  /**
   * Runs {@code body} with the writer the result goes to: the command's standard output, or a buffer written to
   * {@code --output FILE} once {@code body} has returned (a failed command leaves no partial file).
   */
  public void print(CommandSpec spec, Consumer<PrintWriter> body) {
    if (output == null) {
      PrintWriter out = spec.commandLine().getOut();
      body.accept(out);
      out.flush();
      return;
    }
    StringWriter buffer = new StringWriter();
    PrintWriter out = new PrintWriter(buffer);
    body.accept(out);
    out.flush();
    try {
      Path parent = output.toAbsolutePath().getParent();
      if (parent != null && !Files.isDirectory(parent)) {
        throw new CliUsageException("--output: no such directory: " + parent);
      }
      Files.writeString(output, buffer.toString(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CliUsageException("--output: cannot write " + output + " (" + e.getClass().getSimpleName() + ")");
    }
  }
}
