package org.dpq.e2e.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The hostile suites' output checks must themselves catch what they look for. */
class LeaksTest {
  @Test
  void findsPlantedValuesTheAnalystDidNotType() {
    assertEquals(List.of("Zyxwvut", "Qopmarn"), Leaks.found("error: 'zyxwvut-qopmarn' is not an integer", ""));
    assertEquals(List.of("987654"), Leaks.found("{\"rows\":[[987654.3]]}", "SELECT SUM(income) FROM people"));
    assertEquals(List.of("9223372036854775807"), Leaks.found("value 9223372036854775807 out of range", ""));
  }

  @Test
  void tokensTheAnalystTypedAreNotLeaks() {
    assertTrue(Leaks.found("unknown column in 'Zyxwvut-Qopmarn'", "where name = 'zyxwvut-qopmarn'").isEmpty());
    assertFalse(Leaks.found("unknown column in 'Zyxwvut-Qopmarn' 987654", "where name = 'zyxwvut-qopmarn'")
        .isEmpty());
  }

  @Test
  void redactsEveryPlantedToken() {
    String shown = Leaks.redact("a Zyxwvut b 987654.321 c Wexqorbat");
    assertTrue(Leaks.found(shown, "").isEmpty(), shown);
  }

  @Test
  void recognisesStackTraces() {
    assertTrue(Leaks.hasStackTrace("java.lang.IllegalStateException: x\n\tat org.dpq.engine.Dpq.query(Dpq.java:12)"));
    assertTrue(Leaks.hasStackTrace("Caused by: java.sql.SQLException: boom"));
    assertFalse(Leaks.hasStackTrace("dpq: query rejected: JOIN is not supported yet. Fix: query one table"));
  }
}
