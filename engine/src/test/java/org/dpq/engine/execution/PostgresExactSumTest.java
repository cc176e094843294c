package org.dpq.engine.execution;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link ExactSumContract} on PostgreSQL: per order of the rows (each its own table, loaded in that order), one
 * backend without parallel workers and one that forces parallel aggregation (4 workers, no setup cost).
 */
class PostgresExactSumTest extends ExactSumContract {
  private static final String PARALLEL = "-c max_parallel_workers_per_gather=4 -c parallel_setup_cost=0 "
      + "-c parallel_tuple_cost=0 -c min_parallel_table_scan_size=0";
  private PostgresTestServer server;
  private final List<Backend> open = new ArrayList<>();

  @Override
  protected List<Run> open(TestTable table, Path work) throws Exception {
    if (server == null) {
      server = PostgresTestServer.schema("dpq_exact");
    }
    String name = "exact_" + table.csv().getParent().getFileName();
    server.loadCsv(name, table.postgresColumns(), table.csv());
    server.execute("ANALYZE " + server.schema() + "." + name);
    List<Run> runs = new ArrayList<>();
    String serial = server.sourceYaml(name).replace("?", "?options="
        + URLEncoder.encode("-c max_parallel_workers_per_gather=0", StandardCharsets.UTF_8) + "&");
    String parallel = server.sourceYaml(name).replace("?", "?options="
        + URLEncoder.encode(PARALLEL, StandardCharsets.UTF_8) + "&");
    for (String[] source : new String[][] {{"serial", serial}, {"parallel", parallel}}) {
      PostgresBackend b = PostgresBackend.open(table.dataset(source[1], 2, 3));
      open.add(b);
      runs.add(new Run(source[0], b.dialect(), b::execute));
    }
    return runs;
  }

  @Override
  protected void cleanUp() {
    open.forEach(Backend::close);
    if (server != null) {
      server.close();
    }
  }
}
