package org.dpq.engine;

import java.nio.file.Path;
import org.dpq.engine.release.Noise;
import org.dpq.engine.release.ReleaseKey;
import org.dpq.engine.release.SecureNoise;
import org.dpq.mechanisms.NoiseMechanism;
import org.dpq.mechanisms.PartitionThreshold;
import org.dpq.mechanisms.TestRandomBits;

/**
 * The engine's test-only seam (shipped in the engine test-jar, never in the main jar): opens a dataset with
 * zero noise (to compare bounded values with a reference) or with a fixed-seed secure source (for repeatable
 * statistical checks).
 */
public final class TestSeams {
  private TestSeams() {}

  /** Noise that adds nothing: released values equal the bounded (pre-noise) values. */
  public static final Noise ZERO_NOISE = new Noise() {
    @Override
    public long add(NoiseMechanism mechanism, long value) {
      return value;
    }

    @Override
    public double add(NoiseMechanism mechanism, double value) {
      return value;
    }

    @Override
    public long noisyUnits(PartitionThreshold threshold, long units) {
      return units;
    }
  };

  /** Opens a dataset whose released values are the exact bounded values. */
  public static Dpq openWithoutNoise(Path yaml) {
    return Dpq.open(yaml, ZERO_NOISE);
  }

  /** Opens a dataset whose noise comes from a SHA1PRNG SecureRandom with a fixed seed. */
  public static Dpq openSeeded(Path yaml, long seed) {
    return Dpq.open(yaml, SecureNoise.from(TestRandomBits.seeded(seed)));
  }

  /** Opens a dataset with any noise (e.g. a deliberately broken one for audits). */
  public static Dpq openWithNoise(Path yaml, Noise noise) {
    return Dpq.open(yaml, noise);
  }

  /** Opens a dataset whose stored answers are keyed by {@code releaseKey} (e.g. the old, broken key). */
  public static Dpq openWithReleaseKey(Path yaml, Noise noise, ReleaseKey.Scheme releaseKey) {
    return Dpq.open(yaml, noise, releaseKey);
  }

  /** Opens a dataset whose bounded queries come from {@code rewriter} (e.g. a deliberately broken one). */
  public static Dpq openWithRewriter(Path yaml, Noise noise, ReleaseKey.Scheme releaseKey,
      org.dpq.engine.rewrite.Rewriter rewriter) {
    return Dpq.open(yaml, noise, releaseKey, rewriter);
  }
}
