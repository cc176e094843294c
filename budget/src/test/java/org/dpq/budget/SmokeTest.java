package org.dpq.budget;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.List;
import org.dpq.mechanisms.PrivacyLoss;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmokeTest {
  @TempDir Path dir;

  @Test
  void chargeReleaseReuse() {
    try (Ledger l = Ledger.open(dir.resolve("l.db").toString())) {
      l.initialise("d", "fp", PrivacyLoss.budget(new java.math.BigDecimal("1"), java.math.BigDecimal.ZERO), "me");
      PrivacyLoss q = PrivacyLoss.parse("0.5", "0");
      ChargeRequest r = new ChargeRequest("d", "fp", "a", "select 1", "k", "p", List.of(new MeasurementCost("c", "laplace", q)), q);
      ChargeOutcome o = l.charge(r);
      assertInstanceOf(ChargeOutcome.Charged.class, o);
      assertInstanceOf(ChargeOutcome.InFlight.class, l.charge(r));
      l.recordRelease("d", ((ChargeOutcome.Charged) o).sequence(), "{\"x\":1}");
      ChargeOutcome again = l.charge(r);
      assertInstanceOf(ChargeOutcome.Reused.class, again);
      assertTrue(l.verify("d").ok(), l.verify("d").toString());
      assertEquals(3, l.status("d").entries());
    }
  }
}
