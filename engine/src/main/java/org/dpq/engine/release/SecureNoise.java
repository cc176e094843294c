package org.dpq.engine.release;

import org.dpq.mechanisms.NoiseMechanism;
import org.dpq.mechanisms.PartitionThreshold;
import org.dpq.mechanisms.RandomBits;
import org.dpq.mechanisms.SecureRandomBits;

/** Production noise: every sample from a {@code SecureRandom} through the mechanisms module (invariant 1). */
public final class SecureNoise implements Noise {
  private final RandomBits bits;

  private SecureNoise(RandomBits bits) {
    this.bits = bits;
  }

  /** Noise from a fresh self-seeded SecureRandom. */
  public static Noise create() {
    return new SecureNoise(SecureRandomBits.create());
  }

  /** Noise from given secure bits (the test seam passes seeded secure bits through here). */
  public static Noise from(RandomBits bits) {
    return new SecureNoise(bits);
  }

  @Override
  public long add(NoiseMechanism mechanism, long value) {
    synchronized (bits) {
      return mechanism.addNoise(value, bits);
    }
  }

  @Override
  public double add(NoiseMechanism mechanism, double value) {
    synchronized (bits) {
      return mechanism.addNoise(value, bits);
    }
  }

  @Override
  public double add(NoiseMechanism mechanism, java.math.BigDecimal value) {
    synchronized (bits) {
      return mechanism.addNoise(value, bits);
    }
  }

  @Override
  public long noisyUnits(PartitionThreshold threshold, long units) {
    synchronized (bits) {
      return threshold.noisyCount(units, bits);
    }
  }
}
