package org.dpq.budget;

import static org.dpq.budget.Requests.budget;
import static org.dpq.budget.Requests.loss;
import static org.dpq.budget.Requests.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.dpq.errors.LedgerException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Tampering with the stored chain, the way someone with write access to the database (or a bad disk) would:
 * every field of every entry, deleting each entry, swapping neighbours, forging the head. Verify must name the
 * sequence number of the entry concerned, and charges must be refused by a fresh process.
 */
abstract class TamperContract {
  static final String DS = "tampered";
  static final String SECRET = "secret-value-5519";
  static final int LAST = 8;

  /** Per column, an SQL expression that changes its value (the same text works on SQLite and PostgreSQL). */
  static final Map<String, String> CHANGE = Map.ofEntries(
      Map.entry("dataset_id", "'someone-else'"),
      Map.entry("sequence", "sequence + 100"),
      Map.entry("kind", "kind || 'X'"),
      Map.entry("fingerprint", "COALESCE(fingerprint || 'x', 'x')"),
      Map.entry("entry_time", "replace(entry_time, '2', '3')"),
      Map.entry("analyst", "COALESCE(analyst || 'x', 'x')"),
      Map.entry("sql_text", "COALESCE(sql_text || ' ', 'x')"),
      Map.entry("query_key", "COALESCE(query_key || 'x', 'x')"),
      Map.entry("plan_hash", "COALESCE(plan_hash || 'x', 'x')"),
      Map.entry("measurements", "COALESCE(replace(measurements, 'laplace', 'gaussian'), '[]')"),
      Map.entry("cost_epsilon", "COALESCE(cost_epsilon || '1', '0.1')"),
      Map.entry("cost_delta", "COALESCE(cost_delta || '1', '0')"),
      Map.entry("result_json", "COALESCE(replace(result_json, '42', '43'), '{}')"),
      Map.entry("refers_to", "COALESCE(refers_to + 1, 2)"),
      Map.entry("note", "COALESCE(note || 'x', 'x')"),
      Map.entry("spent_epsilon", "spent_epsilon || '1'"),
      Map.entry("spent_delta", "spent_delta || '1'"),
      Map.entry("total_epsilon", "total_epsilon || '1'"),
      Map.entry("total_delta", "total_delta || '1'"),
      Map.entry("previous_hash", "CASE WHEN substr(previous_hash, 1, 1) = 'a' THEN 'b' ELSE 'a' END "
          + "|| substr(previous_hash, 2)"),
      Map.entry("hash", "CASE WHEN substr(hash, 1, 1) = 'a' THEN 'b' ELSE 'a' END || substr(hash, 2)"));

  static final List<String> COLUMNS = List.of("dataset_id", "sequence", "kind", "fingerprint", "entry_time",
      "analyst", "sql_text", "query_key", "plan_hash", "measurements", "cost_epsilon", "cost_delta", "result_json",
      "refers_to", "note", "spent_epsilon", "spent_delta", "total_epsilon", "total_delta", "previous_hash", "hash");

  LedgerTarget target;
  Ledger ledger;
  Connection raw;

  abstract LedgerTarget newTarget();

  @BeforeEach
  void buildChain() {
    target = newTarget();
    ledger = Ledger.open(target.location());
    try {
      raw = target.raw();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    ledger.initialise(DS, "fp-1", budget("3", "0.0001"), "owner");                                   // 1 INIT
    long a = ((ChargeOutcome.Charged) ledger.charge(request(DS, "a", loss("0.2", "0")))).sequence();  // 2 CHARGE
    ledger.recordRelease(DS, a, "{\"rows\":[[\"" + SECRET + "\",42]]}");                              // 3 RELEASE
    long b = ((ChargeOutcome.Charged) ledger.charge(request(DS, "b", loss("0.5", "0.00001")))).sequence(); // 4
    ledger.abandon(DS, b, "backend failed");                                                          // 5 ABANDON
    ledger.raiseTotal(DS, budget("4", "0.0001"), "officer", "grant");                                 // 6 RAISE
    long c = ((ChargeOutcome.Charged) ledger.charge(request(DS, "c", loss("0.25", "0")))).sequence(); // 7 CHARGE
    ledger.recordRelease(DS, c, "{\"rows\":[[\"" + SECRET + "\",42]]}");                              // 8 RELEASE
    assertEquals(LAST, ledger.status(DS).entries());
    assertTrue(ledger.verify(DS).ok());
    try {
      target.dropGuards();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Null-safe: when the target is unreachable the setup aborts (a skip) before anything was opened. */
  @AfterEach
  void close() throws SQLException {
    if (raw != null) {
      raw.close();
    }
    if (ledger != null) {
      ledger.close();
    }
    if (target != null) {
      target.close();
    }
  }

  @TestFactory
  Stream<DynamicTest> changingAnyFieldOfAnyEntryIsReportedWithItsSequence() {
    assertEquals(COLUMNS.size(), CHANGE.size());
    return COLUMNS.stream().map(column -> DynamicTest.dynamicTest(column, () -> {
      for (long seq = 1; seq <= LAST; seq++) {
        List<Object> original = row(seq);
        long newSeq = column.equals("sequence") ? seq + 100 : seq;
        String newDataset = column.equals("dataset_id") ? "someone-else" : DS;
        try (Statement s = raw.createStatement()) {
          assertEquals(1, s.executeUpdate("UPDATE dpq_ledger_entry SET " + column + " = " + CHANGE.get(column)
              + " WHERE dataset_id = '" + DS + "' AND sequence = " + seq));
        }
        List<Object> changed = rowWhere(newDataset, newSeq);
        assertNotEquals(String.valueOf(original), String.valueOf(changed), column + " of entry " + seq + " unchanged");
        expectBadAt(seq, column + " of entry " + seq);
        replace(newDataset, newSeq, original);
      }
    }));
  }

  @TestFactory
  Stream<DynamicTest> deletingAnyEntryIsReportedWithItsSequence() {
    return Stream.iterate(1L, s -> s <= LAST, s -> s + 1).map(seq -> DynamicTest.dynamicTest("delete " + seq, () -> {
      List<Object> original = row(seq);
      execute("DELETE FROM dpq_ledger_entry WHERE dataset_id = '" + DS + "' AND sequence = " + seq);
      expectBadAt(seq, "deleting entry " + seq);
      insert(original);
    }));
  }

  @TestFactory
  Stream<DynamicTest> swappingNeighboursIsReportedAtTheFirstOfThem() {
    return Stream.iterate(1L, s -> s < LAST, s -> s + 1).map(seq -> DynamicTest.dynamicTest("swap " + seq, () -> {
      swap(seq, seq + 1);
      expectBadAt(seq, "swapping entries " + seq + " and " + (seq + 1));
      swap(seq, seq + 1);
    }));
  }

  @TestFactory
  Stream<DynamicTest> forgingTheHeadOrAppendingBehindItIsReported() {
    return Stream.of(
        DynamicTest.dynamicTest("head hash", () -> {
          execute("UPDATE dpq_ledger_head SET last_hash = 'a' || substr(last_hash, 2) WHERE dataset_id = '" + DS + "'");
          execute("UPDATE dpq_ledger_head SET last_hash = 'b' || substr(last_hash, 2) WHERE dataset_id = '" + DS
              + "' AND last_hash = (SELECT hash FROM dpq_ledger_entry WHERE dataset_id = '" + DS + "' AND sequence = "
              + LAST + ")");
          expectBadAt(LAST, "the head hash");
        }),
        DynamicTest.dynamicTest("entry beyond the head", () -> {
          List<Object> copy = new ArrayList<>(row(LAST));
          copy.set(1, (long) LAST + 1);
          insert(copy);
          expectBadAt(LAST + 1, "an entry appended behind the head");
        }));
  }

  private void expectBadAt(long seq, String what) {
    VerifyReport r = ledger.verify(DS);
    assertFalse(r.ok(), what + " went unnoticed");
    assertEquals(seq, r.firstBadSequence().getAsLong(), what + ": " + r.problem());
    assertFalse(r.problem().contains(SECRET), "a verify problem must not quote stored results");
    try (Ledger fresh = Ledger.open(target.location())) {
      LedgerException e = assertThrows(LedgerException.class,
          () -> fresh.charge(request(DS, "after-" + what, loss("0.01", "0"))), what);
      assertFalse(e.getMessage().contains(SECRET));
    }
  }

  private void execute(String statement) throws SQLException {
    try (Statement s = raw.createStatement()) {
      s.executeUpdate(statement);
    }
  }

  private void swap(long a, long b) throws SQLException {
    execute("UPDATE dpq_ledger_entry SET sequence = -1 WHERE dataset_id = '" + DS + "' AND sequence = " + a);
    execute("UPDATE dpq_ledger_entry SET sequence = " + a + " WHERE dataset_id = '" + DS + "' AND sequence = " + b);
    execute("UPDATE dpq_ledger_entry SET sequence = " + b + " WHERE dataset_id = '" + DS + "' AND sequence = -1");
  }

  private List<Object> row(long seq) throws SQLException {
    return rowWhere(DS, seq);
  }

  private List<Object> rowWhere(String dataset, long seq) throws SQLException {
    try (PreparedStatement ps = raw.prepareStatement("SELECT " + String.join(", ", COLUMNS)
            + " FROM dpq_ledger_entry WHERE dataset_id = ? AND sequence = ?")) {
      ps.setString(1, dataset);
      ps.setLong(2, seq);
      try (ResultSet rs = ps.executeQuery()) {
        assertTrue(rs.next(), "no entry " + seq + " in " + dataset);
        List<Object> values = new ArrayList<>();
        for (int i = 1; i <= COLUMNS.size(); i++) {
          Object v = rs.getObject(i);
          values.add(v instanceof Number n ? (Object) n.longValue() : v);
        }
        return values;
      }
    }
  }

  private void replace(String dataset, long seq, List<Object> original) throws SQLException {
    execute("DELETE FROM dpq_ledger_entry WHERE dataset_id = '" + dataset + "' AND sequence = " + seq);
    insert(original);
    assertTrue(ledger.verify(DS).ok(), "restoring entry " + seq);
  }

  private void insert(List<Object> values) throws SQLException {
    try (PreparedStatement ps = raw.prepareStatement("INSERT INTO dpq_ledger_entry (" + String.join(", ", COLUMNS)
            + ") VALUES (" + String.join(", ", COLUMNS.stream().map(x -> "?").toList()) + ")")) {
      for (int i = 0; i < values.size(); i++) {
        Object v = values.get(i);
        if (v == null) {
          ps.setNull(i + 1, COLUMNS.get(i).equals("refers_to") ? java.sql.Types.BIGINT : java.sql.Types.VARCHAR);
        } else {
          ps.setObject(i + 1, v);
        }
      }
      ps.executeUpdate();
    }
  }
}
