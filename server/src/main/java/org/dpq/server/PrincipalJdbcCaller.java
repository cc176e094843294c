package org.dpq.server;

import java.util.List;
import org.dpq.client.Wire;
import org.dpq.engine.QueryResult;
import org.dpq.engine.catalog.Dataset;
import org.dpq.server.jdbc.JdbcCaller;

/**
 * The JDBC endpoint's view of one principal: the same {@link PrincipalService} and the same request checks as the
 * HTTP API's query route, so a query over JDBC is validated, answered and charged exactly as over HTTP.
 */
record PrincipalJdbcCaller(ServerConfig.Principal principal, PrincipalService service) implements JdbcCaller {
  @Override
  public String name() {
    return principal.name();
  }

  @Override
  public List<Dataset> datasets() {
    return service.datasets().stream().map(n -> service.dpq(n).dataset()).toList();
  }

  @Override
  public QueryResult query(String dataset, Wire.QueryRequest request) {
    return service.query(dataset, DpqServer.sql(request), DpqServer.options(request));
  }
}
