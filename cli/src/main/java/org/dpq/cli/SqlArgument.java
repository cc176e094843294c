package org.dpq.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The query text: given on the command line, or read from standard input when it is {@code -}. */
final class SqlArgument {
  private SqlArgument() {}

  static String text(String argument, InputStream stdin) {
    String sql = argument;
    if ("-".equals(argument)) {
      try {
        sql = new String(stdin.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the query from standard input", e);
      }
    }
    if (sql.isBlank()) {
      throw new CliUsageException("the SQL query is empty");
    }
    return sql.strip();
  }
}
