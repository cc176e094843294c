package org.dpq.budget;

import static org.dpq.budget.Requests.budget;
import static org.dpq.budget.Requests.loss;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.dpq.errors.BudgetExhaustedException;
import org.dpq.errors.InvalidPrivacyParameterException;
import org.dpq.mechanisms.PrivacyLoss;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Per-analyst allocations inside a dataset's budget, run against each real database by the subclasses. */
abstract class AllocationContract {
  static final String DS = "ratings";

  LedgerTarget target;
  Ledger ledger;

  abstract LedgerTarget newTarget();

  @BeforeEach
  void openLedger() {
    target = newTarget();
    ledger = Ledger.open(target.location());
    ledger.initialise(DS, "fp-1", budget("1", "0.000001"), "owner");
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

  static ChargeRequest request(String analyst, String queryKey, PrivacyLoss loss) {
    return new ChargeRequest(DS, "fp-1", analyst, "SELECT COUNT(*) FROM t", queryKey, "plan-" + queryKey,
        List.of(new MeasurementCost("count", "laplace", loss)), loss);
  }

  @Test
  void chargesFitTheAnalystsAllocationExactlyAndTheRefusalChargesNothing() {
    ledger.allocate(DS, "alice", loss("0.3", "0"), "olga", "pilot study");
    for (int i = 0; i < 3; i++) {
      assertInstanceOf(ChargeOutcome.Charged.class, ledger.chargeWithinAllocation(request("alice", "q" + i,
          loss("0.1", "0"))));
    }
    long before = ledger.status(DS).entries();
    BudgetExhaustedException e = assertThrows(BudgetExhaustedException.class,
        () -> ledger.chargeWithinAllocation(request("alice", "q3", loss("0.1", "0"))));
    assertTrue(e.getMessage().contains("analyst 'alice'"), e.getMessage());
    assertEquals(PrivacyLoss.ZERO, e.remaining());
    assertEquals(before, ledger.status(DS).entries(), "a refused charge writes nothing");
    assertEquals(0, ledger.status(DS).spent().epsilon().compareTo(new java.math.BigDecimal("0.3")));
    Allocation a = ledger.allocations(DS).get(0);
    assertEquals(new Allocation("alice", loss("0.3", "0"), loss("0.3", "0"), PrivacyLoss.ZERO), a);
  }

  @Test
  void anAnalystWithoutAnAllocationHasNothingToSpendAndARevokedAllocationStopsCharges() {
    assertThrows(BudgetExhaustedException.class,
        () -> ledger.chargeWithinAllocation(request("mallory", "q", loss("0.1", "0"))));
    ledger.allocate(DS, "bob", loss("0.5", "0"), "olga", "project x");
    assertInstanceOf(ChargeOutcome.Charged.class, ledger.chargeWithinAllocation(request("bob", "a",
        loss("0.1", "0"))));
    Allocation revoked = ledger.allocate(DS, "bob", PrivacyLoss.ZERO, "olga", "left the project");
    assertEquals(PrivacyLoss.ZERO, revoked.remaining());
    assertEquals(loss("0.1", "0"), revoked.spent());
    BudgetExhaustedException e = assertThrows(BudgetExhaustedException.class,
        () -> ledger.chargeWithinAllocation(request("bob", "b", loss("0.1", "0"))));
    assertTrue(e.getMessage().startsWith("the allocation of analyst 'bob' on dataset 'ratings' is exhausted"),
        "names whose share ran out: " + e.getMessage());
    assertTrue(e.getMessage().contains("dpq budget allocate --server URL --dataset ratings --analyst bob"),
        "names the officer's fix: " + e.getMessage());
    assertEquals(4, ledger.status(DS).entries(), "INIT, ALLOCATE, CHARGE, ALLOCATE: one charge only");
  }

  @Test
  void theDatasetTotalStillBindsWhenAllocationsAddUpToMore() {
    ledger.allocate(DS, "alice", loss("0.8", "0"), "olga", "a");
    ledger.allocate(DS, "bob", loss("0.8", "0"), "olga", "b");
    assertInstanceOf(ChargeOutcome.Charged.class, ledger.chargeWithinAllocation(request("alice", "a",
        loss("0.7", "0"))));
    BudgetExhaustedException e = assertThrows(BudgetExhaustedException.class,
        () -> ledger.chargeWithinAllocation(request("bob", "b", loss("0.4", "0"))));
    assertTrue(e.getMessage().contains("dataset 'ratings' is exhausted"), e.getMessage());
    assertInstanceOf(ChargeOutcome.Charged.class, ledger.chargeWithinAllocation(request("bob", "c",
        loss("0.3", "0"))));
  }

  @Test
  void aStoredAnswerIsSharedAcrossAnalystsAtNoCostToAnyAllocation() {
    ledger.allocate(DS, "alice", loss("0.5", "0"), "olga", "a");
    ChargeOutcome.Charged c = assertInstanceOf(ChargeOutcome.Charged.class,
        ledger.chargeWithinAllocation(request("alice", "same", loss("0.5", "0"))));
    ledger.recordRelease(DS, c.sequence(), "{\"rows\":[[1]]}");
    ChargeOutcome.Reused r = assertInstanceOf(ChargeOutcome.Reused.class,
        ledger.chargeWithinAllocation(request("carol", "same", loss("0.5", "0"))));
    assertEquals(c.sequence(), r.chargeSequence());
    assertTrue(ledger.allocations(DS).stream().noneMatch(a -> a.analyst().equals("carol")));
  }

  @Test
  void chargesOutsideAllocationsCountAgainstTheAnalystsShare() {
    ledger.charge(request("alice", "embedded", loss("0.2", "0")));
    Allocation a = ledger.allocate(DS, "alice", loss("0.25", "0"), "olga", "a");
    assertEquals(loss("0.05", "0"), a.remaining());
    assertThrows(BudgetExhaustedException.class,
        () -> ledger.chargeWithinAllocation(request("alice", "served", loss("0.1", "0"))));
  }

  @Test
  void allocationsAreChainedAuditableEntriesAndInvalidOnesAreRefused() {
    ledger.allocate(DS, "alice", loss("0.5", "0.0000001"), "olga", "pilot");
    assertThrows(InvalidPrivacyParameterException.class,
        () -> ledger.allocate(DS, "alice", loss("0.5", "1"), "olga", "bad delta"));
    assertThrows(IllegalArgumentException.class, () -> ledger.allocate(DS, "alice", loss("0.5", "0"), "olga", " "));
    assertThrows(IllegalArgumentException.class, () -> ledger.allocate(DS, "", loss("0.5", "0"), "olga", "x"));
    List<LedgerEntry> history = ledger.history(DS);
    assertEquals(2, history.size());
    LedgerEntry e = history.get(1);
    assertEquals("ALLOCATE", e.kind());
    assertEquals("alice", e.analyst());
    assertEquals(loss("0.5", "0.0000001"), e.cost());
    assertEquals("set by olga: pilot", e.note());
    assertEquals(PrivacyLoss.ZERO, e.spentAfter());
    assertTrue(ledger.verify(DS).ok());
  }

  @Test
  void concurrentChargesNeverOverspendAnAllocation() throws Exception {
    ledger.allocate(DS, "alice", loss("0.5", "0"), "olga", "a");
    ledger.allocate(DS, "bob", loss("0.3", "0"), "olga", "b");
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < 32; i++) {
        String analyst = i % 2 == 0 ? "alice" : "bob";
        String key = "k" + i;
        results.add(pool.submit(() -> {
          try {
            return ledger.chargeWithinAllocation(request(analyst, key, loss("0.1", "0")))
                instanceof ChargeOutcome.Charged;
          } catch (BudgetExhaustedException e) {
            return false;
          }
        }));
      }
      int ok = 0;
      for (Future<Boolean> f : results) {
        ok += f.get(2, TimeUnit.MINUTES) ? 1 : 0;
      }
      assertEquals(8, ok, "alice's 0.5 and bob's 0.3 admit exactly 5 + 3 charges of 0.1");
    } finally {
      pool.shutdownNow();
    }
    for (Allocation a : ledger.allocations(DS)) {
      assertEquals(a.allocated(), a.spent(), a.analyst());
    }
    assertTrue(ledger.verify(DS).ok());
  }
}
