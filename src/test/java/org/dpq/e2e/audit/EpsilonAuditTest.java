package org.dpq.e2e.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The audit's statistics: exact Clopper-Pearson ends and the direction of the epsilon bound. */
class EpsilonAuditTest {
  @Test
  void clopperPearsonHasClosedFormsAtTheEnds() {
    // k = 0: upper = 1 - alpha^(1/n); k = n: lower = alpha^(1/n).
    assertEquals(1 - Math.pow(0.05, 1.0 / 100), ClopperPearson.upper(0, 100, 0.05), 1e-12);
    assertEquals(Math.pow(0.05, 1.0 / 100), ClopperPearson.lower(100, 100, 0.05), 1e-12);
    assertEquals(0, ClopperPearson.lower(0, 100, 0.05));
    assertEquals(1, ClopperPearson.upper(100, 100, 0.05));
    double lower = ClopperPearson.lower(50, 100, 0.025);
    double upper = ClopperPearson.upper(50, 100, 0.025);
    assertTrue(lower > 0.39 && lower < 0.41 && upper > 0.59 && upper < 0.61, lower + " " + upper);
  }

  @Test
  void identicalOutputsGiveNoEvidenceAndSeparatedOnesGiveMuch() {
    List<double[]> a = new ArrayList<>();
    List<double[]> b = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      a.add(new double[] {i % 10});
      b.add(new double[] {i % 10});
    }
    List<EpsilonAudit.Event> events = List.of(new EpsilonAudit.Event("x >= 5", x -> x[0] >= 5),
        new EpsilonAudit.Event("x >= 9", x -> x[0] >= 9));
    assertEquals(0, EpsilonAudit.lowerBound(a, b, events, 0, 0.05).epsilonLowerBound());
    List<double[]> shifted = b.stream().map(x -> new double[] {x[0] + 5}).toList();
    EpsilonAudit.Result r = EpsilonAudit.lowerBound(a, shifted, events, 0, 0.05);
    // P(x >= 9) is 0.1 on a and 0.6 on the shifted outputs: ln 6 = 1.79 in expectation, less after the bounds.
    assertTrue(r.epsilonLowerBound() > 1 && r.epsilonLowerBound() < Math.log(6), r.toString());
    assertEquals(r.epsilonLowerBound(), EpsilonAudit.lowerBound(shifted, a, events, 0, 0.05).epsilonLowerBound(),
        1e-12, "both directions are tested");
  }
}
