package org.dpq.mechanisms;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * The production source of {@link RandomBits}: a {@link SecureRandom} that nobody can seed. Owns invariant 1
 * (released noise comes from SecureRandom only, never from a user-settable seed).
 *
 * <p>Bits are fetched from the generator in blocks of {@value #BLOCK} bytes (one SecureRandom call per block
 * instead of one per {@code long}), which makes secure sampling fast. Instances are thread-safe.
 */
public final class SecureRandomBits implements RandomBits {
  private static final int BLOCK = 512;
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private final SecureRandom random;
  private final byte[] buffer = new byte[BLOCK];
  private int position = BLOCK;

  private SecureRandomBits(SecureRandom random) {
    this.random = random;
  }

  /**
   * A fresh, self-seeded secure source: the platform's NIST SP 800-90A DRBG (self-seeded from the operating
   * system's entropy), or the platform default SecureRandom where DRBG is unavailable.
   */
  public static RandomBits create() {
    SecureRandom random;
    try {
      random = SecureRandom.getInstance("DRBG");
    } catch (NoSuchAlgorithmException e) {
      random = new SecureRandom();
    }
    return new SecureRandomBits(random);
  }

  /**
   * Test-only seam: wraps a caller-made {@link SecureRandom} (for example a seeded SHA1PRNG in tests).
   * Package-private so that only code in {@code org.dpq.mechanisms} (the test-jar's bridge) reaches it.
   */
  static RandomBits wrap(SecureRandom random) {
    return new SecureRandomBits(random);
  }

  @Override
  public synchronized long nextLong() {
    if (position == BLOCK) {
      random.nextBytes(buffer);
      position = 0;
    }
    long value = (long) LONGS.get(buffer, position);
    position += Long.BYTES;
    return value;
  }
}
