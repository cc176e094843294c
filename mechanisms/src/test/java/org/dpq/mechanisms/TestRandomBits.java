package org.dpq.mechanisms;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * The test-only randomness seam: deterministic {@link RandomBits} from a seeded SHA1PRNG SecureRandom, so
 * statistical tests are reproducible. Lives in the test-jar only; main code can never obtain a seeded source.
 */
public final class TestRandomBits {
  private TestRandomBits() {}

  /** A deterministic source: the same seed gives the same bits on every run and platform. */
  public static RandomBits seeded(long seed) {
    try {
      SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
      random.setSeed(seed); // before any output: SHA1PRNG then uses only this seed
      return SecureRandomBits.wrap(random);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA1PRNG is required for deterministic tests", e);
    }
  }
}
