package org.dpq.mechanisms;

/**
 * Uniform random bits, the only input of every noise sampler. Owns invariant 1 together with
 * {@link SecureRandomBits}: production code obtains instances only from {@link SecureRandomBits#create()};
 * deterministic instances exist solely in the mechanisms test-jar (the test-only seam).
 */
public interface RandomBits {
  /** 64 uniform random bits. */
  long nextLong();

  /** A uniform integer in {@code [0, bound)}, by rejection (no modulo bias). */
  default long nextLong(long bound) {
    if (bound <= 0) {
      throw new IllegalArgumentException("bound must be positive");
    }
    long mask = -1L >>> Long.numberOfLeadingZeros(bound - 1 | 1);
    while (true) {
      long candidate = nextLong() & mask;
      if (candidate < bound) {
        return candidate;
      }
    }
  }

  /** One fair coin flip. */
  default boolean nextBoolean() {
    return nextLong() < 0;
  }
}
