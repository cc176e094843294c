package org.dpq.engine.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.dpq.engine.Dpq;
import org.dpq.engine.QueryResult;
import org.dpq.engine.PumsFiles;
import org.dpq.engine.TestSeams;
import org.dpq.engine.catalog.Dataset;
import org.dpq.testing.RequiresPostgres;
import org.dpq.errors.BackendException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PostgreSQL backend on a real server: how YAML names and types map to the table's, that errors carry
 * neither data values nor credentials, that the bounded SQL runs read-only, and the facade end to end.
 */
@RequiresPostgres
class PostgresBackendTest {
  private static final String SECRET_VALUE = "secret-value-8841";
  private static PostgresTestServer server;
  private static final TestTable PUMS = TestTable.pums("PUMS_dup.csv");

  @BeforeAll
  static void load() throws Exception {
    server = PostgresTestServer.schema("dpq_pgbackend");
    server.loadCsv("pums", PUMS.postgresColumns(), PUMS.csv());
    // The same rows under upper- and mixed-case names, in a table whose name needs quoting.
    server.execute("CREATE TABLE " + server.schema() + ".\"PumsMixed\" AS SELECT age AS \"AGE\", sex AS \"Sex\", "
            + "educ AS \"EDUC\", race, income AS \"Income\", married, pid AS \"PID\" FROM " + server.schema() + ".pums",
        "CREATE TABLE " + server.schema() + ".twice (age integer, \"AGE\" integer, sex text, educ text, race text, "
            + "income double precision, married text, pid integer)",
        "CREATE TABLE " + server.schema() + ".texty (age text, sex text, educ text, race text, "
            + "income double precision, married text, pid integer)",
        "INSERT INTO " + server.schema() + ".texty VALUES ('" + SECRET_VALUE + "', '1', '9', '1', 5, '1', 1)");
  }

  @AfterAll
  static void drop() {
    if (server != null) {
      server.close();
    }
  }

  private static Dataset pums(String table) {
    return PUMS.dataset(server.sourceYaml(table), 1, 1);
  }

  private static long count(Backend b) {
    return (Long) b.execute("SELECT COUNT(*) FROM \"pums\"").get(0)[0];
  }

  @Test
  void exposesTheTableUnderTheDatasetNameWithTheDeclaredTypes() {
    try (PostgresBackend b = PostgresBackend.open(pums("pums"))) {
      assertEquals(1948L, count(b));
      Object[] row = b.execute("SELECT age, sex, income, pid FROM \"pums\" ORDER BY pid LIMIT 1").get(0);
      assertInstanceOf(Long.class, row[0], "int columns are bigint, as on DuckDB");
      assertInstanceOf(String.class, row[1]);
      assertInstanceOf(Double.class, row[2]);
      assertEquals(1L, row[3]);
      assertTrue(b.exposure().startsWith("WITH \"pums\" AS (SELECT CAST(\"age\" AS bigint) AS \"age\""),
          b.exposure());
    }
  }

  @Test
  void namesMatchCaseInsensitivelyAndTheYamlCaseIsWhatTheRewriteSees() {
    Dataset mixed = PUMS.dataset(server.sourceYaml("pumsmixed"), 1, 2);
    try (PostgresBackend b = PostgresBackend.open(mixed); PostgresBackend plain = PostgresBackend.open(pums("pums"))) {
      assertTrue(b.exposure().contains("FROM \"" + server.schema() + "\".\"PumsMixed\""), b.exposure());
      assertTrue(b.exposure().contains("CAST(\"AGE\" AS bigint) AS \"age\""), b.exposure());
      String sql = "SELECT sex, COUNT(*) AS n, SUM(income) AS s, AVG(age) AS a FROM pums GROUP BY sex";
      BoundedRows.run(plain, PUMS.dataset(server.sourceYaml("pums"), 1, 2), sql, 7L)
          .assertSameAs(BoundedRows.run(b, mixed, sql, 7L), "mixed-case table and columns");
    }
  }

  @Test
  void twoColumnsDifferingOnlyInCaseAreAnError() {
    BackendException e = assertThrows(BackendException.class, () -> PostgresBackend.open(pums("twice")));
    assertTrue(e.getMessage().contains("more than one column named age"), e.getMessage());
  }

  @Test
  void missingTablesColumnsAndIncompatibleTypesAreReportedWhenOpening() {
    BackendException noTable = assertThrows(BackendException.class, () -> PostgresBackend.open(pums("nosuch")));
    assertTrue(noTable.getMessage().contains("names no table or view"), noTable.getMessage());
    BackendException typed = assertThrows(BackendException.class, () -> PostgresBackend.open(pums("texty")));
    assertTrue(typed.getMessage().contains("age (declared int, PostgreSQL type text)"), typed.getMessage());
    assertFalse(typed.getMessage().contains(SECRET_VALUE));
    TestTable extra = new TestTable("pums", PUMS.csv(), PUMS.postgresColumns(), "pid",
        PUMS.columnsYaml() + "zip: { type: string }\n");
    BackendException missing = assertThrows(BackendException.class,
        () -> PostgresBackend.open(extra.dataset(server.sourceYaml("pums"), 1, 1)));
    assertTrue(missing.getMessage().contains("has no column named zip"), missing.getMessage());
  }

  @Test
  void failuresNameTheSqlStateButNeitherDataValuesNorCredentials() throws Exception {
    TestTable asText = new TestTable("pums", PUMS.csv(), PUMS.postgresColumns(), "pid",
        PUMS.columnsYaml().replace("age:     { type: int, lower: 0, upper: 100 }", "age: { type: string }"));
    try (PostgresBackend b = PostgresBackend.open(asText.dataset(server.sourceYaml("texty"), 1, 1))) {
      BackendException e = assertThrows(BackendException.class,
          () -> b.execute("SELECT CAST(age AS integer) FROM \"pums\""));
      assertTrue(e.getMessage().contains("[SQLState 22P02]"), e.getMessage());
      assertFalse(e.getMessage().contains(SECRET_VALUE), e.getMessage());
    }
    String wrongPassword = "wrong-password-5521";
    String url = PostgresTestServer.url().replaceAll("password=[^&;]*", "password=" + wrongPassword);
    assertTrue(url.contains(wrongPassword), "DPQ_PG_URL carries a password parameter");
    BackendException auth = assertThrows(BackendException.class, () -> PostgresBackend.open(PUMS.dataset(
        "{ jdbc: { url: '" + url + "', table: " + server.schema() + ".pums } }", 1, 1)));
    assertTrue(auth.getMessage().contains("[SQLState 28P01]"), auth.getMessage());
    assertFalse(auth.getMessage().contains(wrongPassword), auth.getMessage());
    assertFalse(auth.getMessage().contains("user="), auth.getMessage());
  }

  @Test
  void anUnreachableServerIsAConnectionErrorWithoutTheUrl() {
    String url = "jdbc:postgresql://127.0.0.1:1/dpq?user=someone&password=pw-9931";
    BackendException e = assertThrows(BackendException.class,
        () -> PostgresBackend.open(PUMS.dataset("{ jdbc: { url: '" + url + "', table: pums } }", 1, 1)));
    assertTrue(e.getMessage().contains("could not connect"), e.getMessage());
    assertFalse(e.getMessage().contains("pw-9931") || e.getMessage().contains("someone"), e.getMessage());
  }

  @Test
  void theBoundedSqlRunsInAReadOnlyTransaction() throws Exception {
    try (PostgresBackend b = PostgresBackend.open(pums("pums"))) {
      BackendException e = assertThrows(BackendException.class,
          () -> b.execute("DELETE FROM " + server.schema() + ".pums RETURNING 1"));
      assertTrue(e.getMessage().contains("[SQLState 25006]"), e.getMessage());
      assertEquals(1948L, count(b));
    }
    try (Connection c = server.connect(); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT COUNT(*) FROM " + server.schema() + ".pums")) {
      r.next();
      assertEquals(1948L, r.getLong(1));
    }
  }

  @Test
  void concurrentQueriesEachGetTheirOwnAnswer() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (PostgresBackend b = PostgresBackend.open(pums("pums"))) {
      List<Future<Long>> answers = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        int age = 20 + i;
        answers.add(pool.submit(() -> (Long) b.execute("SELECT COUNT(*) FROM \"pums\" WHERE age = " + age).get(0)[0]));
      }
      for (int i = 0; i < 16; i++) {
        long expected = (Long) b.execute("SELECT COUNT(*) FROM \"pums\" WHERE age = " + (20 + i)).get(0)[0];
        assertEquals(expected, answers.get(i).get());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aClosedBackendRefusesQueries() {
    PostgresBackend b = PostgresBackend.open(pums("pums"));
    b.close();
    assertThrows(BackendException.class, () -> count(b));
  }

  @Test
  void theFacadeRoutesAPostgresSourceAndReleasesWhatDuckDbReleases(@TempDir Path dir) throws Exception {
    String yaml = Files.readString(PumsFiles.pumsYaml(dir.resolve("duck"), "PUMS_dup.csv", "pid", 1, 2, "50"));
    Path pg = Files.createDirectories(dir.resolve("pg")).resolve("pums.yaml");
    Files.writeString(pg, yaml.replaceFirst("source: \\{ csv: \"[^\"]*\" }", "source: " + server.sourceYaml("pums")));
    String sql = "SELECT sex, COUNT(*) AS n, SUM(income) AS total, AVG(age) AS mean FROM pums GROUP BY sex";
    try (Dpq onDuck = TestSeams.openWithoutNoise(dir.resolve("duck/pums.yaml")); Dpq onPg = TestSeams.openWithoutNoise(pg)) {
      QueryResult a = onDuck.query(sql);
      QueryResult b = onPg.query(sql);
      assertEquals(2, a.rows().size());
      for (int row = 0; row < 2; row++) {
        for (String column : List.of("sex", "n", "total", "mean")) {
          assertEquals(a.value(row, column), b.value(row, column), column + " of row " + row);
        }
      }
    }
  }

  /** Ctrl-C in the shell reaches PostgreSQL: the running statement is cancelled and fails as a BackendException. */
  @Test
  @org.junit.jupiter.api.Timeout(120)
  void cancelRunningStopsTheQueryItIsRunning() throws Exception {
    try (PostgresBackend b = PostgresBackend.open(pums("pums"))) {
      assertEquals(0, b.cancelRunning(), "nothing runs yet");
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
      try {
        java.util.concurrent.Future<java.util.List<Object[]>> running =
            pool.submit(() -> b.execute("SELECT pg_sleep(600)"));
        while (!running.isDone()) {
          b.cancelRunning();
          Thread.sleep(20);
        }
        var failure = assertThrows(java.util.concurrent.ExecutionException.class, running::get);
        assertInstanceOf(BackendException.class, failure.getCause());
        assertEquals(0, b.cancelRunning(), "the cancelled statement is no longer registered");
      } finally {
        pool.shutdownNow();
      }
    }
  }
  /**
   * One Ctrl-C is enough, even when it comes before PostgreSQL has started the statement (here: as soon as the
   * statement is registered, usually while the transaction's limits are still being set): the request is repeated
   * until the statement ends. With a single {@code Statement.cancel()}, a request that arrives between two statements
   * or before the query reached the server is lost and the query sleeps on.
   */
  @Test
  @org.junit.jupiter.api.Timeout(120)
  void oneCancelStopsTheQueryEvenWhenItComesBeforeTheStatementStarts() throws Exception {
    try (PostgresBackend b = PostgresBackend.open(pums("pums"))) {
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
      try {
        java.util.concurrent.Future<java.util.List<Object[]>> running =
            pool.submit(() -> b.execute("SELECT pg_sleep(600)"));
        while (b.cancelRunning() == 0 && !running.isDone()) {
          Thread.onSpinWait(); // ask again only until the statement is registered, then never again
        }
        var failure = assertThrows(java.util.concurrent.ExecutionException.class, running::get);
        assertInstanceOf(BackendException.class, failure.getCause());
        assertEquals(0, b.cancelRunning(), "the cancelled statement is no longer registered");
      } finally {
        pool.shutdownNow();
      }
    }
  }
}
