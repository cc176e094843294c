package org.dpq.cli.shell;

import java.util.ArrayList;
import java.util.List;
import org.dpq.engine.catalog.Column;
import org.dpq.engine.catalog.Dataset;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;

/**
 * Completes SQL keywords and functions, the dataset's table name and its declared column names (from the YAML,
 * never from data). Keywords complete in the case the word was started in.
 */
final class SqlCompleter implements Completer {
  static final List<String> KEYWORDS = List.of("SELECT", "FROM", "WHERE", "GROUP", "BY", "HAVING", "ORDER", "LIMIT",
      "AS", "AND", "OR", "NOT", "IN", "BETWEEN", "LIKE", "IS", "NULL", "CASE", "WHEN", "THEN", "ELSE",
      "END", "DISTINCT", "ASC", "DESC", "COUNT", "SUM", "AVG", "AVG_PER_UNIT", "VAR_POP", "VARIANCE", "STDDEV",
      "STDDEV_POP", "COALESCE", "CAST");

  private final List<String> names = new ArrayList<>();

  SqlCompleter(Dataset dataset) {
    names.add(dataset.table());
    for (Column c : dataset.columns()) {
      names.add(c.name());
    }
  }

  @Override
  public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
    String word = line.word().substring(0, Math.min(line.wordCursor(), line.word().length()));
    boolean lower = !word.isEmpty() && Character.isLowerCase(word.charAt(0));
    for (String k : KEYWORDS) {
      String text = lower ? k.toLowerCase(java.util.Locale.ROOT) : k;
      candidates.add(new Candidate(text, text, "keyword", null, null, null, true));
    }
    for (String n : names) {
      candidates.add(new Candidate(n, n, "name", null, null, null, true));
    }
  }
}
