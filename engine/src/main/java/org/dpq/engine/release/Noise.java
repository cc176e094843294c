package org.dpq.engine.release;

import org.dpq.mechanisms.NoiseMechanism;
import org.dpq.mechanisms.PartitionThreshold;

/**
 * Where release gets its noise. The only production implementation is {@link SecureNoise} (SecureRandom through
 * the mechanisms module, invariant 1); the engine accepts another only through a package-private test seam, so
 * no analyst, flag or SQL text can choose it.
 */
public interface Noise {
  /** An integer value plus integer noise of the mechanism's distribution. */
  long add(NoiseMechanism mechanism, long value);

  /** A real value on the mechanism's power-of-two grid plus grid-scaled integer noise. */
  double add(NoiseMechanism mechanism, double value);

  /**
   * An exact real value (a bounded sum in whole grid steps) rounded to the mechanism's grid in exact arithmetic,
   * plus grid-scaled integer noise. The default goes through the nearest double (for test noises that transform
   * values); {@link SecureNoise} never rounds the value first.
   */
  default double add(NoiseMechanism mechanism, java.math.BigDecimal value) {
    return add(mechanism, value.doubleValue());
  }

  /** A distinct-unit count plus the threshold's integer noise. */
  long noisyUnits(PartitionThreshold threshold, long units);
}
