package org.dpq.cli.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DataGenPrngTest {

  @Test
  void matchesThePublishedSplitMix64SequenceForSeedZero() {
    DataGenPrng r = new DataGenPrng(0);
    assertEquals(0xE220A8397B1DCDAFL, r.nextLong());
    assertEquals(0x6E789E6AA1B965F4L, r.nextLong());
    assertEquals(0x06C45D188009454FL, r.nextLong());
  }

  @Test
  void nextIntStaysInRangeAndHitsEveryValue() {
    DataGenPrng r = new DataGenPrng(7);
    int[] seen = new int[7];
    for (int i = 0; i < 7000; i++) {
      int v = r.nextInt(3, 9);
      assertTrue(v >= 3 && v <= 9, "out of range: " + v);
      seen[v - 3]++;
    }
    for (int i = 0; i < seen.length; i++) {
      assertTrue(seen[i] > 800 && seen[i] < 1200, "value " + (i + 3) + " seen " + seen[i] + " times");
    }
    assertThrows(IllegalArgumentException.class, () -> r.nextInt(0));
  }

  @Test
  void pickFollowsTheWeights() {
    DataGenPrng r = new DataGenPrng(11);
    double[] cdf = DataGenPrng.cumulative(1, 3);
    int ones = 0;
    int n = 100_000;
    for (int i = 0; i < n; i++) {
      ones += r.pick(cdf);
    }
    double share = ones / (double) n;
    assertTrue(Math.abs(share - 0.75) < 0.01, "share of index 1 was " + share);
  }

  @Test
  void oneplusGeometricHasTheRequestedMeanAndCap() {
    DataGenPrng r = new DataGenPrng(3);
    long sum = 0;
    int n = 100_000;
    for (int i = 0; i < n; i++) {
      int k = r.oneplusGeometric(2.0, 10);
      assertTrue(k >= 1 && k <= 10);
      sum += k;
    }
    double mean = sum / (double) n;
    // 1 + Geometric(mean 2) truncated at 10: mean slightly below 3
    assertTrue(mean > 2.7 && mean < 3.0, "mean " + mean);
  }
}
