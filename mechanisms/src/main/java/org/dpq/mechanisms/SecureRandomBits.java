package org.dpq.mechanisms;

import java.security.SecureRandom;

/**
 * The production source of {@link RandomBits}: a {@link SecureRandom} that nobody can seed. Owns invariant 1
 * (released noise comes from SecureRandom only, never from a user-settable seed).
 */
public final class SecureRandomBits implements RandomBits {
  private final SecureRandom random;

  private SecureRandomBits(SecureRandom random) {
    this.random = random;
  }

  /** A fresh, self-seeded secure source. */
  public static RandomBits create() {
    return new SecureRandomBits(new SecureRandom());
  }

  /**
   * Test-only seam: wraps a caller-made {@link SecureRandom} (for example a seeded SHA1PRNG in tests).
   * Package-private so that only code in {@code org.dpq.mechanisms} (the test-jar's bridge) reaches it.
   */
  static RandomBits wrap(SecureRandom random) {
    return new SecureRandomBits(random);
  }

  @Override
  public long nextLong() {
    return random.nextLong();
  }
}
