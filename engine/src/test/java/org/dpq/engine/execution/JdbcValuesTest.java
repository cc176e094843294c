package org.dpq.engine.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class JdbcValuesTest {
  @Test
  void integersOfAnyWidthBecomeLongWhenTheyFit() {
    assertEquals(7L, JdbcValues.normalize(7));
    assertEquals(7L, JdbcValues.normalize((short) 7));
    assertEquals(7L, JdbcValues.normalize((byte) 7));
    assertEquals(Long.MAX_VALUE, JdbcValues.normalize(BigInteger.valueOf(Long.MAX_VALUE)));
    assertEquals(Long.MIN_VALUE, JdbcValues.normalize(BigInteger.valueOf(Long.MIN_VALUE)));
    BigInteger tooBig = BigInteger.valueOf(Long.MAX_VALUE).add(BigInteger.ONE);
    assertSame(tooBig, JdbcValues.normalize(tooBig));
  }

  @Test
  void decimalsBecomeLongOrDoubleOnlyWhenExact() {
    assertEquals(12L, JdbcValues.normalize(new BigDecimal("12")));
    assertEquals(1200L, JdbcValues.normalize(new BigDecimal("1.2E+3")));
    assertEquals(0.5, JdbcValues.normalize(new BigDecimal("0.50")));
    assertEquals(12.0, JdbcValues.normalize(new BigDecimal("12.0")));
    BigDecimal tenth = new BigDecimal("0.1");
    assertSame(tenth, JdbcValues.normalize(tenth));
    BigDecimal huge = new BigDecimal("1E+30");
    assertSame(huge, JdbcValues.normalize(huge));
  }

  @Test
  void otherValuesPassThrough() {
    assertNull(JdbcValues.normalize(null));
    assertEquals(1.5, JdbcValues.normalize(1.5f));
    assertEquals("x", JdbcValues.normalize("x"));
    assertEquals(Double.NaN, JdbcValues.normalize(Double.NaN));
    LocalDate day = LocalDate.of(2024, 1, 31);
    assertSame(day, JdbcValues.normalize(day));
  }
}
