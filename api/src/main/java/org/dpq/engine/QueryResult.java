package org.dpq.engine;

import java.util.List;
import org.dpq.mechanisms.PrivacyLoss;

/**
 * A released answer: only noisy aggregates and keys that passed public domains or partition selection, the
 * privacy loss charged for it, and what remains of the dataset's budget. Everything in it is safe to show.
 *
 * @param columns output column names
 * @param rows released rows, each with one cell per column
 * @param cost the loss charged for this answer (zero when {@code reused})
 * @param remaining the dataset's remaining budget after this answer
 * @param reused true when this is the stored answer of an identical earlier query (no charge)
 * @param ledgerSequence the ledger entry of the charge that paid for this answer
 */
public record QueryResult(List<String> columns, List<List<Cell>> rows, PrivacyLoss cost, PrivacyLoss remaining,
    boolean reused, long ledgerSequence) {

  public QueryResult {
    columns = List.copyOf(columns);
    rows = rows.stream().map(List::copyOf).toList();
  }

  /** The released value at a row and column, for convenience. */
  public Object value(int row, int column) {
    return rows.get(row).get(column).value();
  }

  /** The released value at a row and named column (case-insensitive). */
  public Object value(int row, String column) {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).equalsIgnoreCase(column)) {
        return value(row, i);
      }
    }
    throw new IllegalArgumentException("no column '" + column + "' in the result; columns are " + columns);
  }
}
