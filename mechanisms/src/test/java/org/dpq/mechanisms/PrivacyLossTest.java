package org.dpq.mechanisms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.List;
import org.dpq.errors.InvalidPrivacyParameterException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** PrivacyLoss: exact arithmetic, validation messages that name the fix, and safe splits. */
class PrivacyLossTest {
  @Test
  void compositionIsExactInDecimal() {
    PrivacyLoss a = PrivacyLoss.of(0.1, 1e-7);
    PrivacyLoss b = PrivacyLoss.of(0.2, 2e-7);
    PrivacyLoss sum = a.plus(b);
    assertEquals(0, sum.epsilon().compareTo(new BigDecimal("0.3")), "0.1 + 0.2 must be exactly 0.3");
    assertEquals(0, sum.delta().compareTo(new BigDecimal("3e-7")));
    assertEquals(PrivacyLoss.parse("0.3", "3e-7"), sum);
    assertEquals(a, sum.minus(b));
  }

  @Test
  void tenTenthsMakeExactlyOne() {
    PrivacyLoss total = PrivacyLoss.ZERO;
    for (int i = 0; i < 10; i++) {
      total = total.plus(PrivacyLoss.of(0.1, 0));
    }
    assertEquals(0, total.epsilon().compareTo(BigDecimal.ONE));
    assertTrue(total.fitsWithin(PrivacyLoss.budget(BigDecimal.ONE, BigDecimal.ZERO)));
    assertFalse(total.plus(PrivacyLoss.of(1e-15, 0)).fitsWithin(PrivacyLoss.budget(BigDecimal.ONE, BigDecimal.ZERO)));
  }

  @ParameterizedTest(name = "epsilon \"{0}\" -> {1}")
  @CsvSource(delimiter = '|', value = {
      "NaN | epsilon is NaN",
      "Infinity | epsilon is infinite",
      "-Infinity | epsilon is infinite",
      "0 | epsilon must be > 0",
      "-0.5 | epsilon must be > 0",
      "1e-16 | epsilon is below 2^-50",
      "100.0001 | epsilon above 100",
      "abc | epsilon is not a number",
      "'' | epsilon is missing"})
  void invalidEpsilonIsRejectedWithItsReasonAndFix(String text, String reason) {
    InvalidPrivacyParameterException e =
        assertThrows(InvalidPrivacyParameterException.class, () -> PrivacyLoss.parse(text, "1e-7"));
    assertTrue(e.getMessage().startsWith(reason), e.getMessage());
    String lower = e.getMessage().toLowerCase(java.util.Locale.ROOT);
    assertTrue(lower.contains("use") || lower.contains("give"), "message must say how to fix: " + e.getMessage());
  }

  @ParameterizedTest(name = "delta \"{0}\" -> {1}")
  @CsvSource(delimiter = '|', value = {
      "NaN | delta is NaN",
      "-1e-9 | delta must be >= 0",
      "1 | delta must be < 1",
      "1.5 | delta must be < 1",
      "1e-16 | delta is positive but below 2^-50",
      "Infinity | delta is infinite"})
  void invalidDeltaIsRejectedWithItsReasonAndFix(String text, String reason) {
    InvalidPrivacyParameterException e =
        assertThrows(InvalidPrivacyParameterException.class, () -> PrivacyLoss.parse("0.5", text));
    assertTrue(e.getMessage().startsWith(reason), e.getMessage());
  }

  @Test
  void doublesAreValidatedLikeText() {
    assertThrows(InvalidPrivacyParameterException.class, () -> PrivacyLoss.of(Double.NaN, 0));
    assertThrows(InvalidPrivacyParameterException.class, () -> PrivacyLoss.of(0.5, Double.POSITIVE_INFINITY));
    assertThrows(InvalidPrivacyParameterException.class, () -> PrivacyLoss.of(0.5, 1.0));
    assertEquals(new BigDecimal("0.1"), PrivacyLoss.of(0.1, 0).epsilon(), "doubles are read as their shortest decimal");
  }

  @Test
  void budgetsMayExceedTheRequestCapButNotGoNegative() {
    assertEquals(0, PrivacyLoss.budget(new BigDecimal("1000"), BigDecimal.ZERO).epsilon().compareTo(new BigDecimal(1000)));
    assertThrows(InvalidPrivacyParameterException.class, () -> PrivacyLoss.of(new BigDecimal("1000"), BigDecimal.ZERO));
    assertThrows(InvalidPrivacyParameterException.class,
        () -> PrivacyLoss.of(0.1, 0).minus(PrivacyLoss.of(0.2, 0)));
  }

  @Test
  void splitIntoThreeNeverExceedsTheWhole() {
    PrivacyLoss whole = PrivacyLoss.parse("1", "1e-6");
    List<PrivacyLoss> parts = whole.split(3);
    assertEquals(3, parts.size());
    PrivacyLoss sum = parts.stream().reduce(PrivacyLoss.ZERO, PrivacyLoss::plus);
    assertTrue(sum.fitsWithin(whole));
    // 1/3 rounded down to 20 significant digits: the loss from rounding is below 1e-19 per part
    assertTrue(whole.epsilon().subtract(sum.epsilon()).compareTo(new BigDecimal("1e-18")) < 0);
    assertEquals(0, parts.get(0).epsilon().compareTo(new BigDecimal("0.33333333333333333333")));
  }

  @Test
  void weightedSplitFollowsTheWeightsAndKeepsPureDeltaZero() {
    List<PrivacyLoss> parts = PrivacyLoss.parse("0.9", "0").splitWeighted(1, 2);
    assertEquals(0, parts.get(0).epsilon().compareTo(new BigDecimal("0.3")));
    assertEquals(0, parts.get(1).epsilon().compareTo(new BigDecimal("0.6")));
    assertTrue(parts.get(0).isPure() && parts.get(1).isPure());
  }

  @Test
  void splitRejectsNonsenseCounts() {
    PrivacyLoss whole = PrivacyLoss.of(1, 0);
    IllegalArgumentException zero = assertThrows(IllegalArgumentException.class, () -> whole.split(0));
    assertTrue(zero.getMessage().contains("at least 1"), zero.getMessage());
    assertThrows(IllegalArgumentException.class, () -> whole.split(-2));
    assertThrows(IllegalArgumentException.class, () -> whole.splitWeighted(1, Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> whole.splitWeighted(1, 0));
  }

  @Test
  void doublesForCalibrationRoundTowardsZero() {
    PrivacyLoss p = PrivacyLoss.parse("0.1", "1e-7");
    assertTrue(new BigDecimal(p.epsilonDouble()).compareTo(p.epsilon()) <= 0);
    assertTrue(new BigDecimal(p.deltaDouble()).compareTo(p.delta()) <= 0);
    assertEquals(Math.nextDown(0.1), p.epsilonDouble(), "the double 0.1 is above 1/10, so one step down");
  }
}
