package org.dpq.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import org.dpq.engine.execution.PostgresTestServer;
import org.dpq.errors.BackendException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * {@code Dpq.builder()} with DataSources on a real PostgreSQL server: the ledger in the DataSource's schema, the
 * backend's connections from the application's pool while the YAML's URL carries no credential (and points
 * nowhere, so only the DataSource can have answered).
 */
class PostgresDataSourceTest {
  private static PostgresTestServer server;

  @TempDir
  Path dir;

  @BeforeAll
  static void load() throws Exception {
    server = PostgresTestServer.schema("dpq_datasource");
    server.execute("CREATE TABLE " + server.schema() + ".people AS SELECT g AS pid, g % 90 AS age, "
        + "CAST(g % 2 AS text) AS sex FROM generate_series(1, 400) g");
  }

  @AfterAll
  static void drop() {
    if (server != null) {
      server.close();
    }
  }

  private PGSimpleDataSource dataSource() {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setURL(PostgresTestServer.url());
    ds.setCurrentSchema(server.schema());
    return ds;
  }

  @Test
  void theLedgerAndTheBackendUseTheApplicationsDataSources() throws Exception {
    Path yaml = dir.resolve("people.yaml");
    Files.writeString(yaml, """
        name: people
        table: people
        source: { jdbc: { url: "jdbc:postgresql://127.0.0.1:1/nowhere", table: %s.people } }
        privacy_unit: pid
        max_groups_contributed: 1
        max_rows_per_group: 1
        budget: { epsilon: 5, delta: 1.0e-5 }
        defaults: { epsilon: 1, delta: 0 }
        columns:
          pid: { type: int }
          age: { type: int, lower: 0, upper: 100 }
          sex: { type: string, public_values: ["0", "1"] }
        """.formatted(server.schema()));
    try (Dpq plain = Dpq.open(yaml)) {
      assertThrows(BackendException.class, () -> plain.query("SELECT COUNT(*) FROM people"),
          "the YAML's URL alone reaches no server");
    }
    try (Dpq dpq = Dpq.builder().dataset(yaml).ledger(dataSource()).backend(dataSource()).build()) {
      QueryResult r = dpq.query("SELECT sex, COUNT(*) AS n FROM people WHERE age >= ? GROUP BY sex",
          QueryOptions.defaults(), 30);
      assertEquals(2, r.rows().size());
      assertEquals(new BigDecimal("1"), dpq.budgetStatus().spent().epsilon().stripTrailingZeros());
      assertTrue(dpq.verify().ok());
    }
    try (org.dpq.budget.Ledger ledger = org.dpq.budget.Ledger.open(dataSource())) {
      assertEquals(new BigDecimal("1"), ledger.status("people").spent().epsilon().stripTrailingZeros(),
          "the charge is in the DataSource's ledger");
    }
    try (Dpq plain = Dpq.open(yaml)) {
      assertEquals(0, plain.budgetStatus().spent().epsilon().signum(), "not in the YAML's default ledger");
    }
  }
}
