package org.dpq.e2e.audit;

import org.dpq.engine.release.Noise;
import org.dpq.mechanisms.NoiseMechanism;
import org.dpq.mechanisms.PartitionThreshold;

/**
 * A deliberately broken noise source for the audit's negative control: the correct noise, with every deviation
 * divided by {@code factor} (as if the scale were calibrated for an epsilon {@code factor} times larger).
 *
 * @param inner the correct noise
 * @param factor how much smaller the deviations are
 */
public record ShrunkNoise(Noise inner, int factor) implements Noise {
  @Override
  public long add(NoiseMechanism mechanism, long value) {
    return value + (inner.add(mechanism, value) - value) / factor;
  }

  @Override
  public double add(NoiseMechanism mechanism, double value) {
    return value + (inner.add(mechanism, value) - value) / factor;
  }

  @Override
  public long noisyUnits(PartitionThreshold threshold, long units) {
    return inner.noisyUnits(threshold, units);
  }
}
