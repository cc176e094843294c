package org.dpq.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.calcite.avatica.AvaticaSqlException;
import org.dpq.client.Wire;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JDBC endpoint through Calcite's Avatica remote driver, in this JVM, against a real {@code dpq serve} process:
 * browsing shows only the caller's datasets and their declared columns; a grouped SELECT is answered through the
 * HTTP API's release path and charged to the caller's allocation (the same query over HTTP afterwards is the stored
 * answer of that very charge); rejections and budget exhaustion arrive as SQLExceptions with the HTTP API's
 * messages and cost nothing; connection state and user names cannot cross principals.
 */
class JdbcEndpointTest {
  @TempDir static Path dir;
  static ServerFixture fx;
  static ServerProcess server;

  static final String GROUPED = "SELECT rating, COUNT(*) AS n FROM ratings GROUP BY rating";

  @BeforeAll
  static void start() throws Exception {
    fx = new ServerFixture(dir, "", "3.0", "0.5");
    server = ServerProcess.start(fx.config, true, Map.of());
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  static String url(String serialization, String query) {
    return "jdbc:avatica:remote:url=" + server.url + "/avatica" + query + ";serialization=" + serialization;
  }

  static Connection connect(String principal, String serialization, Properties extra) throws SQLException {
    Properties p = new Properties();
    p.setProperty("authentication", "BASIC");
    p.setProperty("avatica_user", principal);
    p.setProperty("avatica_password", fx.token(principal));
    if (extra != null) {
      p.putAll(extra);
    }
    return DriverManager.getConnection(url(serialization, ""), p);
  }

  static Properties epsilon(String epsilon) {
    Properties p = new Properties();
    p.setProperty("epsilon", epsilon);
    return p;
  }

  static JsonNode api(String method, String path, String principal, String body) throws Exception {
    return Wire.mapper().readTree(Http.send(server.url + path, method, "Bearer " + fx.token(principal), body).body());
  }

  /** What the principal has spent of its allocation on ratings, from the HTTP API's budget endpoint. */
  static BigDecimal spent(String principal) throws Exception {
    JsonNode b = api("GET", "/v1/datasets/ratings/budget", principal, null);
    return new BigDecimal(b.get("allocations").get(0).get("spent").get("epsilon").asText());
  }

  static JsonNode apiQuery(String principal, String sql, String epsilon) throws Exception {
    return api("POST", "/v1/datasets/ratings/query", principal, Wire.mapper().writeValueAsString(
        Map.of("sql", sql, "epsilon", epsilon)));
  }

  /** The HTTP API's message, as the driver reports it after its own prefix (which names the SQL). */
  static void sameMessage(String apiMessage, SQLException e) {
    assertTrue(e.getMessage().endsWith(": " + apiMessage), e.getMessage() + "\n  should end with: " + apiMessage);
  }

  static AvaticaSqlException avatica(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof AvaticaSqlException a) {
        return a;
      }
    }
    throw new AssertionError("no AvaticaSqlException in the chain", e);
  }

  @Test
  void browsingShowsTheCallersDatasetsWithDeclaredColumnsOnly() throws Exception {
    try (Connection c = connect("alice", "JSON", null)) {
      DatabaseMetaData md = c.getMetaData();
      List<String> schemas = new ArrayList<>();
      try (ResultSet rs = md.getSchemas()) {
        while (rs.next()) {
          schemas.add(rs.getString("TABLE_SCHEM"));
        }
      }
      assertEquals(List.of("ratings"), schemas);
      try (ResultSet rs = md.getTables(null, "ratings", "%", null)) {
        assertTrue(rs.next());
        assertEquals("ratings", rs.getString("TABLE_SCHEM"));
        assertEquals("ratings", rs.getString("TABLE_NAME"));
        assertEquals("TABLE", rs.getString("TABLE_TYPE"));
        assertFalse(rs.next());
      }
      List<String> columns = new ArrayList<>();
      try (ResultSet rs = md.getColumns(null, "ratings", "ratings", "%")) {
        while (rs.next()) {
          columns.add(rs.getString("COLUMN_NAME") + ":" + rs.getInt("DATA_TYPE") + ":" + rs.getString("TYPE_NAME")
              + ":" + rs.getInt("ORDINAL_POSITION"));
        }
      }
      assertEquals(List.of("user_id:" + Types.INTEGER + ":INTEGER:1", "product_id:" + Types.INTEGER + ":INTEGER:2",
          "rating:" + Types.INTEGER + ":INTEGER:3"), columns);
      try (ResultSet rs = md.getColumns(null, "ratings", "ratings", "rat%")) {
        assertTrue(rs.next());
        assertEquals("rating", rs.getString("COLUMN_NAME"));
        assertFalse(rs.next());
      }
      try (ResultSet rs = md.getTables(null, "other%", "%", null)) {
        assertFalse(rs.next());
      }
      assertEquals("ratings", c.getSchema(), "the caller's only dataset is the connection's schema");
    }
    // carol holds no allocation: she is served no dataset, so she sees no schema and no table.
    try (Connection c = connect("carol", "JSON", null)) {
      try (ResultSet rs = c.getMetaData().getSchemas()) {
        assertFalse(rs.next());
      }
      try (ResultSet rs = c.getMetaData().getColumns(null, null, "%", "%")) {
        assertFalse(rs.next());
      }
      SQLException e = assertThrows(SQLException.class, () -> c.createStatement().executeQuery(GROUPED));
      assertTrue(e.getMessage().contains(": no dataset chosen for this connection"), e.getMessage());
      c.setSchema("ratings");
      SQLException notServed = assertThrows(SQLException.class, () -> c.createStatement().executeQuery(GROUPED));
      sameMessage(api("POST", "/v1/datasets/ratings/query", "carol", "{\"sql\":\"" + GROUPED + "\"}")
          .get("error").get("message").asText(), notServed);
      assertEquals("3F000", notServed.getSQLState());
    }
  }

  @Test
  void aGroupedQueryIsTheHttpApisAnswerAndChargesTheCallersAllocation() throws Exception {
    String sql = "SELECT rating, COUNT(*) AS n FROM ratings WHERE product_id >= 0 GROUP BY rating";
    BigDecimal before = spent("alice");
    List<List<Object>> jdbcRows = new ArrayList<>();
    try (Connection c = connect("alice", "JSON", epsilon("0.5"));
         Statement s = c.createStatement();
         ResultSet rs = s.executeQuery(sql)) {
      ResultSetMetaData md = rs.getMetaData();
      assertEquals(4, md.getColumnCount());
      assertEquals(List.of("rating", "n", "n_low", "n_high"), List.of(md.getColumnLabel(1), md.getColumnLabel(2),
          md.getColumnLabel(3), md.getColumnLabel(4)));
      while (rs.next()) {
        double n = rs.getDouble("n");
        double low = rs.getDouble("n_low");
        double high = rs.getDouble("n_high");
        assertTrue(low <= n && n <= high && low < high, "the interval holds the value: " + low + " " + n + " " + high);
        jdbcRows.add(List.of(rs.getLong("rating"), n, rs.getDouble("n_low"), rs.getDouble("n_high")));
      }
    }
    assertEquals(0, new BigDecimal("0.5").compareTo(spent("alice").subtract(before)),
        "the JDBC query charged alice's allocation 0.5");
    // The same request over HTTP is the stored answer of the JDBC query's charge: same ledger entry, same values.
    JsonNode http = apiQuery("alice", sql, "0.5");
    assertTrue(http.get("reused").asBoolean(), http.toString());
    assertEquals(0, new BigDecimal("0.5").compareTo(spent("alice").subtract(before)), "and costs nothing more");
    assertEquals("[\"rating\",\"n\"]", http.get("columns").toString());
    assertEquals(5, jdbcRows.size(), "the public domain's five ratings");
    assertEquals(http.get("rows").size(), jdbcRows.size());
    for (int i = 0; i < jdbcRows.size(); i++) {
      JsonNode row = http.get("rows").get(i);
      JsonNode ci = http.get("ci95").get(i).get(1);
      assertEquals(row.get(0).asLong(), jdbcRows.get(i).get(0));
      assertEquals(row.get(1).asDouble(), (double) jdbcRows.get(i).get(1), 0.0);
      assertEquals(ci.get(0).asDouble(), (double) jdbcRows.get(i).get(2), 0.0);
      assertEquals(ci.get(1).asDouble(), (double) jdbcRows.get(i).get(3), 0.0);
    }
    // The ledger records alice as the analyst and the SQL as sent, once.
    JsonNode history = api("GET", "/v1/datasets/ratings/history", "olga", null);
    int charges = 0;
    for (JsonNode e : history) {
      if (sql.equals(e.path("sql").asText()) && "CHARGE".equalsIgnoreCase(e.path("kind").asText())) {
        charges++;
        assertEquals("alice", e.get("analyst").asText());
        assertEquals(0, new BigDecimal("0.5").compareTo(new BigDecimal(e.get("cost").get("epsilon").asText())));
      }
    }
    assertEquals(1, charges, history.toString());
  }

  @Test
  void protobufAndPreparedStatementsAndTheUrlsEpsilonWork() throws Exception {
    String sql = "SELECT rating, COUNT(*) AS n FROM ratings WHERE product_id >= 1 GROUP BY rating";
    BigDecimal before = spent("alice");
    Properties p = new Properties();
    p.setProperty("authentication", "BASIC");
    p.setProperty("avatica_user", "alice");
    p.setProperty("avatica_password", fx.token("alice"));
    try (Connection c = DriverManager.getConnection(url("PROTOBUF", "?dataset=ratings&epsilon=0.25"), p);
         PreparedStatement ps = c.prepareStatement(sql);
         ResultSet rs = ps.executeQuery()) {
      int rows = 0;
      while (rs.next()) {
        rows++;
        assertNotNull(rs.getObject("n_high"));
      }
      assertEquals(5, rows);
    }
    assertEquals(0, new BigDecimal("0.25").compareTo(spent("alice").subtract(before)));
  }

  @Test
  void rejectionsAreTheEnginesWithTheApisMessageAndCostNothing() throws Exception {
    BigDecimal before = spent("alice");
    try (Connection c = connect("alice", "JSON", null)) {
      for (String sql : List.of("SELECT * FROM ratings", "SELECT user_id FROM ratings",
          "DELETE FROM ratings WHERE rating = 1", "INSERT INTO ratings VALUES (1, 2, 3)",
          "CREATE TABLE t (a INT)", "DROP TABLE ratings", "SELECT COUNT(*) FROM ratings.ratings")) {
        SQLException e = assertThrows(SQLException.class, () -> c.createStatement().executeQuery(sql), sql);
        JsonNode api = apiQuery("alice", sql, "1.0").get("error");
        assertEquals("rejected", api.get("code").asText(), sql);
        AvaticaSqlException a = avatica(e);
        sameMessage(api.get("message").asText(), e);
        assertEquals("42000", a.getSQLState(), sql);
        assertEquals(422, a.getErrorCode(), sql);
        assertTrue(a.getStackTraces().stream().noneMatch(t -> t.contains("\tat ")), "no stack frames");
      }
    }
    for (String bad : List.of("-1", "abc", "0")) {
      try (Connection c = connect("alice", "JSON", epsilon(bad))) {
        SQLException e = assertThrows(SQLException.class, () -> c.createStatement().executeQuery(GROUPED), bad);
        JsonNode api = apiQuery("alice", GROUPED, bad).get("error");
        sameMessage(api.get("message").asText(), e);
        assertEquals(bad.equals("abc") ? "HY000" : "22023", e.getSQLState(), bad);
      }
    }
    assertEquals(0, before.compareTo(spent("alice")), "nothing was charged");
  }

  @Test
  void exhaustingTheAllocationGivesTheBudgetErrorAndChargesNothingMore() throws Exception {
    try (Connection c = connect("bob", "JSON", epsilon("0.3"))) {
      try (ResultSet rs = c.createStatement().executeQuery(GROUPED)) {
        assertTrue(rs.next());
      }
      assertEquals(0, new BigDecimal("0.3").compareTo(spent("bob")));
      String second = "SELECT rating, COUNT(*) AS n FROM ratings WHERE rating > 1 GROUP BY rating";
      SQLException e = assertThrows(SQLException.class, () -> c.createStatement().executeQuery(second));
      JsonNode api = apiQuery("bob", second, "0.3").get("error");
      assertEquals("budget_exhausted", api.get("code").asText());
      sameMessage(api.get("message").asText(), e);
      assertEquals("53P01", e.getSQLState());
      assertEquals(409, avatica(e).getErrorCode());
      assertEquals(0, new BigDecimal("0.3").compareTo(spent("bob")), "the refused query cost nothing");
    }
  }

  /** The driver reports an HTTP 401 as an exception naming it (Avatica throws a RuntimeException for it). */
  static void unauthorized(Properties p) {
    Exception e = assertThrows(Exception.class, () -> DriverManager.getConnection(url("JSON", ""), p).close());
    boolean named = false;
    for (Throwable t = e; t != null; t = t.getCause()) {
      named |= String.valueOf(t.getMessage()).contains("HTTP/401");
    }
    assertTrue(named, e.toString());
  }

  @Test
  void tokensDecideThePrincipalAndConnectionsDoNotCrossPrincipals() throws Exception {
    // A user name that is not the token's principal is refused, not used to pick a principal.
    Properties p = new Properties();
    p.setProperty("authentication", "BASIC");
    p.setProperty("avatica_user", "alice");
    p.setProperty("avatica_password", fx.token("bob"));
    unauthorized(p);
    p.setProperty("avatica_user", "");
    try (Connection c = DriverManager.getConnection(url("JSON", ""), p)) {
      assertEquals("ratings", c.getSchema(), "with no user name, the token alone decides: bob's connection");
    }
    p.setProperty("avatica_password", fx.token("alice") + "x");
    unauthorized(p);
    // The token alone, as a bearer token.
    Properties bearer = new Properties();
    bearer.setProperty("authentication", "BEARER");
    bearer.setProperty("bearer_token", fx.token("alice"));
    try (Connection c = DriverManager.getConnection(url("JSON", ""), bearer);
         ResultSet rs = c.getMetaData().getSchemas()) {
      assertTrue(rs.next());
      assertEquals("ratings", rs.getString("TABLE_SCHEM"));
    }
    p.setProperty("avatica_user", "rev");
    p.setProperty("avatica_password", fx.token("rev"));
    unauthorized(p);
    assertEquals(401, Http.send(server.url + "/avatica", "POST", null, "{\"request\":\"openConnection\","
        + "\"connectionId\":\"x\"}").status());

    // Raw Avatica JSON: alice opens a connection; bob cannot run a query on it, and alice is charged nothing.
    BigDecimal before = spent("alice");
    String open = "{\"request\":\"openConnection\",\"connectionId\":\"alice-conn\",\"info\":{\"epsilon\":\"0.1\"}}";
    assertEquals(200, Http.send(server.url + "/avatica", "POST", "Bearer " + fx.token("alice"), open).status());
    String run = "{\"request\":\"prepareAndExecute\",\"connectionId\":\"alice-conn\",\"statementId\":1,"
        + "\"sql\":\"" + GROUPED + "\",\"maxRowCount\":-1}";
    Http.Response bobs = Http.send(server.url + "/avatica", "POST", "Bearer " + fx.token("bob"), run);
    assertEquals(500, bobs.status());
    JsonNode err = Wire.mapper().readTree(bobs.body());
    assertEquals("error", err.get("response").asText(), bobs.body());
    assertFalse(bobs.body().contains("\\tat ") || bobs.body().contains("\tat "), "no stack frames: " + bobs.body());
    Http.Response hijack = Http.send(server.url + "/avatica", "POST", "Bearer " + fx.token("bob"), open);
    assertEquals(500, hijack.status(), "bob cannot reopen alice's connection as his");
    assertEquals(0, before.compareTo(spent("alice")), "bob spent nothing of alice's allocation");
    assertEquals(0, spent("bob").compareTo(spent("bob")));
    Http.Response alices = Http.send(server.url + "/avatica", "POST", "Bearer " + fx.token("alice"), run);
    assertEquals(200, alices.status(), alices.body());
    assertEquals(0, new BigDecimal("0.1").compareTo(spent("alice").subtract(before)));
  }
}
