package org.dpq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.Set;
import org.dpq.errors.BackendException;
import org.dpq.errors.BudgetExhaustedException;
import org.dpq.errors.InvalidPrivacyParameterException;
import org.dpq.errors.LedgerException;
import org.dpq.errors.QueryParameter;
import org.dpq.errors.QueryRejectedException;
import org.dpq.mechanisms.PrivacyLoss;
import org.junit.jupiter.api.Test;

class FailuresTest {

  @Test
  void mapsEachEngineFailureToItsExitCodeAndMessage() {
    assertEquals(new Failures.Failure(3, "query rejected: JOIN is not supported; query one table"),
        Failures.classify(new QueryRejectedException("JOIN is not supported; query one table")));
    assertEquals(3, Failures.classify(new InvalidPrivacyParameterException("epsilon must be > 0")).exitCode());
    assertEquals(5, Failures.classify(new BackendException("the CSV file cannot be read")).exitCode());
    assertEquals(5, Failures.classify(new LedgerException("ledger is corrupt")).exitCode());
    assertEquals(2, Failures.classify(new CliUsageException("--dataset: no such file: x.yaml")).exitCode());
  }

  @Test
  void budgetExhaustionIsFourAndStatesRequestedRemainingAndDifference() {
    BudgetExhaustedException e = new BudgetExhaustedException("ratings",
        new PrivacyLoss(new BigDecimal("1"), BigDecimal.ZERO), new PrivacyLoss(new BigDecimal("0.25"), BigDecimal.ZERO));
    Failures.Failure f = Failures.classify(e);
    assertEquals(4, f.exitCode(), "an exhausted budget is 4, never a ledger error (5)");
    assertTrue(f.message().startsWith("budget exhausted: "), f.message());
    assertTrue(f.message().contains("requested") && f.message().contains("remaining")
        && f.message().contains("0.75"), f.message());
  }

  @Test
  void theCommandLineNamesTheFlagsThatCarryTheEnginesFix() {
    QueryRejectedException e = new QueryRejectedException("the Gaussian mechanism needs delta > 0: give a delta "
        + "or choose the Laplace mechanism", Set.of(QueryParameter.MECHANISM, QueryParameter.DELTA));
    assertEquals("query rejected: the Gaussian mechanism needs delta > 0: give a delta or choose the Laplace "
        + "mechanism (options: --delta, --mechanism)", Failures.classify(e).message());
    assertFalse(Failures.classify(new LedgerException("x")).message().contains("--"));
  }

  @Test
  void findsAnEngineFailureWrappedInAnotherException() {
    RuntimeException wrapped = new RuntimeException("wrapper", new IllegalStateException("middle",
        new QueryRejectedException("window functions are not supported")));
    assertEquals(3, Failures.classify(wrapped).exitCode());
  }

  @Test
  void anyOtherFailureIsInternalAndPrintsNoMessage() {
    Failures.Failure f = Failures.classify(new IllegalStateException("row 17: income=91234 for Alice"));
    assertEquals(1, f.exitCode());
    assertEquals("internal error (java.lang.IllegalStateException); please report it", f.message());
    assertFalse(f.message().contains("91234"));
    assertFalse(f.message().contains("Alice"));
  }
}
