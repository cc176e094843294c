package org.dpq.cli.output;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import org.dpq.mechanisms.Interval;
import org.junit.jupiter.api.Test;

class NumbersTest {

  @Test
  void decimalsGiveTwoSignificantDigitsOfTheError() {
    assertEquals(1, Numbers.decimalsFor(9.87));
    assertEquals(3, Numbers.decimalsFor(0.0123));
    assertEquals(0, Numbers.decimalsFor(123));
    assertEquals(0, Numbers.decimalsFor(0));
    assertEquals(10, Numbers.decimalsFor(1e-30));
  }

  @Test
  void exactFormsNeverUseScientificNotation() {
    assertEquals("0.0000001", Numbers.exact(1e-7));
    assertEquals("12000000000", Numbers.exact(1.2e10));
    assertEquals("812.0", Numbers.exact(812.0));
    assertEquals("0.000000001", Numbers.exact(1e-9));
    assertEquals("812", Numbers.exact(812L));
    assertEquals("", Numbers.exact(null));
    assertEquals("NaN", Numbers.exact(Double.NaN));
  }

  @Test
  void humanValuesWithoutIntervalKeepSixSignificantDigits() {
    assertEquals("3.14159", Numbers.human(Math.PI, null));
    assertEquals("north", Numbers.human("north", null));
    assertEquals("NULL", Numbers.human(null, null));
    assertEquals("42", Numbers.human(42L, new Interval(40, 44)));
  }

  @Test
  void lossViewIsExactAndCanonical() {
    assertEquals("0.5", LossView.plain(new BigDecimal("0.500")));
    assertEquals("0", LossView.plain(new BigDecimal("0.000")));
    assertEquals("10", LossView.plain(new BigDecimal("1E+1")));
    assertEquals("0.0000001", LossView.plain(new BigDecimal("1E-7")));
  }

  @Test
  void lossViewForPeopleRoundsOnlyLongValuesAndMarksThem() {
    assertEquals("0.5", LossView.human("0.5"));
    assertEquals("~0.5", LossView.human("0.49999999999999999998"));
    assertEquals("~0.166667", LossView.human("0.16666666666666666666"));
    assertEquals("1e-7", LossView.human("0.0000001"));
    assertEquals("9.9e-6", LossView.human("0.0000099"));
    assertEquals("~3.33333e-8", LossView.human("0.000000033333333333333"));
    assertEquals("0", LossView.human("0"));
  }
}
