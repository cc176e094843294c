package org.dpq.budget;

import static org.dpq.budget.Requests.budget;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.dpq.errors.BudgetExhaustedException;
import org.dpq.errors.InvalidPrivacyParameterException;
import org.dpq.errors.LedgerException;
import org.dpq.mechanisms.Calibration;
import org.dpq.mechanisms.GaussianMechanism;
import org.dpq.mechanisms.PrivacyLoss;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A zCDP-accounted dataset on an SQLite ledger: refusal at the boundary, verify, and a fixed accounting. */
class ZcdpLedgerTest {
  static final String DS = "pums";
  static final BigDecimal STEP = new BigDecimal("0.000000000001");

  @TempDir Path dir;
  LedgerTarget target;
  Ledger ledger;

  @BeforeEach
  void open() {
    target = LedgerTarget.sqlite(dir);
    ledger = Ledger.open(target.location());
  }

  @AfterEach
  void close() {
    ledger.close();
    target.close();
  }

  static ChargeRequest rhoRequest(String key, BigDecimal rho) {
    PrivacyLoss loss = new PrivacyLoss(rho, BigDecimal.ZERO);
    return new ChargeRequest(DS, "fp-1", "alice", "SELECT COUNT(*) FROM t", key, "plan-" + key,
        List.of(new MeasurementCost("count", "GAUSSIAN", loss)), loss, Accounting.ZCDP);
  }

  @Test
  void theTotalIsTheRhoBudgetAndTheAccountingIsRecorded() {
    ledger.initialise(DS, "fp-1", budget("1", "0.000001"), "owner", Accounting.ZCDP);
    LedgerStatus s = ledger.status(DS);
    assertEquals(Zcdp.rhoBudget(BigDecimal.ONE, new BigDecimal("0.000001")), s.total().epsilon());
    assertEquals(0, s.total().delta().compareTo(new BigDecimal("0.000001")));
    assertEquals(Accounting.ZCDP, ledger.accounting(DS));
    assertEquals("accounting: zcdp", ledger.history(DS).get(0).note());
  }

  @Test
  void aChargeLandingExactlyOnTheBudgetPassesAndOneStepMoreIsRefused() {
    ledger.initialise(DS, "fp-1", budget("1", "0.000001"), "owner", Accounting.ZCDP);
    BigDecimal total = ledger.status(DS).total().epsilon();
    BigDecimal first = new BigDecimal("0.01");
    assertInstanceOf(ChargeOutcome.Charged.class, ledger.charge(rhoRequest("q1", first)));
    BigDecimal rest = total.subtract(first);
    // one step more than what remains is refused, and costs nothing
    assertThrows(BudgetExhaustedException.class, () -> ledger.charge(rhoRequest("q2", rest.add(STEP))));
    assertEquals(0, ledger.status(DS).spent().epsilon().compareTo(first));
    // exactly what remains passes
    ChargeOutcome.Charged c = assertInstanceOf(ChargeOutcome.Charged.class, ledger.charge(rhoRequest("q2", rest)));
    assertEquals(0, c.remaining().epsilon().signum());
    assertEquals(0, ledger.status(DS).spent().epsilon().compareTo(total));
    assertThrows(BudgetExhaustedException.class, () -> ledger.charge(rhoRequest("q3", STEP)));
    assertTrue(ledger.verify(DS).ok(), ledger.verify(DS).problem());
  }

  @Test
  void aZcdpChargeMustBeRhoInTheDatasetsAccounting() {
    ledger.initialise(DS, "fp-1", budget("1", "0.000001"), "owner", Accounting.ZCDP);
    // an (epsilon, delta) charge on a zCDP dataset is refused, nothing charged
    LedgerException e = assertThrows(LedgerException.class,
        () -> ledger.charge(Requests.request(DS, "q1", Requests.loss("0.001", "0"))));
    assertTrue(e.getMessage().contains("accounting: zcdp"), e.getMessage());
    // a rho charge with a delta is refused
    PrivacyLoss withDelta = new PrivacyLoss(new BigDecimal("0.001"), new BigDecimal("0.0000001"));
    assertThrows(InvalidPrivacyParameterException.class, () -> ledger.charge(new ChargeRequest(DS, "fp-1", "alice",
        "SELECT 1", "k", "p", List.of(new MeasurementCost("c", "GAUSSIAN", withDelta)), withDelta, Accounting.ZCDP)));
    assertEquals(0, ledger.status(DS).spent().epsilon().signum());
  }

  @Test
  void theAccountingCannotChangeOnceTheLedgerHasEntries() {
    assertTrue(ledger.initialiseIfAbsent(DS, "fp-1", budget("1", "0.000001"), "owner", Accounting.ZCDP));
    assertFalse(ledger.initialiseIfAbsent(DS, "fp-1", budget("1", "0.000001"), "owner", Accounting.ZCDP));
    LedgerException e = assertThrows(LedgerException.class,
        () -> ledger.initialiseIfAbsent(DS, "fp-1", budget("1", "0.000001"), "owner"));
    assertTrue(e.getMessage().contains("cannot change"), e.getMessage());
    ledger.initialise("other", "fp-1", budget("1", "0.000001"), "owner");
    assertThrows(LedgerException.class,
        () -> ledger.initialiseIfAbsent("other", "fp-1", budget("1", "0.000001"), "owner", Accounting.ZCDP));
    ChargeRequest r = rhoRequest("q", STEP);
    LedgerException c = assertThrows(LedgerException.class, () -> ledger.charge(new ChargeRequest("other",
        r.fingerprint(), r.analyst(), r.sql(), r.queryKey(), r.planHash(), r.measurements(), r.total(),
        Accounting.ZCDP)));
    assertTrue(c.getMessage().contains("accounting: basic"), c.getMessage());
    assertEquals(0, ledger.status("other").spent().epsilon().signum());
  }

  @Test
  void raisesAndAllocationsAreConvertedToRho() {
    ledger.initialise(DS, "fp-1", budget("1", "0.000001"), "owner", Accounting.ZCDP);
    ledger.raiseTotal(DS, budget("2", "0.000001"), "owner", "more");
    assertEquals(Zcdp.rhoBudget(BigDecimal.valueOf(2), new BigDecimal("0.000001")), ledger.status(DS).total().epsilon());
    LedgerStatus raised = ledger.raiseTotalBy(DS, budget("1", "0"), "owner", "more again");
    // the current total shown as epsilon (rounded up, at most 2), plus 1, converted back (down): at most rho(3)
    assertTrue(raised.total().epsilon().compareTo(Zcdp.rhoBudget(BigDecimal.valueOf(3), new BigDecimal("0.000001")))
        <= 0);
    assertTrue(raised.total().epsilon().compareTo(Zcdp.rhoBudget(new BigDecimal("2.999999"),
        new BigDecimal("0.000001"))) >= 0);
    Allocation a = ledger.allocate(DS, "alice", budget("0.5", "0.000001"), "owner", "share");
    assertEquals(Zcdp.rhoBudget(new BigDecimal("0.5"), new BigDecimal("0.000001")), a.allocated().epsilon());
    assertTrue(ledger.verify(DS).ok(), ledger.verify(DS).problem());
  }

  @Test
  void verifyNamesAChargeWhoseAccountingIsNotTheDatasets() {
    ledger.initialise(DS, "fp-1", budget("1", "0.000001"), "owner", Accounting.ZCDP);
    ledger.charge(rhoRequest("q1", new BigDecimal("0.001")));
    List<LedgerEntry> h = ledger.history(DS);
    // rebuild the chain with correct hashes but the CHARGE's accounting note removed: only the semantics differ
    List<StoredEntry> good = stored(h, false);
    assertTrue(ChainVerifier.verify(DS, 2L, good.get(1).hash(), good).ok());
    List<StoredEntry> bad = stored(h, true);
    VerifyReport r = ChainVerifier.verify(DS, 2L, bad.get(1).hash(), bad);
    assertFalse(r.ok());
    assertEquals(2, r.firstBadSequence().orElseThrow());
    assertTrue(r.problem().contains("accounting"), r.problem());
  }

  private static List<StoredEntry> stored(List<LedgerEntry> h, boolean dropChargeNote) {
    List<StoredEntry> out = new ArrayList<>();
    String previous = EntryCodec.GENESIS_HASH;
    for (LedgerEntry e : h) {
      boolean charge = e.kind().equals("CHARGE");
      StoredEntry s = new StoredEntry(e.datasetId(), e.sequence(), e.kind(), e.fingerprint(), e.time().toString(),
          e.analyst(), e.sql(), e.queryKey(), e.planHash(),
          charge ? EntryCodec.encodeMeasurements(e.measurements()) : null,
          e.cost() == null ? null : EntryCodec.decimal(e.cost().epsilon()),
          e.cost() == null ? null : EntryCodec.decimal(e.cost().delta()), e.resultJson(), e.refersTo(),
          charge && dropChargeNote ? null : e.note(), EntryCodec.decimal(e.spentAfter().epsilon()),
          EntryCodec.decimal(e.spentAfter().delta()), EntryCodec.decimal(e.totalAfter().epsilon()),
          EntryCodec.decimal(e.totalAfter().delta()), previous, null);
      s = s.withHash(EntryCodec.hash(s));
      previous = s.hash();
      out.add(s);
    }
    return out;
  }

  /**
   * How many Gaussian COUNT queries (L2 sensitivity 1) at the per-query loss (0.1, 1e-7) fit in a budget of
   * (1, 1e-6): basic composition allows 10; zCDP, charging each the rho of the sigma it is released with, more.
   */
  @Test
  void zcdpFitsMoreGaussianQueriesThanBasicComposition() {
    GaussianMechanism m = Calibration.gaussian(1, 0.1, 1e-7);
    BigDecimal rho = Zcdp.gaussianRho(m.l2Sensitivity(), m.sigma());
    ledger.initialise(DS, "fp-1", budget("1", "0.000001"), "owner", Accounting.ZCDP);
    ledger.initialise("basic", "fp-1", budget("1", "0.000001"), "owner");
    int zcdp = 0;
    while (true) {
      try {
        ledger.charge(rhoRequest("q" + zcdp, rho));
        zcdp++;
      } catch (BudgetExhaustedException e) {
        break;
      }
    }
    int basic = 0;
    PrivacyLoss each = Requests.loss("0.1", "0.0000001");
    while (true) {
      try {
        ledger.charge(new ChargeRequest("basic", "fp-1", "alice", "SELECT 1", "q" + basic, "p",
            List.of(new MeasurementCost("c", "GAUSSIAN", each)), each));
        basic++;
      } catch (BudgetExhaustedException e) {
        break;
      }
    }
    System.out.printf("sigma %.4f: rho per query %s; queries that fit (1, 1e-6): zCDP %d, basic %d%n",
        m.sigma(), rho.toPlainString(), zcdp, basic);
    assertEquals(10, basic);
    assertEquals(ledger.status(DS).total().epsilon().divideToIntegralValue(rho).intValueExact(), zcdp);
    assertTrue(zcdp > basic, "zCDP " + zcdp + " vs basic " + basic);
  }
}
