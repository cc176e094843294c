package org.dpq.engine.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.BigRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Scale;
import org.dpq.engine.analysis.Analyzer;
import org.dpq.engine.analysis.DpPlan;
import org.dpq.errors.QueryRejectedException;
import org.dpq.mechanisms.MechanismChoice;
import org.dpq.mechanisms.MechanismKind;
import org.dpq.mechanisms.PrivacyLoss;
import org.junit.jupiter.api.Test;

class BudgetAllocatorTest {
  private static DpPlan plan(String sql) {
    return new Analyzer().analyze(ReleaseNoiseTest.DATASET, sql);
  }

  @Property(tries = 300)
  void partsAddUpExactlyAndNeverExceedTheWhole(@ForAll @BigRange(min = "0.000001", max = "100") @Scale(12) BigDecimal total,
      @ForAll @IntRange(min = 1, max = 40) int k) {
    List<BigDecimal> parts = BudgetAllocator.exactParts(total, k);
    assertEquals(k, parts.size());
    assertEquals(0, total.compareTo(parts.stream().reduce(BigDecimal.ZERO, BigDecimal::add)));
    for (BigDecimal p : parts) {
      assertTrue(p.signum() >= 0 && p.compareTo(total) <= 0);
    }
  }

  @Test
  void aLaplaceQueryIsChargedExactlyWhatWasAsked() {
    DpPlan p = plan("SELECT g, COUNT(*), SUM(v), AVG(v) FROM t GROUP BY g");
    NoisePlan n = new BudgetAllocator().allocate(p, PrivacyLoss.parse("0.5", "0"), MechanismChoice.LAPLACE);
    assertEquals(3, n.measurements().size(), "count, and AVG's centred sum and count of values (SUM is derived)");
    assertEquals(PrivacyLoss.parse("0.5", "0"), n.total());
    n.measurements().forEach(m -> assertEquals(MechanismKind.LAPLACE, m.mechanism().kind()));
  }

  @Test
  void thresholdingTakesDeltaAndGaussianMeasurementsShareTheRest() {
    DpPlan p = plan("SELECT h, COUNT(*) FROM t GROUP BY h");
    NoisePlan n = new BudgetAllocator().allocate(p, PrivacyLoss.parse("1", "1e-6"), MechanismChoice.GAUSSIAN);
    assertTrue(n.threshold().isPresent());
    assertTrue(n.total().fitsWithin(PrivacyLoss.parse("1", "1e-6")));
    assertEquals(0, new BigDecimal("1").compareTo(n.total().epsilon()));
    BigDecimal selectionDelta = n.measurements().stream().filter(m -> m.threshold().isPresent()).findFirst()
        .orElseThrow().loss().delta();
    assertEquals(0, new BigDecimal("5e-7").compareTo(selectionDelta));
  }

  @Test
  void thresholdingWithoutDeltaOrGaussianWithoutDeltaIsRejected() {
    BudgetAllocator a = new BudgetAllocator();
    assertThrows(QueryRejectedException.class, () -> a.allocate(plan("SELECT h, COUNT(*) FROM t GROUP BY h"),
        PrivacyLoss.parse("1", "0"), MechanismChoice.AUTO));
    assertThrows(QueryRejectedException.class, () -> a.allocate(plan("SELECT COUNT(*) FROM t"),
        PrivacyLoss.parse("1", "0"), MechanismChoice.GAUSSIAN));
  }
}
