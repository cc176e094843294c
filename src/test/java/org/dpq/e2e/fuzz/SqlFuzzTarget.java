package org.dpq.e2e.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.dpq.budget.LedgerStatus;
import org.dpq.e2e.MemoryTempDir;
import org.dpq.e2e.hostile.HostileData;
import org.dpq.e2e.hostile.Leaks;
import org.dpq.engine.Cell;
import org.dpq.engine.Dpq;
import org.dpq.engine.QueryOptions;
import org.dpq.engine.QueryResult;
import org.dpq.engine.TestSeams;
import org.dpq.errors.InvalidPrivacyParameterException;
import org.dpq.errors.QueryRejectedException;

/**
 * What the SQL fuzzers ({@link SqlFuzzProperties}, {@link SqlNearMissProperties}) send their requests to, and the
 * checks each request must pass: the hostile people table through the Java API, with its own ledger (in memory: the
 * properties check what the ledger records, not that it survives a power cut). Each request must be answered or
 * rejected ({@link QueryRejectedException}, {@link InvalidPrivacyParameterException}); any other exception (an
 * internal error, a backend failure that the data could trigger) fails the property. A rejection charges nothing
 * and writes no ledger entry; an answer is charged exactly its reported cost (or is a stored answer at no cost),
 * releases only finite numbers or NULL, and neither answers nor messages carry a planted value the request did not
 * contain. One target per property class, so that the two classes can run in different test JVMs side by side.
 */
final class SqlFuzzTarget implements AutoCloseable {
  private final String name;
  private final Path dir;
  private final Dpq dpq;
  private int answered;
  private int rejected;
  /**
   * The ledger's status after the last try that passed every check: nothing but these tries writes to the
   * ledger, and they run one at a time, so it is the next try's status before (read afresh after a failed try).
   */
  private LedgerStatus checked;

  private SqlFuzzTarget(String name, Path dir, Dpq dpq) {
    this.name = name;
    this.dir = dir;
    this.dpq = dpq;
  }

  /** The people table (300 people, seed 3) with a budget no fuzz run exhausts, its noise seeded with 77. */
  static SqlFuzzTarget open(String name) throws IOException {
    Path dir = MemoryTempDir.create("dpq-fuzz");
    Path csv = HostileData.people(dir, 300, 3);
    return new SqlFuzzTarget(name, dir, TestSeams.openSeeded(HostileData.yaml(dir, "fuzz", "people", csv, "1e9",
        "0.9"), 77));
  }

  @Override
  public void close() throws IOException {
    dpq.close();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
    System.out.printf("fuzz (%s): %d requests answered, %d rejected%n", name, answered, rejected);
  }

  void exercise(SqlArbitraries.Request r) {
    LedgerStatus before = checked != null ? checked : dpq.budgetStatus();
    checked = null;
    QueryOptions options = QueryOptions.defaults().withEpsilon(r.epsilon()).withDelta(r.delta())
        .withMechanism(r.mechanism()).withAnalyst("fuzz");
    QueryResult result;
    try {
      result = dpq.query(r.sql(), options);
    } catch (QueryRejectedException | InvalidPrivacyParameterException e) {
      rejected++;
      LedgerStatus after = dpq.budgetStatus();
      assertEquals(before.spent(), after.spent(), "a rejected query was charged");
      assertEquals(before.entries(), after.entries(), "a rejected query wrote a ledger entry");
      String message = String.valueOf(e.getMessage());
      assertFalse(message.isBlank(), "a rejection without a message");
      assertTrue(Leaks.found(message, r.sql()).isEmpty(), "a rejection message carries a planted value");
      assertFalse(Leaks.hasStackTrace(message));
      checked = after;
      return;
    }
    answered++;
    LedgerStatus after = dpq.budgetStatus();
    if (result.reused()) {
      assertEquals(0, result.cost().epsilon().signum(), "a stored answer costs nothing");
      assertEquals(before.spent(), after.spent(), "a stored answer was charged");
    } else {
      assertEquals(0, after.spent().epsilon().subtract(before.spent().epsilon()).compareTo(result.cost().epsilon()),
          "the ledger's epsilon spend differs from the reported cost");
      assertEquals(0, after.spent().delta().subtract(before.spent().delta()).compareTo(result.cost().delta()),
          "the ledger's delta spend differs from the reported cost");
      assertTrue(result.cost().epsilon().compareTo(new BigDecimal(r.epsilon())) <= 0, "charged more than asked");
      assertEquals(before.entries() + 2, after.entries(), "an answer writes one CHARGE and one RELEASE");
    }
    for (List<Cell> row : result.rows()) {
      for (Cell cell : row) {
        Object v = cell.value();
        if (v instanceof Double d) {
          assertTrue(Double.isFinite(d), "a released value is not finite");
        } else if (v instanceof String s) {
          assertTrue(Leaks.found(s, r.sql()).isEmpty(), "a released key is a planted value");
        }
      }
    }
    checked = after;
  }
}
