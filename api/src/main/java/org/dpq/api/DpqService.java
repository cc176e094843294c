package org.dpq.api;

import java.util.List;
import org.dpq.budget.LedgerEntry;
import org.dpq.budget.VerifyReport;
import org.dpq.engine.Explanation;
import org.dpq.engine.QueryOptions;
import org.dpq.engine.QueryResult;

/**
 * The one command interface of dpq, over "embedded" (the engine in this process) and "remote" (a dpq server
 * over HTTPS). The CLI's query, explain, budget (status, history, verify) and datasets commands and the server's HTTP handlers are written
 * against it once. Owns nothing of privacy itself: every implementation ends in the engine's query path, which
 * charges before data is read; a remote implementation never decides who the analyst is (the server does).
 */
public interface DpqService extends AutoCloseable {

  /** The datasets this caller may query, by name. */
  List<String> datasets();

  /** Answers one query with noise, charging the ledger first (see the engine's {@code Dpq.query}). */
  QueryResult query(String dataset, String sql, QueryOptions options);

  /** What the query would do and cost, without reading data or charging. */
  Explanation explain(String dataset, String sql, QueryOptions options);

  /** The budget this caller may see: an analyst their own allocation, an officer the dataset and every share. */
  BudgetView budget(String dataset);

  /**
   * Every entry of the dataset's ledger, in chain order: who asked what, when, at what cost, and what was
   * released. An officer's view (remotely, an analyst is refused: the history names every analyst).
   */
  List<LedgerEntry> history(String dataset);

  /** Recomputes the dataset's hash chain and balances, naming the first bad entry. An officer's check. */
  VerifyReport verify(String dataset);

  @Override
  void close();
}
