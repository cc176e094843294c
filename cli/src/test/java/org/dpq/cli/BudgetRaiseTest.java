package org.dpq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dpq budget raise} and the warnings when the YAML's budget and the ledger's total differ. */
class BudgetRaiseTest {
  @TempDir Path dir;

  @Test
  void raiseWritesAChainedEntryThatVerifyAcceptsAndStatusShows() throws Exception {
    TestDataset d = new TestDataset(dir);
    TestDataset.Run r = d.run("budget", "raise", "-d", d.yaml.toString(), "--epsilon", "2.5", "--delta", "0.00001",
        "--reason", "board decision 42", "--actor", "officer");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains("epsilon 10, delta 1e-5 -> epsilon 12.5, delta 2e-5"), r.out());

    JsonNode history = new ObjectMapper().readTree(d.run("budget", "history", "-d", d.yaml.toString(),
        "--format", "json").out());
    JsonNode raise = history.get(history.size() - 1);
    assertEquals("RAISE", raise.get("kind").asText());
    assertEquals("officer", raise.get("analyst").asText());
    assertEquals("board decision 42", raise.get("note").asText());
    assertEquals("12.5", raise.get("totalAfter").get("epsilon").asText());
    assertEquals(history.get(history.size() - 2).get("hash").asText(), raise.get("previousHash").asText());

    assertEquals(0, d.run("budget", "verify", "-d", d.yaml.toString()).code());
    JsonNode status = new ObjectMapper().readTree(d.run("budget", "status", "-d", d.yaml.toString(), "-f", "json")
        .out());
    assertEquals("12.5", status.get("total").get("epsilon").asText());
    assertEquals("12.5", status.get("remaining").get("epsilon").asText());
  }

  @Test
  void aRaisedBudgetLetsAnExhaustedDatasetAnswerAgain() throws Exception {
    TestDataset d = new TestDataset(dir, "1.0");
    assertEquals(0, d.run("query", "-d", d.yaml.toString(), "SELECT COUNT(*) FROM t").code());
    TestDataset.Run refused = d.run("query", "-d", d.yaml.toString(), "SELECT SUM(amount) FROM t");
    assertEquals(4, refused.code(), refused.toString());
    assertTrue(refused.err().contains("raise"), refused.err());
    assertEquals(0, d.run("budget", "raise", "-d", d.yaml.toString(), "-e", "1", "--reason", "more").code());
    TestDataset.Run again = d.run("query", "-d", d.yaml.toString(), "SELECT SUM(amount) FROM t");
    assertEquals(0, again.code(), again.toString());
  }

  @Test
  void tamperingWithARaiseIsDetected() throws Exception {
    TestDataset d = new TestDataset(dir);
    assertEquals(0, d.run("budget", "raise", "-d", d.yaml.toString(), "-e", "1", "--reason", "grant").code());
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + d.ledger);
        Statement s = c.createStatement()) {
      s.execute("DROP TRIGGER dpq_ledger_entry_no_update");
      assertEquals(1, s.executeUpdate("UPDATE dpq_ledger_entry SET total_epsilon = '1000' WHERE kind = 'RAISE'"));
    }
    TestDataset.Run verify = d.run("budget", "verify", "-d", d.yaml.toString());
    assertEquals(5, verify.code(), verify.toString());
    assertTrue((verify.out() + verify.err()).matches("(?s).*entry #?2\\b.*"), verify.toString());
    assertEquals(5, d.run("query", "-d", d.yaml.toString(), "SELECT COUNT(*) FROM t").code());
  }

  @Test
  void badRaisesAreUsageErrorsAndWriteNothing() throws Exception {
    TestDataset d = new TestDataset(dir);
    String y = d.yaml.toString();
    for (String[] args : new String[][] {
        {"budget", "raise", "-d", y, "-e", "-1", "--reason", "x"},
        {"budget", "raise", "-d", y, "-e", "0", "--reason", "x"},
        {"budget", "raise", "-d", y, "-e", "1", "--reason", " "},
        {"budget", "raise", "-d", y, "-e", "1"},
        {"budget", "raise", "-d", y, "-e", "abc", "--reason", "x"}}) {
      TestDataset.Run r = d.run(args);
      assertEquals(2, r.code(), String.join(" ", args) + "\n" + r);
    }
    TestDataset.Run deltaTooBig = d.run("budget", "raise", "-d", y, "-e", "0", "--delta", "1", "--reason", "x");
    assertTrue(deltaTooBig.code() != 0, deltaTooBig.toString());
    assertTrue(deltaTooBig.err().contains("delta"), deltaTooBig.err());
    assertFalse(d.run("budget", "history", "-d", y).out().contains("RAISE"));
  }

  @Test
  void statusAndQueryWarnWhileTheYamlAndTheLedgerDisagree() throws Exception {
    TestDataset d = new TestDataset(dir);
    String y = d.yaml.toString();
    TestDataset.Run first = d.run("budget", "status", "-d", y);
    assertEquals(0, first.code());
    assertFalse(first.err().contains("warning"), first.err());

    assertEquals(0, d.run("budget", "raise", "-d", y, "-e", "2", "--reason", "grant").code());
    TestDataset.Run status = d.run("budget", "status", "-d", y);
    assertTrue(status.err().contains("warning: the YAML's budget (epsilon 10, delta 1e-5) differs from the "
        + "ledger's total (epsilon 12, delta 1e-5)"), status.err());
    assertTrue(status.err().contains("update the YAML"), status.err());
    TestDataset.Run query = d.run("query", "-d", y, "SELECT COUNT(*) FROM t");
    assertEquals(0, query.code(), query.toString());
    assertTrue(query.err().contains("differs from the ledger's total"), query.err());
    assertFalse(query.out().contains("warning"), "warnings go to standard error only");

    d.write("12");
    assertFalse(d.run("budget", "status", "-d", y).err().contains("warning"));
    d.write("20");
    assertTrue(d.run("budget", "status", "-d", y).err().contains("dpq budget raise"));
  }
}
