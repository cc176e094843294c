package org.dpq.errors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.reflect.Modifier;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.dpq.mechanisms.PrivacyLoss;
import org.junit.jupiter.api.Test;

class DpqExceptionFamilyTest {
  private static final Set<Class<?>> KINDS = Set.of(QueryRejectedException.class,
      InvalidPrivacyParameterException.class, BudgetExhaustedException.class, BackendException.class,
      LedgerException.class, DatasetValidationException.class);

  @Test
  void theFamilyIsSealedWithExactlySixFinalKinds() {
    assertTrue(DpqException.class.isSealed());
    assertTrue(RuntimeException.class.isAssignableFrom(DpqException.class));
    Set<Class<?>> permitted = Arrays.stream(DpqException.class.getPermittedSubclasses()).collect(Collectors.toSet());
    assertEquals(KINDS, permitted);
    for (Class<?> kind : KINDS) {
      assertTrue(Modifier.isFinal(kind.getModifiers()), kind + " must be final: no kind hides inside another");
      assertSame(DpqException.class, kind.getSuperclass(), kind + " must extend the root directly");
    }
  }

  @Test
  void catchingLedgerCorruptionDoesNotCatchAnExhaustedBudget() {
    RuntimeException exhausted = new BudgetExhaustedException("d", PrivacyLoss.of(1, 0), PrivacyLoss.of(0.5, 0));
    try {
      try {
        throw exhausted;
      } catch (LedgerException corrupt) {
        fail("an exhausted budget was caught as a ledger failure");
      }
    } catch (BudgetExhaustedException expected) {
      assertSame(exhausted, expected);
    }
    assertFalse(LedgerException.class.isInstance(exhausted));
    assertFalse(IllegalArgumentException.class.isInstance(new InvalidPrivacyParameterException("x")),
        "an invalid epsilon must not be caught by code that catches programming errors");
  }

  @Test
  void parametersNameTheFixWithoutFlags() {
    BudgetExhaustedException e = new BudgetExhaustedException("d", PrivacyLoss.of(1, 0),
        new PrivacyLoss(new BigDecimal("0.25"), BigDecimal.ZERO));
    assertEquals(Set.of(QueryParameter.EPSILON, QueryParameter.DELTA), e.parameters());
    assertFalse(e.getMessage().contains("--"), e.getMessage());
    assertEquals(Set.of(), new LedgerException("x").parameters());
    assertEquals(Set.of(QueryParameter.DELTA),
        new QueryRejectedException("x", List.of(QueryParameter.DELTA).stream().collect(Collectors.toSet())).parameters());
  }
}
