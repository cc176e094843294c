package org.dpq.mechanisms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.dpq.errors.InvalidPrivacyParameterException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Laplace thresholding: a single-unit group is released with probability at most delta/maxGroups. */
class PartitionThresholdTest {
  @ParameterizedTest(name = "epsilon {0}, delta {1}, maxGroups {2}")
  @CsvSource({"1, 1e-6, 1", "0.5, 1e-6, 3", "0.1, 1e-9, 10", "3, 1e-5, 1", "0.01, 1e-7, 2"})
  void thresholdIsTheSmallestThatBoundsTheSingleUnitReleaseExactly(double epsilon, double delta, int maxGroups) {
    PartitionThreshold pt = PartitionThreshold.of(epsilon, delta, maxGroups);
    assertTrue(pt.scale() >= maxGroups / epsilon, "scale below maxGroups/epsilon");
    // Exact tail, evaluated independently: P(1 + Z >= tau) = q^(tau-1) / (1+q), q = exp(-1/t).
    double t = pt.scale();
    double q = Math.exp(-1 / t);
    double atTau = Math.pow(q, pt.threshold() - 1) / (1 + q);
    double belowTau = Math.pow(q, pt.threshold() - 2) / (1 + q);
    assertTrue(atTau <= delta / maxGroups, "single-unit release probability " + atTau + " above delta/G");
    assertTrue(belowTau > delta / maxGroups * (1 - 1e-6), "threshold is not the smallest valid one");
    assertEquals(atTau, pt.releaseProbability(1), atTau * 1e-9);
  }

  @Test
  void releaseFrequencyMatchesTheComputedProbabilityAndALowerThresholdIsCaught() {
    // A large delta makes the single-unit release frequent enough to measure: delta = 0.05, G = 1.
    PartitionThreshold pt = PartitionThreshold.of(1, 0.05, 1);
    RandomBits bits = TestRandomBits.seeded(44);
    int n = 200_000;
    int released = 0;
    int releasedLow = 0;
    for (int i = 0; i < n; i++) {
      long noisy = pt.noisyCount(1, bits);
      if (pt.release(noisy)) {
        released++;
      }
      if (noisy >= pt.threshold() - 1) { // broken variant: threshold one too low
        releasedLow++;
      }
    }
    double p = pt.releaseProbability(1);
    double upper = Stats.clopperPearsonUpper(released, n, 1e-6);
    double lower = Stats.clopperPearsonLower(released, n, 1e-6);
    assertTrue(lower <= p && p <= upper, "release frequency disagrees with the exact probability " + p);
    assertTrue(upper <= 0.05 * 1.05, "release frequency above delta");
    assertTrue(Stats.clopperPearsonLower(releasedLow, n, 1e-6) > 0.05,
        "a threshold one lower must be caught releasing single units more often than delta");
  }

  @Test
  void largeGroupsAreReleasedAndValidationNamesTheFix() {
    PartitionThreshold pt = PartitionThreshold.of(1, 1e-6, 1);
    assertTrue(pt.releaseProbability(pt.threshold() + 20) > 0.999);
    assertTrue(pt.release(pt.threshold()));
    assertFalse(pt.release(pt.threshold() - 1));
    InvalidPrivacyParameterException e = assertThrows(InvalidPrivacyParameterException.class,
        () -> PartitionThreshold.of(1, 0, 1));
    assertTrue(e.getMessage().contains("delta > 0"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> PartitionThreshold.of(1, 1e-6, 0));
    assertThrows(IllegalArgumentException.class, () -> new PartitionThreshold(1, 1e-6, 1, 1, pt.threshold() - 1));
    assertThrows(IllegalArgumentException.class, () -> new PartitionThreshold(1, 1e-6, 2, 1, 1000));
    assertThrows(IllegalArgumentException.class, () -> pt.noisyCount(-1, TestRandomBits.seeded(1)));
  }
}
