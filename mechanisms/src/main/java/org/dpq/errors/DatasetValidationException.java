package org.dpq.errors;

import java.util.List;
import java.util.Set;

/**
 * A dataset YAML that cannot be used, with every problem found (not just the first), each prefixed by its key
 * path such as {@code columns.income.upper: must be > lower (0)}. Owns the rule that no dataset with missing
 * or inconsistent contribution bounds, column bounds or budget ever reaches the query path.
 */
public final class DatasetValidationException extends DpqException {
  private static final long serialVersionUID = 1L;

  /** The problems, in the order they were found; never empty. */
  private final List<String> problems;

  /**
   * @param source what was read (a file name, or a short description such as "dataset YAML")
   * @param problems every problem found, each starting with its key path
   */
  public DatasetValidationException(String source, List<String> problems) {
    super(message(source, problems), Set.of(), null);
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a validation failure needs at least one problem");
    }
    this.problems = List.copyOf(problems);
  }

  /** Every problem found, each starting with its key path. */
  public List<String> problems() {
    return problems;
  }

  private static String message(String source, List<String> problems) {
    StringBuilder b = new StringBuilder(source).append(" has ").append(problems.size())
        .append(problems.size() == 1 ? " problem" : " problems").append(" to fix:");
    for (String p : problems) {
      b.append(System.lineSeparator()).append("  - ").append(p);
    }
    return b.toString();
  }
}
