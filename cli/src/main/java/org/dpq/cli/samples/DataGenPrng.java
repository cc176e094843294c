package org.dpq.cli.samples;

/**
 * A small seeded pseudo-random generator (SplitMix64) used ONLY to synthesise sample data sets. It is
 * predictable by design, so that {@code dpq samples generate} is reproducible, and it must never be used for
 * privacy noise: released noise comes only from the engine's {@code SecureRandom} source.
 */
public final class DataGenPrng {
  private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
  private static final double DOUBLE_UNIT = 0x1.0p-53;

  private long state;

  /** A generator whose whole output is fixed by {@code seed}. */
  public DataGenPrng(long seed) {
    this.state = seed;
  }

  /** The next 64 uniformly distributed bits. */
  public long nextLong() {
    long z = (state += GOLDEN_GAMMA);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** A uniform double in [0, 1). */
  public double nextDouble() {
    return (nextLong() >>> 11) * DOUBLE_UNIT;
  }

  /** A uniform int in [0, bound), without modulo bias. */
  public int nextInt(int bound) {
    if (bound <= 0) {
      throw new IllegalArgumentException("bound must be positive");
    }
    long limit = (1L << 32) - ((1L << 32) % bound);
    long bits;
    do {
      bits = nextLong() >>> 32;
    } while (bits >= limit);
    return (int) (bits % bound);
  }

  /** A uniform int in [lower, upper]. */
  public int nextInt(int lower, int upper) {
    return lower + nextInt(upper - lower + 1);
  }

  /** True with probability {@code p}. */
  public boolean chance(double p) {
    return nextDouble() < p;
  }

  /** A standard normal value (Box-Muller; adequate for synthetic data, not for anything private). */
  public double nextStandardNormal() {
    double u = 1.0 - nextDouble();
    double v = nextDouble();
    return Math.sqrt(-2.0 * Math.log(u)) * Math.cos(2.0 * Math.PI * v);
  }

  /** 1 + a geometric number of extra items with the given mean number of extras, capped at {@code max}. */
  public int oneplusGeometric(double meanExtra, int max) {
    double p = 1.0 / (1.0 + meanExtra);
    int n = 1;
    while (n < max && !chance(p)) {
      n++;
    }
    return n;
  }

  /** An index drawn from cumulative weights {@code cdf} (last entry 1.0). */
  public int pick(double[] cdf) {
    double u = nextDouble();
    for (int i = 0; i < cdf.length - 1; i++) {
      if (u < cdf[i]) {
        return i;
      }
    }
    return cdf.length - 1;
  }

  /** Cumulative weights for {@link #pick}, from non-negative weights. */
  public static double[] cumulative(double... weights) {
    double total = 0;
    for (double w : weights) {
      total += w;
    }
    double[] cdf = new double[weights.length];
    double run = 0;
    for (int i = 0; i < weights.length; i++) {
      run += weights[i];
      cdf[i] = run / total;
    }
    cdf[weights.length - 1] = 1.0;
    return cdf;
  }
}
