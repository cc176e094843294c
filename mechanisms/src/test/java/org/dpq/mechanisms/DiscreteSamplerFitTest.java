package org.dpq.mechanisms;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.function.LongToDoubleFunction;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Chi-square goodness of fit of each exact sampler against its exact pmf, at small, medium and large
 * scales, through the seeded seam. Margins: the correct sampler must give p >= 0.001; the same test applied
 * to a sampler whose scale is 20% off (both directions) must give p < 1e-9. With 200,000 draws the broken
 * variants' p-values are astronomically small, so the check is decisive in both directions.
 */
class DiscreteSamplerFitTest {
  private static final int N = 200_000;
  private static final double ACCEPT = 1e-3;
  private static final double REJECT = 1e-9;

  /** Discrete Laplace pmf of scale t: (1-q)/(1+q) q^|z|, q = exp(-1/t), written independently of main code. */
  private static LongToDoubleFunction laplacePmf(double t) {
    double q = Math.exp(-1 / t);
    return z -> (1 - q) / (1 + q) * Math.pow(q, Math.abs(z));
  }

  /** Discrete Gaussian pmf by explicit normalisation over |z| <= 60σ + 10. */
  private static LongToDoubleFunction gaussianPmf(double sigmaSq) {
    long m = (long) (60 * Math.sqrt(sigmaSq)) + 10;
    double norm = 0;
    for (long z = -m; z <= m; z++) {
      norm += Math.exp(-(double) z * z / (2 * sigmaSq));
    }
    double total = norm;
    return z -> Math.exp(-(double) z * z / (2 * sigmaSq)) / total;
  }

  // The last case is t = 2^62 / 2^61 = 2: U + tV passes 2^62 for V >= 1, which exercises the big path.
  @ParameterizedTest(name = "discrete Laplace scale {0}/{1}")
  @CsvSource({"7, 10, 11", "5, 1, 12", "1000, 3, 13", "4611686018427387904, 2305843009213693952, 14"})
  void discreteLaplaceFitsItsPmfAndRejectsA20PercentScaleError(long num, long den, long seed) {
    double t = (double) num / den;
    RandomBits bits = TestRandomBits.seeded(seed);
    double good = pValue(() -> DiscreteLaplace.sample(bits, num, den), laplacePmf(t));
    assertTrue(good >= ACCEPT, "correct sampler rejected: p = " + good);

    // Broken variants: the sampler runs with 0.8x and 1.2x the scale the pmf claims.
    long[] small = scaled(num, den, 4, 5);
    long[] large = scaled(num, den, 6, 5);
    double tooSmall = pValue(() -> DiscreteLaplace.sample(bits, small[0], small[1]), laplacePmf(t));
    double tooLarge = pValue(() -> DiscreteLaplace.sample(bits, large[0], large[1]), laplacePmf(t));
    assertTrue(tooSmall < REJECT, "0.8x scale not detected: p = " + tooSmall);
    assertTrue(tooLarge < REJECT, "1.2x scale not detected: p = " + tooLarge);
  }

  @ParameterizedTest(name = "discrete Gaussian sigma^2 {0}/{1}")
  @CsvSource({"4, 5, 21", "20, 1, 22", "2000, 1, 23"})
  void discreteGaussianFitsItsPmfAndRejectsA20PercentScaleError(long num, long den, long seed) {
    double s2 = (double) num / den;
    RandomBits bits = TestRandomBits.seeded(seed);
    double good = pValue(() -> DiscreteGaussian.sample(bits, num, den), gaussianPmf(s2));
    assertTrue(good >= ACCEPT, "correct sampler rejected: p = " + good);

    // Broken variants: sigma off by 20% (sigma² times 0.64 and 1.44).
    double tooSmall = pValue(() -> DiscreteGaussian.sample(bits, num * 16, den * 25), gaussianPmf(s2));
    double tooLarge = pValue(() -> DiscreteGaussian.sample(bits, num * 36, den * 25), gaussianPmf(s2));
    assertTrue(tooSmall < REJECT, "0.8x sigma not detected: p = " + tooSmall);
    assertTrue(tooLarge < REJECT, "1.2x sigma not detected: p = " + tooLarge);
  }

  // 2^40: the acceptance test needs 128-bit arithmetic (long pairs); 2^70: sigma^2 itself needs BigInteger.
  @ParameterizedTest(name = "discrete Gaussian on the wide paths, sigma^2 = 2^{0}")
  @CsvSource({"40, 32", "70, 31"})
  void discreteGaussianBigPathFitsCoarseBinsOfItsPmf(int log2SigmaSq, long seed) {
    // σ = 2^20 or 2^35: too wide for per-integer bins; test the law of floor(Z / (σ/4)) against the normal
    // distribution (at these sigmas the discrete law's bin probabilities agree with it to far below the
    // chi-square test's resolution: the relative error is of order 1/σ).
    java.math.BigInteger num = java.math.BigInteger.ONE.shiftLeft(log2SigmaSq);
    double sigma = Math.scalb(1.0, log2SigmaSq / 2);
    double width = sigma / 4;
    RandomBits bits = TestRandomBits.seeded(seed);
    BitReader in = new BitReader(bits);
    int n = 20_000;
    LongToDoubleFunction binProb = b -> phi((b + 1) * width / sigma) - phi(b * width / sigma);
    double good = pValue(n, () -> Math.floorDiv(DiscreteGaussian.sample(in, num, java.math.BigInteger.ONE), (long) width), binProb);
    assertTrue(good >= ACCEPT, "correct big sampler rejected: p = " + good);
    java.math.BigInteger broken = num.multiply(java.math.BigInteger.valueOf(16)).divide(java.math.BigInteger.valueOf(25));
    double bad = pValue(n, () -> Math.floorDiv(DiscreteGaussian.sample(in, broken, java.math.BigInteger.ONE), (long) width), binProb);
    assertTrue(bad < REJECT, "0.8x sigma on the big path not detected: p = " + bad);
  }

  /** (num·p)/(den·q) reduced, as a fraction of longs. */
  private static long[] scaled(long num, long den, long p, long q) {
    java.math.BigInteger n = java.math.BigInteger.valueOf(num).multiply(java.math.BigInteger.valueOf(p));
    java.math.BigInteger d = java.math.BigInteger.valueOf(den).multiply(java.math.BigInteger.valueOf(q));
    java.math.BigInteger g = n.gcd(d);
    return new long[] {n.divide(g).longValueExact(), d.divide(g).longValueExact()};
  }

  private static double phi(double x) {
    return new org.apache.commons.math3.distribution.NormalDistribution(null, 0, 1).cumulativeProbability(x);
  }

  private static double pValue(java.util.function.LongSupplier draw, LongToDoubleFunction pmf) {
    return pValue(N, draw, pmf);
  }

  private static double pValue(int n, java.util.function.LongSupplier draw, LongToDoubleFunction pmf) {
    Map<Long, Long> counts = Stats.histogram(n, draw);
    return Stats.chiSquarePValue(counts, n, pmf);
  }
}
