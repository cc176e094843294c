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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
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
 * Fuzzing through the Java API: SQL in dpq's grammar and near-misses of it ({@link SqlArbitraries}) against the
 * hostile people table. Each request must be answered or rejected ({@link QueryRejectedException},
 * {@link InvalidPrivacyParameterException}); any other exception (an internal error, a backend failure that the
 * data could trigger) fails the property. A rejection charges nothing and writes no ledger entry; an answer is
 * charged exactly its reported cost (or is a stored answer at no cost), releases only finite numbers or NULL, and
 * neither answers nor messages carry a planted value the request did not contain.
 */
class SqlFuzzProperties {
  private static final int GRAMMAR_TRIES = 2500;
  private static final int NEAR_MISS_TRIES = 4000;

  private static Path dir;
  private static Dpq dpq;
  private static final AtomicInteger ANSWERED = new AtomicInteger();
  private static final AtomicInteger REJECTED = new AtomicInteger();
  /**
   * The ledger's status after the last try that passed every check: nothing but these tries writes to the
   * ledger, and they run one at a time, so it is the next try's status before (read afresh after a failed try).
   */
  private static LedgerStatus checked;

  @BeforeContainer
  static void open() throws IOException {
    // In memory: the properties check what the ledger records, not that it survives a power cut.
    dir = MemoryTempDir.create("dpq-fuzz");
    Path csv = HostileData.people(dir, 300, 3);
    dpq = TestSeams.openSeeded(HostileData.yaml(dir, "fuzz", "people", csv, "1e9", "0.9"), 77);
  }

  @AfterContainer
  static void close() throws IOException {
    dpq.close();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
    System.out.printf("fuzz: %d requests answered, %d rejected%n", ANSWERED.get(), REJECTED.get());
  }

  @Property(tries = GRAMMAR_TRIES)
  void grammarQueriesAreAnsweredOrRejectedCleanly(@ForAll("requests") SqlArbitraries.Request r) {
    exercise(r);
  }

  @Property(tries = NEAR_MISS_TRIES)
  void nearMissesAreAnsweredOrRejectedCleanly(@ForAll("nearMisses") SqlArbitraries.Request r) {
    exercise(r);
  }

  @Provide
  Arbitrary<SqlArbitraries.Request> requests() {
    return SqlArbitraries.requests();
  }

  @Provide
  Arbitrary<SqlArbitraries.Request> nearMisses() {
    return SqlArbitraries.nearMisses();
  }

  static void exercise(SqlArbitraries.Request r) {
    LedgerStatus before = checked != null ? checked : dpq.budgetStatus();
    checked = null;
    QueryOptions options = QueryOptions.defaults().withEpsilon(r.epsilon()).withDelta(r.delta())
        .withMechanism(r.mechanism()).withAnalyst("fuzz");
    QueryResult result;
    try {
      result = dpq.query(r.sql(), options);
    } catch (QueryRejectedException | InvalidPrivacyParameterException e) {
      REJECTED.incrementAndGet();
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
    ANSWERED.incrementAndGet();
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
