package org.dpq.mechanisms;

import java.math.BigInteger;

/**
 * Spends the 64 bits of each {@link RandomBits#nextLong()} one at a time, so that the exact samplers pay
 * for the randomness they use rather than for one SecureRandom call per coin flip. Not thread-safe: one
 * reader serves one sample (or one sequence of samples) on one thread.
 *
 * <p>All Bernoulli draws here are exact for rational parameters: a uniform real is compared lazily, bit by
 * bit, against the binary expansion of the rational, which costs two random bits on average.
 */
final class BitReader {
  private static final int CHUNK = 16;

  private final RandomBits source;
  private long word;
  private int left;

  BitReader(RandomBits source) {
    if (source == null) {
      throw new IllegalArgumentException("a randomness source is required; use SecureRandomBits.create()");
    }
    this.source = source;
  }

  /** One fair bit. */
  boolean bit() {
    if (left == 0) {
      word = source.nextLong();
      left = 64;
    }
    boolean b = word < 0;
    word <<= 1;
    left--;
    return b;
  }

  /** {@code k} fair bits as a non-negative long, {@code 1 <= k <= 63}. */
  long bits(int k) {
    if (left >= k) {
      long r = word >>> (64 - k);
      word = k == 64 ? 0 : word << k;
      left -= k;
      return r;
    }
    long r = 0;
    int need = k;
    if (left > 0) {
      r = word >>> (64 - left);
      need -= left;
    }
    word = source.nextLong();
    left = 64;
    r = (r << need) | (word >>> (64 - need));
    word <<= need;
    left -= need;
    return r;
  }

  /** A uniform integer in {@code [0, bound)}, {@code 1 <= bound <= 2^62}, by exact rejection. */
  long uniform(long bound) {
    if (bound == 1) {
      return 0;
    }
    int k = 64 - Long.numberOfLeadingZeros(bound - 1);
    while (true) {
      long c = bits(k);
      if (c < bound) {
        return c;
      }
    }
  }

  /** Bernoulli(num/den), exact, for {@code 0 <= num <= den}, {@code 0 < den < 2^62}. */
  boolean bernoulli(long num, long den) {
    if (num <= 0) {
      return false;
    }
    if (num >= den) {
      return true;
    }
    long r = num;
    while (true) {
      r <<= 1;
      boolean pBit = r >= den;
      if (pBit) {
        r -= den;
      }
      boolean uBit = bit();
      if (uBit != pBit) {
        return pBit; // u < p exactly when the first differing bit of u is 0 and of p is 1
      }
      if (r == 0) {
        return false; // p's expansion ended: the remaining u >= remaining p (= 0)
      }
    }
  }

  /** Bernoulli(num/den), exact, for {@code 0 <= num <= den}, {@code den > 0}, arbitrary size. */
  boolean bernoulli(BigInteger num, BigInteger den) {
    if (num.signum() <= 0) {
      return false;
    }
    if (num.compareTo(den) >= 0) {
      return true;
    }
    if (den.bitLength() < 62) {
      return bernoulli(num.longValue(), den.longValue());
    }
    // Compare 16 bits of the uniform at a time with the next 16 bits of num/den (one division each).
    BigInteger r = num;
    while (true) {
      BigInteger[] qr = r.shiftLeft(CHUNK).divideAndRemainder(den);
      long p = qr[0].longValue();
      long u = bits(CHUNK);
      if (u != p) {
        return u < p;
      }
      r = qr[1];
      if (r.signum() == 0) {
        return false;
      }
    }
  }

  /**
   * Bernoulli(exp(-num/den)) exactly, {@code num >= 0}, {@code 0 < den < 2^62} (Canonne, Kamath, Steinke
   * 2020, Algorithm 1). For gamma in [0, 1]: count K while Bernoulli(gamma/K) succeeds; accept when K is odd.
   * Bernoulli(gamma/K) is drawn as Bernoulli(gamma) AND Bernoulli(1/K), which never overflows. For gamma &gt; 1:
   * floor(gamma) independent Bernoulli(exp(-1)) successes and then Bernoulli(exp(-frac(gamma))).
   */
  boolean bernoulliExpMinus(long num, long den) {
    long whole = num / den;
    long rest = num - whole * den;
    for (long i = 0; i < whole; i++) {
      if (!bernoulliExpMinusOne()) {
        return false;
      }
    }
    return bernoulliExpMinusFraction(rest, den);
  }

  /** As {@link #bernoulliExpMinus(long, long)} for arbitrary-size {@code num >= 0}, {@code den > 0}. */
  boolean bernoulliExpMinus(BigInteger num, BigInteger den) {
    if (num.bitLength() < 62 && den.bitLength() < 62) {
      return bernoulliExpMinus(num.longValue(), den.longValue());
    }
    BigInteger[] qr = num.divideAndRemainder(den);
    BigInteger whole = qr[0];
    long w = whole.bitLength() > 62 ? Long.MAX_VALUE : whole.longValue();
    // Each round fails with probability 1 - 1/e, so the loop ends long before w for any large w.
    for (long i = 0; i < w; i++) {
      if (!bernoulliExpMinusOne()) {
        return false;
      }
    }
    BigInteger rest = qr[1];
    if (rest.signum() == 0) {
      return true;
    }
    if (den.bitLength() < 62) {
      return bernoulliExpMinusFraction(rest.longValue(), den.longValue());
    }
    long k = 1;
    while (bernoulli(rest, den) && bernoulli(1, k)) {
      k++;
    }
    return (k & 1) == 1;
  }

  /**
   * Bernoulli(exp(-N/D)) exactly for unsigned 128-bit {@code N = (nHi, nLo)} and {@code 0 < D = (dHi, dLo)
   * < 2^126}, in {@code long} arithmetic only: whole units of N/D are peeled off by subtraction, each after a
   * Bernoulli(exp(-1)) success (the loop ends after a geometric number of rounds), and the remaining
   * fraction goes through the K loop with a lazy bit-by-bit Bernoulli(r/D).
   */
  boolean bernoulliExpMinus(long nHi, long nLo, long dHi, long dLo) {
    long rHi = nHi;
    long rLo = nLo;
    while (compareUnsigned(rHi, rLo, dHi, dLo) >= 0) {
      if (!bernoulliExpMinusOne()) {
        return false;
      }
      long lo = rLo - dLo;
      rHi = rHi - dHi - (Long.compareUnsigned(rLo, dLo) < 0 ? 1 : 0);
      rLo = lo;
    }
    if (rHi == 0 && rLo == 0) {
      return true;
    }
    long k = 1;
    while (bernoulli(rHi, rLo, dHi, dLo) && bernoulli(1, k)) {
      k++;
    }
    return (k & 1) == 1;
  }

  /** Bernoulli(r/D) for unsigned 128-bit {@code 0 < r < D < 2^126}, comparing bit by bit. */
  private boolean bernoulli(long rHi, long rLo, long dHi, long dLo) {
    while (true) {
      rHi = (rHi << 1) | (rLo >>> 63);
      rLo <<= 1;
      boolean pBit = compareUnsigned(rHi, rLo, dHi, dLo) >= 0;
      if (pBit) {
        long lo = rLo - dLo;
        rHi = rHi - dHi - (Long.compareUnsigned(rLo, dLo) < 0 ? 1 : 0);
        rLo = lo;
      }
      if (bit() != pBit) {
        return pBit;
      }
      if (rHi == 0 && rLo == 0) {
        return false;
      }
    }
  }

  private static int compareUnsigned(long aHi, long aLo, long bHi, long bLo) {
    int c = Long.compareUnsigned(aHi, bHi);
    return c != 0 ? c : Long.compareUnsigned(aLo, bLo);
  }

  /** Bernoulli(exp(-1)). */
  boolean bernoulliExpMinusOne() {
    long k = 1;
    while (bernoulli(1, k)) {
      k++;
    }
    return (k & 1) == 1;
  }

  /** Bernoulli(exp(-num/den)) for {@code 0 <= num <= den}. */
  private boolean bernoulliExpMinusFraction(long num, long den) {
    if (num == 0) {
      return true;
    }
    long k = 1;
    while (bernoulli(num, den) && bernoulli(1, k)) {
      k++;
    }
    return (k & 1) == 1;
  }
}
