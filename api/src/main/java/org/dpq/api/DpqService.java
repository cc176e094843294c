package org.dpq.api;

import java.util.List;
import org.dpq.engine.Explanation;
import org.dpq.engine.QueryOptions;
import org.dpq.engine.QueryResult;

/**
 * The one command interface of dpq, over "embedded" (the engine in this process) and "remote" (a dpq server
 * over HTTPS). The CLI's query, explain, budget and datasets commands and the server's HTTP handlers are written
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

  @Override
  void close();
}
