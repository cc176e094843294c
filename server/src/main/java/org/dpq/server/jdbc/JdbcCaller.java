package org.dpq.server.jdbc;

import java.util.List;
import org.dpq.client.Wire;
import org.dpq.engine.QueryResult;
import org.dpq.engine.catalog.Dataset;

/**
 * What the JDBC endpoint may do for one authenticated principal. The server implements it over the same per-principal
 * service as its HTTP API, so invariant 8 holds here as there: the principal is fixed by the token, only the datasets
 * served to it are visible, and every query is charged to its own allocation and checked exactly like
 * {@code POST /v1/datasets/{name}/query}.
 */
public interface JdbcCaller {
  /** The principal's name (from the token, never from the client). */
  String name();

  /** The catalog entries (names, tables, declared columns) of the datasets this principal may query. */
  List<Dataset> datasets();

  /** Answers a query as the HTTP API does for the same request body: same checks, noise, release and charge. */
  QueryResult query(String dataset, Wire.QueryRequest request);
}
