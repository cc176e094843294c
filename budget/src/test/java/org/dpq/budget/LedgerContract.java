package org.dpq.budget;

import static org.dpq.budget.Requests.budget;
import static org.dpq.budget.Requests.loss;
import static org.dpq.budget.Requests.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.dpq.errors.BudgetExhaustedException;
import org.dpq.errors.InvalidPrivacyParameterException;
import org.dpq.errors.LedgerException;
import org.dpq.mechanisms.PrivacyLoss;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The ledger's behaviour, run against each real database by the subclasses. */
abstract class LedgerContract {
  static final String DS = "pums";
  static final String SECRET_RESULT = "{\"rows\":[[\"secret-value-8731\",42.5]]}";

  LedgerTarget target;
  Ledger ledger;

  abstract LedgerTarget newTarget();

  @BeforeEach
  void openLedger() {
    target = newTarget();
    ledger = Ledger.open(target.location());
  }

  @AfterEach
  void closeLedger() {
    if (ledger != null) {
      ledger.close();
    }
    if (target != null) {
      target.close();
    }
  }

  void sql(String statement) throws SQLException {
    try (Connection c = target.raw(); Statement s = c.createStatement()) {
      s.executeUpdate(statement);
    }
  }

  ChargeOutcome.Charged charged(ChargeOutcome o) {
    return assertInstanceOf(ChargeOutcome.Charged.class, o);
  }

  // --- exactness -------------------------------------------------------------------------------------------

  @Test
  void tenChargesOfOneTenthSpendExactlyOneAndAnEleventhOfAnySizeIsRefused() {
    ledger.initialise(DS, "fp-1", budget("1.0", "0.000001"), "owner");
    for (int i = 0; i < 10; i++) {
      ChargeOutcome.Charged c = charged(ledger.charge(request(DS, "q" + i, loss("0.1", "0.0000001"))));
      assertEquals(i + 2, c.sequence());
    }
    LedgerStatus s = ledger.status(DS);
    assertEquals(0, s.spent().epsilon().compareTo(BigDecimal.ONE), s.spent().toString());
    assertEquals(0, s.spent().delta().compareTo(new BigDecimal("0.000001")), s.spent().toString());
    assertEquals(PrivacyLoss.ZERO, s.remaining());
    assertEquals(11, s.entries());
    // 0.1 added ten times in binary floating point is not 1.0: the ledger must not have used doubles.
    assertTrue(0.1 + 0.1 + 0.1 + 0.1 + 0.1 + 0.1 + 0.1 + 0.1 + 0.1 + 0.1 != 1.0);

    for (PrivacyLoss tiny : List.of(loss("0.1", "0"), PrivacyLoss.of(PrivacyLoss.MIN_VALUE, BigDecimal.ZERO),
        loss("100", "0"))) {
      BudgetExhaustedException e = assertThrows(BudgetExhaustedException.class,
          () -> ledger.charge(request(DS, "q-eleventh-" + tiny, tiny)));
      assertEquals(tiny, e.requested());
      assertEquals(PrivacyLoss.ZERO, e.remaining());
      assertEquals(tiny, e.shortfall());
    }
    assertEquals(11, ledger.status(DS).entries());
    assertTrue(ledger.verify(DS).ok());
  }

  @Test
  void exhaustionStatesRequestedRemainingAndTheDifference() {
    ledger.initialise(DS, "fp-1", budget("1", "0"), "owner");
    charged(ledger.charge(request(DS, "a", loss("0.7", "0"))));
    BudgetExhaustedException e = assertThrows(BudgetExhaustedException.class,
        () -> ledger.charge(request(DS, "b", loss("0.5", "0"))));
    assertEquals(loss("0.5", "0"), e.requested());
    assertEquals(loss("0.3", "0"), e.remaining());
    assertEquals(loss("0.2", "0"), e.shortfall());
    assertTrue(e.getMessage().contains("requested (epsilon=0.5"), e.getMessage());
    assertTrue(e.getMessage().contains("remaining (epsilon=0.3"), e.getMessage());
    assertTrue(e.getMessage().contains("short by (epsilon=0.2"), e.getMessage());
    // a delta request on a pure-DP budget is refused for its delta alone
    BudgetExhaustedException d = assertThrows(BudgetExhaustedException.class,
        () -> ledger.charge(request(DS, "c", loss("0.1", "0.000001"))));
    assertEquals(loss("0", "0.000001"), d.shortfall());
    assertEquals(loss("0.3", "0"), ledger.status(DS).remaining());
  }

  @Test
  void invalidRequestsAreRefusedAndChangeNothing() {
    ledger.initialise(DS, "fp-1", budget("5", "0.001"), "owner");
    charged(ledger.charge(request(DS, "ok", loss("0.5", "0"))));
    List<LedgerEntry> before = ledger.history(DS);

    // NaN, infinite and negative values cannot even become a loss
    assertThrows(InvalidPrivacyParameterException.class, () -> PrivacyLoss.of(Double.NaN, 0));
    assertThrows(InvalidPrivacyParameterException.class, () -> PrivacyLoss.of(Double.POSITIVE_INFINITY, 0));
    assertThrows(InvalidPrivacyParameterException.class, () -> PrivacyLoss.parse("-0.1", "0"));
    assertThrows(InvalidPrivacyParameterException.class, () -> loss("-0.1", "0"));

    // losses that exist as values but are not valid requests
    List<PrivacyLoss> invalid = List.of(loss("0", "0"), loss("0", "0.0000001"),
        new PrivacyLoss(PrivacyLoss.MIN_VALUE.divide(BigDecimal.TEN), BigDecimal.ZERO),
        loss("0.1", "1"), loss("0.1", "0.0000000000000000001"), loss("100.5", "0"));
    for (PrivacyLoss bad : invalid) {
      assertThrows(InvalidPrivacyParameterException.class, () -> ledger.charge(request(DS, "bad-" + bad, bad)),
          bad.toString());
    }
    // measurements adding up to more than the total
    PrivacyLoss part = loss("0.3", "0");
    ChargeRequest overSplit = new ChargeRequest(DS, "fp-1", "alice", "SELECT 1", "split", "p",
        List.of(new MeasurementCost("a", "laplace", part), new MeasurementCost("b", "laplace", part)),
        loss("0.5", "0"));
    assertThrows(InvalidPrivacyParameterException.class, () -> ledger.charge(overSplit));
    ChargeRequest none = new ChargeRequest(DS, "fp-1", "alice", "SELECT 1", "none", "p", List.of(), loss("0.5", "0"));
    assertThrows(IllegalArgumentException.class, () -> ledger.charge(none));

    assertEquals(before, ledger.history(DS));
    assertEquals(loss("0.5", "0"), ledger.status(DS).spent());
    assertTrue(ledger.verify(DS).ok());
  }

  // --- initialisation and failing closed --------------------------------------------------------------------

  @Test
  void anUninitialisedDatasetRefusesEverythingUntilExplicitlyInitialised() {
    assertFalse(ledger.isInitialised(DS));
    LedgerException e = assertThrows(LedgerException.class, () -> ledger.charge(request(DS, "q", loss("0.1", "0"))));
    assertTrue(e.getMessage().contains("not initialised"), e.getMessage());
    assertThrows(LedgerException.class, () -> ledger.status(DS));
    assertThrows(LedgerException.class, () -> ledger.history(DS));
    assertThrows(LedgerException.class, () -> ledger.verify(DS));
    assertThrows(LedgerException.class, () -> ledger.recordRelease(DS, 1, "{}"));

    ledger.initialise(DS, "fp-1", budget("2", "0"), "owner");
    assertTrue(ledger.isInitialised(DS));
    LedgerEntry init = ledger.history(DS).get(0);
    assertEquals("INIT", init.kind());
    assertEquals("owner", init.analyst());
    assertEquals(budget("2", "0"), init.totalAfter());
    assertEquals(EntryCodec.GENESIS_HASH, init.previousHash());

    LedgerException again = assertThrows(LedgerException.class,
        () -> ledger.initialise(DS, "fp-2", budget("100", "0"), "mallory"));
    assertTrue(again.getMessage().contains("already initialised"), again.getMessage());
    assertEquals(budget("2", "0"), ledger.status(DS).total());
    assertEquals(1, ledger.history(DS).size());
  }

  @Test
  void initialisingWithAnInvalidTotalIsRefused() {
    assertThrows(InvalidPrivacyParameterException.class, () -> ledger.initialise(DS, "fp", loss("0", "0"), "o"));
    assertThrows(InvalidPrivacyParameterException.class, () -> ledger.initialise(DS, "fp", loss("1", "1"), "o"));
    assertFalse(ledger.isInitialised(DS));
    ledger.initialise(DS, "fp", budget("250", "0"), "o"); // a lifetime total may exceed one request's maximum
    assertEquals(budget("250", "0"), ledger.status(DS).total());
  }

  @Test
  void deletingTheLastEntriesMakesChargesFailClosedEvenInAProcessThatVerifiedBefore() throws SQLException {
    ledger.initialise(DS, "fp-1", budget("1", "0"), "owner");
    for (int i = 0; i < 3; i++) {
      charged(ledger.charge(request(DS, "q" + i, loss("0.3", "0"))));
    }
    target.dropGuards();
    sql("DELETE FROM dpq_ledger_entry WHERE dataset_id = 'pums' AND sequence = 4");
    LedgerException e = assertThrows(LedgerException.class, () -> ledger.charge(request(DS, "x", loss("0.05", "0"))));
    assertTrue(e.getMessage().contains("inconsistent"), e.getMessage());
    try (Ledger fresh = Ledger.open(target.location())) {
      LedgerException f = assertThrows(LedgerException.class, () -> fresh.charge(request(DS, "x", loss("0.05", "0"))));
      assertTrue(f.getMessage().contains("failed verification at entry 4"), f.getMessage());
      assertEquals(4, fresh.verify(DS).firstBadSequence().getAsLong());
    }
  }

  @Test
  void loweringTheRecordedSpendOfTheHeadEntryIsRefusedAtChargeTime() throws SQLException {
    ledger.initialise(DS, "fp-1", budget("1", "0"), "owner");
    charged(ledger.charge(request(DS, "a", loss("0.9", "0"))));
    target.dropGuards();
    sql("UPDATE dpq_ledger_entry SET spent_epsilon = '0.1' WHERE dataset_id = 'pums' AND sequence = 2");
    assertThrows(LedgerException.class, () -> ledger.charge(request(DS, "b", loss("0.5", "0"))));
    assertThrows(LedgerException.class, () -> ledger.status(DS));
    assertEquals(2, ledger.verify(DS).firstBadSequence().getAsLong());
  }

  @Test
  void storedEntriesRefuseUpdateAndDelete() {
    ledger.initialise(DS, "fp-1", budget("1", "0"), "owner");
    charged(ledger.charge(request(DS, "a", loss("0.9", "0"))));
    for (String change : List.of("UPDATE dpq_ledger_entry SET cost_epsilon = '0.1' WHERE sequence = 2",
        "DELETE FROM dpq_ledger_entry WHERE sequence = 2", "DELETE FROM dpq_ledger_entry")) {
      SQLException e = assertThrows(SQLException.class, () -> sql(change), change);
      assertTrue(e.getMessage().contains("append-only"), e.getMessage());
    }
    assertEquals(loss("0.9", "0"), ledger.status(DS).spent());
    assertEquals(2, ledger.history(DS).size());
  }

  @Test
  void initialiseIfAbsentLetsExactlyOneOfManyConcurrentFirstUsersInitialise() throws Exception {
    int users = 6;
    List<Ledger> ledgers = new java.util.ArrayList<>();
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(users);
    try {
      List<java.util.concurrent.Future<Boolean>> results = new java.util.ArrayList<>();
      java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
      for (int i = 0; i < users; i++) {
        Ledger l = Ledger.open(target.location());
        ledgers.add(l);
        PrivacyLoss total = budget(String.valueOf(i + 1), "0");
        results.add(pool.submit(() -> {
          go.await();
          return l.initialiseIfAbsent(DS, "fp-1", total, "engine");
        }));
      }
      go.countDown();
      int created = 0;
      for (var f : results) {
        created += f.get() ? 1 : 0;
      }
      assertEquals(1, created);
    } finally {
      pool.shutdown();
      ledgers.forEach(Ledger::close);
    }
    assertEquals(1, ledger.history(DS).size());
    assertFalse(ledger.initialiseIfAbsent(DS, "fp-1", budget("50", "0"), "engine"));
    assertEquals(1, ledger.status(DS).entries());
    assertTrue(ledger.verify(DS).ok());
  }

  @Test
  void aMissingHeadRecordIsCorruptionNotAFreshDataset() throws SQLException {
    ledger.initialise(DS, "fp-1", budget("1", "0"), "owner");
    charged(ledger.charge(request(DS, "a", loss("0.9", "0"))));
    sql("DELETE FROM dpq_ledger_head WHERE dataset_id = 'pums'");
    assertTrue(ledger.isInitialised(DS));
    assertThrows(LedgerException.class, () -> ledger.initialise(DS, "fp-1", budget("1", "0"), "owner"));
    assertThrows(LedgerException.class, () -> ledger.initialiseIfAbsent(DS, "fp-1", budget("1", "0"), "owner"));
    LedgerException e = assertThrows(LedgerException.class, () -> ledger.charge(request(DS, "b", loss("0.05", "0"))));
    assertTrue(e.getMessage().contains("head record is missing"), e.getMessage());
    VerifyReport r = ledger.verify(DS);
    assertFalse(r.ok());
    assertEquals(3, r.firstBadSequence().getAsLong());
  }

  // --- reuse, in-flight, release ----------------------------------------------------------------------------

  @Test
  void anIdenticalReleasedQueryReturnsTheStoredAnswerAtNoCost() {
    ledger.initialise(DS, "fp-1", budget("1", "0"), "owner");
    ChargeRequest q = request(DS, "count|eps=0.4", loss("0.4", "0"));
    ChargeOutcome.Charged first = charged(ledger.charge(q));
    ledger.recordRelease(DS, first.sequence(), SECRET_RESULT);
    ChargeOutcome.Reused again = assertInstanceOf(ChargeOutcome.Reused.class, ledger.charge(q));
    assertEquals(first.sequence(), again.chargeSequence());
    assertEquals(SECRET_RESULT, again.resultJson());
    assertEquals(loss("0.6", "0"), again.remaining());
    assertEquals(loss("0.4", "0"), ledger.status(DS).spent());
    assertEquals(3, ledger.status(DS).entries());

    // even with the budget spent, the stored answer is still free
    charged(ledger.charge(request(DS, "other", loss("0.6", "0"))));
    assertInstanceOf(ChargeOutcome.Reused.class, ledger.charge(q));
    // a different fingerprint (the data changed) or query key is a new query
    ChargeRequest newData = new ChargeRequest(DS, "fp-2", q.analyst(), q.sql(), q.queryKey(), q.planHash(),
        q.measurements(), q.total());
    assertThrows(BudgetExhaustedException.class, () -> ledger.charge(newData));
    assertThrows(BudgetExhaustedException.class, () -> ledger.charge(request(DS, "count|eps=0.5", loss("0.4", "0"))));
  }

  @Test
  void anIdenticalQueryInFlightIsNotChargedAgainUntilItIsAbandonedOrStale() {
    AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
    Clock clock = new Clock() {
      @Override
      public ZoneOffset getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(java.time.ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        return now.get();
      }
    };
    try (JdbcLedger l = JdbcLedger.open(target.location(), clock, Duration.ofMinutes(10))) {
      l.initialise(DS, "fp-1", budget("1", "0"), "owner");
      ChargeRequest q = request(DS, "k", loss("0.25", "0"));
      long first = charged(l.charge(q)).sequence();
      assertEquals(first, assertInstanceOf(ChargeOutcome.InFlight.class, l.charge(q)).chargeSequence());
      assertEquals(loss("0.25", "0"), l.status(DS).spent());

      l.abandon(DS, first, "backend failed");
      long second = charged(l.charge(q)).sequence();
      assertEquals(loss("0.5", "0"), l.status(DS).spent()); // the abandoned charge was not refunded

      now.set(now.get().plus(Duration.ofMinutes(11)));
      long third = charged(l.charge(q)).sequence(); // the unreleased second charge is stale
      assertTrue(third > second);
      l.recordRelease(DS, second, "{\"late\":true}");
      assertEquals(second, assertInstanceOf(ChargeOutcome.Reused.class, l.charge(q)).chargeSequence());
      assertEquals(loss("0.75", "0"), l.status(DS).spent());
      assertTrue(l.verify(DS).ok(), l.verify(DS).problem());
    }
  }

  @Test
  void aChargeIsClosedOnceAndOnlyByItsOwnSequence() {
    ledger.initialise(DS, "fp-1", budget("1", "0"), "owner");
    long seq = charged(ledger.charge(request(DS, "a", loss("0.1", "0")))).sequence();
    assertThrows(LedgerException.class, () -> ledger.recordRelease(DS, 1, "{}")); // the INIT entry
    assertThrows(LedgerException.class, () -> ledger.recordRelease(DS, 99, "{}"));
    IllegalArgumentException notJson = assertThrows(IllegalArgumentException.class,
        () -> ledger.recordRelease(DS, seq, "secret-value-8731 not json"));
    assertFalse(notJson.getMessage().contains("secret-value-8731"));
    ledger.recordRelease(DS, seq, SECRET_RESULT);
    LedgerException twice = assertThrows(LedgerException.class, () -> ledger.recordRelease(DS, seq, "{}"));
    assertFalse(twice.getMessage().contains("secret-value-8731"));
    assertThrows(LedgerException.class, () -> ledger.abandon(DS, seq, "late failure"));
    assertEquals(3, ledger.status(DS).entries());
    assertTrue(ledger.verify(DS).ok());
  }

  // --- history, raise, many datasets ------------------------------------------------------------------------

  @Test
  void historyRecordsEveryFieldOfEveryEntry() {
    ledger.initialise(DS, "fp-1", budget("3", "0.00001"), "owner");
    PrivacyLoss count = loss("0.25", "0.000001");
    PrivacyLoss threshold = loss("0.25", "0.000002");
    ChargeRequest q = new ChargeRequest(DS, "fp-1", "bob", "SELECT sex, COUNT(*) FROM pums GROUP BY sex",
        "key-1", "plan-abc", List.of(new MeasurementCost("count", "gaussian", count),
            new MeasurementCost("partition selection", "laplace", threshold)), loss("0.5", "0.000003"));
    long seq = charged(ledger.charge(q)).sequence();
    ledger.recordRelease(DS, seq, SECRET_RESULT);
    ledger.raiseTotal(DS, budget("4", "0.00001"), "officer", "new grant");

    List<LedgerEntry> h = ledger.history(DS);
    assertEquals(List.of("INIT", "CHARGE", "RELEASE", "RAISE"), h.stream().map(LedgerEntry::kind).toList());
    LedgerEntry c = h.get(1);
    assertEquals(2, c.sequence());
    assertEquals(DS, c.datasetId());
    assertEquals("fp-1", c.fingerprint());
    assertEquals("bob", c.analyst());
    assertEquals(q.sql(), c.sql());
    assertEquals("key-1", c.queryKey());
    assertEquals("plan-abc", c.planHash());
    assertEquals(q.measurements(), c.measurements());
    assertEquals(q.total(), c.cost());
    assertEquals(q.total(), c.spentAfter());
    assertEquals(budget("3", "0.00001"), c.totalAfter());
    assertNull(c.resultJson());
    assertEquals(h.get(0).hash(), c.previousHash());
    assertTrue(!c.time().isBefore(h.get(0).time()));
    LedgerEntry r = h.get(2);
    assertEquals(SECRET_RESULT, r.resultJson());
    assertEquals(Long.valueOf(seq), r.refersTo());
    assertNull(r.cost());
    LedgerEntry raise = h.get(3);
    assertEquals("officer", raise.analyst());
    assertEquals("new grant", raise.note());
    assertEquals(budget("4", "0.00001"), raise.totalAfter());
    assertEquals(q.total(), raise.spentAfter());
    for (int i = 1; i < h.size(); i++) {
      assertEquals(h.get(i - 1).hash(), h.get(i).previousHash());
      assertEquals(64, h.get(i).hash().length());
    }
  }

  @Test
  void raisingTheTotalIsAnEntryAndOnlyRaises() {
    ledger.initialise(DS, "fp-1", budget("1", "0"), "owner");
    charged(ledger.charge(request(DS, "a", loss("1", "0"))));
    assertThrows(BudgetExhaustedException.class, () -> ledger.charge(request(DS, "b", loss("0.5", "0"))));
    assertThrows(IllegalArgumentException.class, () -> ledger.raiseTotal(DS, budget("0.5", "0"), "officer", "cut"));
    assertThrows(IllegalArgumentException.class, () -> ledger.raiseTotal(DS, budget("1", "0"), "officer", "same"));
    assertThrows(IllegalArgumentException.class, () -> ledger.raiseTotal(DS, budget("2", "0"), "officer", " "));
    ledger.raiseTotal(DS, budget("1.5", "0"), "officer", "approved");
    charged(ledger.charge(request(DS, "b", loss("0.5", "0"))));
    LedgerStatus s = ledger.status(DS);
    assertEquals(budget("1.5", "0"), s.total());
    assertEquals(PrivacyLoss.ZERO, s.remaining());
    assertEquals(4, s.entries());
    assertTrue(ledger.verify(DS).ok());
  }

  @Test
  void raisingByAnIncreaseAddsExactlyAndIsChained() {
    ledger.initialise(DS, "fp-1", budget("1", "0.000001"), "owner");
    charged(ledger.charge(request(DS, "a", loss("1", "0"))));
    assertThrows(IllegalArgumentException.class, () -> ledger.raiseTotalBy(DS, loss("0", "0"), "officer", "nothing"));
    assertThrows(IllegalArgumentException.class, () -> ledger.raiseTotalBy(DS, loss("0.1", "0"), "officer", " "));
    assertThrows(org.dpq.errors.InvalidPrivacyParameterException.class,
        () -> ledger.raiseTotalBy(DS, loss("0", "1"), "officer", "delta would reach 1"));
    LedgerStatus after = ledger.raiseTotalBy(DS, loss("0.1", "0"), "officer", "grant 1");
    assertEquals(budget("1.1", "0.000001"), after.total());
    assertEquals(loss("0.1", "0.000001"), after.remaining());
    LedgerStatus again = ledger.raiseTotalBy(DS, loss("0.2", "0.000002"), "officer", "grant 2");
    assertEquals(budget("1.3", "0.000003"), again.total());
    assertEquals(ledger.status(DS), again);
    List<LedgerEntry> h = ledger.history(DS);
    assertEquals(List.of("INIT", "CHARGE", "RAISE", "RAISE"), h.stream().map(LedgerEntry::kind).toList());
    assertEquals("grant 2", h.get(3).note());
    assertEquals(h.get(2).hash(), h.get(3).previousHash());
    assertTrue(ledger.verify(DS).ok());
    charged(ledger.charge(request(DS, "b", loss("0.3", "0"))));
  }

  @Test
  void datasetsSharingALedgerHaveIndependentBudgetsAndChains() {
    ledger.initialise("a", "fp-a", budget("1", "0"), "owner");
    ledger.initialise("b", "fp-b", budget("2", "0"), "owner");
    charged(ledger.charge(request("a", "q", loss("1", "0"))));
    ChargeOutcome.Charged inB = charged(ledger.charge(request("b", "q", loss("1", "0"))));
    assertEquals(2, inB.sequence());
    assertThrows(BudgetExhaustedException.class, () -> ledger.charge(request("a", "q2", loss("0.1", "0"))));
    assertEquals(loss("1", "0"), ledger.status("b").remaining());
    assertTrue(ledger.verify("a").ok());
    assertTrue(ledger.verify("b").ok());
  }

  @Test
  void aReopenedLedgerKeepsEverything() {
    ledger.initialise(DS, "fp-1", budget("1", "0"), "owner");
    charged(ledger.charge(request(DS, "a", loss("0.4", "0"))));
    ledger.close();
    ledger = Ledger.open(target.location());
    assertEquals(loss("0.4", "0"), ledger.status(DS).spent());
    assertEquals(3, charged(ledger.charge(request(DS, "b", loss("0.4", "0")))).sequence());
  }
}
