package org.dpq.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Where the query text comes from: the {@code SQL} argument, {@code --file FILE}, {@code @FILE} as the argument
 * (the whole file is one query; picocli's own @-file expansion, which would split it into words, is off), or
 * standard input ({@code -}, or no SQL at all when standard input is not a terminal).
 */
public final class SqlInput {
  private static final long MAX_BYTES = 1 << 20;

  @Option(names = "--file", paramLabel = "FILE",
      description = "Read the query from FILE (instead of the SQL argument).")
  Path file;

  @Parameters(index = "0", arity = "0..1", paramLabel = "SQL",
      description = "The query. '-' (or nothing, when standard input is piped) reads it from standard input; "
          + "@FILE reads it from FILE.")
  String sql;

  /**
   * The query text.
   *
   * @param stdin standard input
   * @param stdinIsTerminal true when nobody pipes a query in (then a missing SQL is a usage error, not a wait)
   */
  public String text(InputStream stdin, boolean stdinIsTerminal) {
    if (file != null && sql != null) {
      throw new CliUsageException("give the query either as the SQL argument or with --file, not both");
    }
    String text;
    if (file != null) {
      text = read(file, "--file");
    } else if (sql != null && sql.startsWith("@") && sql.length() > 1) {
      text = read(Path.of(sql.substring(1)), "@FILE");
    } else if ("-".equals(sql) || (sql == null && !stdinIsTerminal)) {
      try {
        text = new String(stdin.readNBytes((int) MAX_BYTES + 1), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new CliUsageException("cannot read the query from standard input (" + e.getClass().getSimpleName()
            + ")");
      }
    } else if (sql == null) {
      throw new CliUsageException("missing the SQL query: give it as an argument, with --file FILE, or on "
          + "standard input");
    } else {
      text = sql;
    }
    if (text.isBlank()) {
      throw new CliUsageException("the SQL query is empty");
    }
    return text.strip();
  }

  private static String read(Path path, String what) {
    if (!Files.isRegularFile(path)) {
      throw new CliUsageException(what + ": no such file: " + path);
    }
    try {
      if (Files.size(path) > MAX_BYTES) {
        throw new CliUsageException(what + ": " + path + " is larger than 1 MB; a query is at most 100 KB");
      }
      return Files.readString(path, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CliUsageException(what + ": cannot read " + path + " (" + e.getClass().getSimpleName() + ")");
    }
  }
}
