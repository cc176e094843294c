package org.dpq.engine.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class DuckDbErrorsTest {
  @Test
  void keepsOnlyAKnownCategoryAndTheSqlState() {
    SQLException e = new SQLException("Conversion Error: Could not convert string 'Zyxwvut' to INT32", "22018");
    String m = DuckDbErrors.running(e).getMessage();
    assertFalse(m.contains("Zyxwvut"), m);
    assertFalse(m.contains("INT32"), m);
    assertTrue(m.contains("(DuckDB Conversion Error)"), m);
    assertTrue(m.contains("[SQLState 22018]"), m);
  }

  @Test
  void anUnknownPrefixIsNeverEchoed() {
    assertNull(DuckDbErrors.errorType("Zyxwvut Error: something"));
    assertNull(DuckDbErrors.errorType("no category at all"));
    assertNull(DuckDbErrors.errorType(null));
    String m = DuckDbErrors.running(new SQLException("Zyxwvut Error: x", "ab'cd")).getMessage();
    assertFalse(m.contains("Zyxwvut"), m);
    assertFalse(m.contains("ab'cd"), "a malformed SQLState is not shown either: " + m);
    assertTrue(m.contains("an unclassified error"), m);
  }

  @Test
  void knownCategoriesAreRecognised() {
    assertEquals("Invalid Input", DuckDbErrors.errorType("Invalid Input Error: CSV Error on Line: 3"));
    assertEquals("Binder", DuckDbErrors.errorType("Binder Error: Referenced column \"x\" not found"));
    assertEquals("Out of Range", DuckDbErrors.errorType("Out of Range Error: Overflow in addition"));
  }
}
