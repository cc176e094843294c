package org.dpq.mechanisms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

/** Exactness of the building blocks, argument checks, and the randomness seam. */
class SamplerTest {
  @Test
  void bernoulliOfARationalHasExactlyThatProbability() {
    // 7/13 and a broken 8/13 through the same Clopper-Pearson check (alpha 1e-6, n = 200,000).
    BitReader in = new BitReader(TestRandomBits.seeded(5));
    int n = 200_000;
    int hits = 0;
    int bigHits = 0;
    for (int i = 0; i < n; i++) {
      hits += in.bernoulli(7, 13) ? 1 : 0;
      bigHits += in.bernoulli(BigInteger.valueOf(7).shiftLeft(70), BigInteger.valueOf(13).shiftLeft(70)) ? 1 : 0;
    }
    for (int k : new int[] {hits, bigHits}) {
      assertTrue(Stats.clopperPearsonLower(k, n, 1e-6) <= 7 / 13.0 && 7 / 13.0 <= Stats.clopperPearsonUpper(k, n, 1e-6));
      assertTrue(Stats.clopperPearsonUpper(k, n, 1e-6) < 8 / 13.0, "would not tell 7/13 from 8/13");
    }
  }

  @Test
  void bernoulliOfExpMinusGammaHasExactlyThatProbability() {
    BitReader in = new BitReader(TestRandomBits.seeded(6));
    int n = 200_000;
    long[][] cases = {{1, 3}, {5, 2}, {1, 1}};
    for (long[] c : cases) {
      int hits = 0;
      for (int i = 0; i < n; i++) {
        hits += in.bernoulliExpMinus(c[0], c[1]) ? 1 : 0;
      }
      double p = Math.exp(-(double) c[0] / c[1]);
      assertTrue(Stats.clopperPearsonLower(hits, n, 1e-6) <= p && p <= Stats.clopperPearsonUpper(hits, n, 1e-6),
          "Bernoulli(exp(-" + c[0] + "/" + c[1] + ")) off: " + hits / (double) n);
      double broken = Math.exp(-(double) c[0] / c[1] * 0.9);
      assertTrue(broken > Stats.clopperPearsonUpper(hits, n, 1e-6), "check cannot tell exp(-0.9 gamma)");
    }
  }

  @Test
  void uniformIsUniformAndBitsAreConsumedSparingly() {
    CountingBits counting = new CountingBits(TestRandomBits.seeded(8));
    BitReader in = new BitReader(counting);
    long[] counts = new long[6];
    int n = 60_000;
    for (int i = 0; i < n; i++) {
      counts[(int) in.uniform(6)]++;
    }
    double[] expected = new double[6];
    java.util.Arrays.fill(expected, n / 6.0);
    assertTrue(new org.apache.commons.math3.stat.inference.ChiSquareTest().chiSquareTest(expected, counts) > 1e-3);
    // 3 bits per attempt, acceptance 6/8: 4 bits per draw on average, so about 60,000 * 4 / 64 longs.
    assertTrue(counting.calls < 4_500, "uniform(6) used " + counting.calls + " longs for 60,000 draws");
  }

  @Test
  void samplersRejectBadParametersWithTheFix() {
    RandomBits bits = TestRandomBits.seeded(1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DiscreteLaplace.sample(bits, 0, 1));
    assertTrue(e.getMessage().contains("positive fraction"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> DiscreteLaplace.sample(bits, 1L << 60, 1));
    assertThrows(IllegalArgumentException.class, () -> DiscreteGaussian.sample(bits, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> DiscreteGaussian.sample(bits, -4, 1));
    assertThrows(IllegalArgumentException.class, () -> new BitReader(null));
  }

  @Test
  void theSeamIsDeterministicAndProductionIsNot() {
    RandomBits a = TestRandomBits.seeded(42);
    RandomBits b = TestRandomBits.seeded(42);
    for (int i = 0; i < 100; i++) {
      assertEquals(a.nextLong(), b.nextLong());
    }
    assertNotEquals(TestRandomBits.seeded(1).nextLong(), TestRandomBits.seeded(2).nextLong());
    RandomBits p = SecureRandomBits.create();
    RandomBits q = SecureRandomBits.create();
    assertNotEquals(p.nextLong(), q.nextLong(), "two production sources must not share a stream (2^-64 chance)");
  }

  @Test
  void floorSqrtIsExact() {
    for (long x : new long[] {0, 1, 2, 3, 4, 99, 100, 101, (1L << 62) - 1, 1L << 62, 999_999_999_999L}) {
      long r = DiscreteGaussian.floorSqrt(x);
      assertTrue(BigInteger.valueOf(r).pow(2).compareTo(BigInteger.valueOf(x)) <= 0);
      assertTrue(BigInteger.valueOf(r + 1).pow(2).compareTo(BigInteger.valueOf(x)) > 0);
    }
  }

  @Test
  void ratiosRoundUpNeverDown() {
    java.math.BigDecimal tenth = new java.math.BigDecimal(0.1); // slightly above 1/10
    java.math.BigDecimal justBelowTen = java.math.BigDecimal.ONE.divide(tenth, Ratio.UP);
    Ratio r = Ratio.ceil(justBelowTen, 30);
    assertTrue(justBelowTen.compareTo(java.math.BigDecimal.TEN) < 0);
    assertTrue(r.toBigDecimal().compareTo(justBelowTen) >= 0);
    assertEquals(new Ratio(10, 1), r, "1/0.1 (just below 10) rounds up to exactly 10");
    assertEquals(new Ratio(7, 2), Ratio.ceil(new java.math.BigDecimal("3.5"), 30));
  }

  /** Counts calls to the wrapped source. */
  private static final class CountingBits implements RandomBits {
    private final RandomBits inner;
    private long calls;

    CountingBits(RandomBits inner) {
      this.inner = inner;
    }

    @Override
    public long nextLong() {
      calls++;
      return inner.nextLong();
    }
  }
}
