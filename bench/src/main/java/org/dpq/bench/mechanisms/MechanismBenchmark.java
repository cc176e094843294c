package org.dpq.bench.mechanisms;

import java.util.concurrent.TimeUnit;
import org.dpq.mechanisms.Calibration;
import org.dpq.mechanisms.GaussianMechanism;
import org.dpq.mechanisms.LaplaceMechanism;
import org.dpq.mechanisms.RandomBits;
import org.dpq.mechanisms.SecureRandomBits;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Noisy releases per second through the mechanisms the engine calls: integer (count) releases and
 * real-valued releases on the power-of-two grid, for a count (L1 = 1, epsilon 0.5) and a sum-like
 * sensitivity (10,000, epsilon 0.5, delta 1e-6 for Gaussian).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class MechanismBenchmark {
  private RandomBits bits;
  private LaplaceMechanism laplaceCount;
  private LaplaceMechanism laplaceSum;
  private GaussianMechanism gaussianCount;
  private GaussianMechanism gaussianSum;

  @Setup
  public void setUp() {
    bits = SecureRandomBits.create();
    laplaceCount = Calibration.laplace(1, 0.5);
    laplaceSum = Calibration.laplace(10_000, 0.5);
    gaussianCount = Calibration.gaussian(1, 0.5, 1e-6);
    gaussianSum = Calibration.gaussian(10_000, 0.5, 1e-6);
  }

  @Benchmark
  public long laplaceCountRelease() {
    return laplaceCount.addNoise(12_345L, bits);
  }

  @Benchmark
  public double laplaceSumRelease() {
    return laplaceSum.addNoise(1_234_567.891, bits);
  }

  @Benchmark
  public long gaussianCountRelease() {
    return gaussianCount.addNoise(12_345L, bits);
  }

  @Benchmark
  public double gaussianSumRelease() {
    return gaussianSum.addNoise(1_234_567.891, bits);
  }
}
