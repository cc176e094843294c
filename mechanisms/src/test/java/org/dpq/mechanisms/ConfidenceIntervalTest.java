package org.dpq.mechanisms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Confidence intervals come from the exact discrete noise laws. Exact checks: the discrete Laplace
 * half-width is the smallest integer with tail mass at most alpha. Empirical check (seeded): coverage over
 * 20,000 releases must be at least confidence - 0.005 (about 3.2 standard errors at 95%), and the same check
 * rejects intervals 20% too narrow (their coverage is about 0.91 for Laplace and 0.89 for Gaussian).
 */
class ConfidenceIntervalTest {
  private static final int N = 20_000;

  @ParameterizedTest(name = "Laplace t = {0}, confidence {1}")
  @CsvSource({"0.5, 0.95", "1, 0.9", "2, 0.95", "37.5, 0.99", "1000, 0.5"})
  void laplaceHalfWidthIsTheExactSmallestInteger(double t, double confidence) {
    long h = NoiseTails.laplaceHalfWidth(t, confidence);
    double q = Math.exp(-1 / t);
    double alpha = 1 - confidence;
    double tailAtH = 2 * Math.pow(q, h + 1) / (1 + q);
    assertTrue(tailAtH <= alpha * (1 + 1e-12), "tail above alpha at h");
    if (h > 0) {
      assertTrue(2 * Math.pow(q, h) / (1 + q) > alpha, "h is not the smallest");
    }
  }

  @Test
  void gaussianHalfWidthIsExactForSmallSigmaAndABoundForLarge() {
    // sigma = 1: N = 1 + 2(e^-0.5 + e^-2 + ...) ~ 2.5066; P(|Z| > 1) ~ 0.117, P(|Z| > 2) ~ 0.0091.
    assertEquals(2, NoiseTails.gaussianHalfWidth(1, 0.95));
    assertEquals(2, NoiseTails.gaussianHalfWidth(1, 0.885));
    assertEquals(1, NoiseTails.gaussianHalfWidth(1, 0.88));
    assertEquals(3, NoiseTails.gaussianHalfWidth(1, 0.995));
    // large sigma: ceil(1.959964 * sigma)
    assertEquals((long) Math.ceil(1.959963984540054 * 1000), NoiseTails.gaussianHalfWidth(1000, 0.95), 1);
  }

  @ParameterizedTest(name = "{0} at confidence {1}")
  @CsvSource({"laplace-count, 0.95", "laplace-real, 0.9", "gaussian-count, 0.95", "gaussian-real, 0.95"})
  void intervalsCoverAtTheirLevelAndNarrowerOnesAreCaught(String kind, double confidence) {
    NoiseMechanism m = kind.startsWith("laplace") ? Calibration.laplace(3, 0.7) : Calibration.gaussian(3, 0.7, 1e-6);
    boolean real = kind.endsWith("real");
    RandomBits bits = TestRandomBits.seeded(kind.hashCode());
    double truth = 1000.25;
    double h = m.halfWidth(confidence);
    int covered = 0;
    int coveredNarrow = 0;
    for (int i = 0; i < N; i++) {
      double released = real ? m.addNoise(truth, bits) : m.addNoise(1000L, bits);
      double value = real ? truth : 1000;
      if (m.confidenceInterval(released, confidence).contains(value)) {
        covered++;
      }
      if (Math.abs(released - value) <= 0.8 * h) {
        coveredNarrow++;
      }
    }
    assertTrue(covered >= (confidence - 0.005) * N, kind + " coverage " + covered / (double) N);
    assertTrue(coveredNarrow < (confidence - 0.005) * N, "20% narrower interval not caught: " + coveredNarrow / (double) N);
  }

  @Test
  void roundedReleasesWidenTheIntervalByHalfAGridStep() {
    LaplaceMechanism m = Calibration.laplace(1e6, 1e-9); // integer grid 2^3 and a real grid
    LaplaceNoise integer = m.integerNoise();
    LaplaceNoise real = m.realNoise();
    for (LaplaceNoise n : new LaplaceNoise[] {integer, real}) {
      long h = NoiseTails.laplaceHalfWidth((double) n.t().num() / n.t().den(), 0.95);
      assertEquals(Math.scalb(h + 0.5, n.exponent()), n.halfWidth(0.95));
    }
    LaplaceNoise exact = Calibration.laplace(1, 1).integerNoise();
    assertEquals(NoiseTails.laplaceHalfWidth(1, 0.95), exact.halfWidth(0.95), "integers on grid 1 are not rounded");
  }

  @Test
  void halfWidthGrowsWithConfidenceAndBadLevelsAreRejected() {
    NoiseMechanism m = Calibration.laplace(1, 1);
    assertTrue(m.halfWidth(0.99) > m.halfWidth(0.9));
    assertThrows(IllegalArgumentException.class, () -> m.halfWidth(1.0));
    assertThrows(IllegalArgumentException.class, () -> m.halfWidth(0));
    assertThrows(IllegalArgumentException.class, () -> m.confidenceInterval(1, Double.NaN));
    Interval i = m.confidenceInterval(10, 0.95);
    assertTrue(i.low() < 10 && i.high() > 10 && i.contains(10));
  }
}
