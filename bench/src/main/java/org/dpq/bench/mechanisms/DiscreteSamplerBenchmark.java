package org.dpq.bench.mechanisms;

import java.util.concurrent.TimeUnit;
import org.dpq.mechanisms.DiscreteGaussian;
import org.dpq.mechanisms.DiscreteLaplace;
import org.dpq.mechanisms.RandomBits;
import org.dpq.mechanisms.SecureRandomBits;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Secure samples per second of the exact discrete samplers, with production randomness
 * ({@link SecureRandomBits#create()}: a self-seeded DRBG read in blocks). One source per benchmark thread.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DiscreteSamplerBenchmark {
  /** Production randomness and a discrete Laplace scale t (numerator over denominator 1). */
  @State(Scope.Thread)
  public static class LaplaceScale {
    @Param({"1", "100", "1000000"})
    public long scale;

    RandomBits bits;

    @Setup
    public void setUp() {
      bits = SecureRandomBits.create();
    }
  }

  /** Production randomness and a discrete Gaussian sigma (sigma² = sigma * sigma). */
  @State(Scope.Thread)
  public static class GaussianSigma {
    @Param({"1", "100", "10000", "1000000"})
    public long sigma;

    RandomBits bits;

    @Setup
    public void setUp() {
      bits = SecureRandomBits.create();
    }
  }

  @Benchmark
  public long discreteLaplace(LaplaceScale s) {
    return DiscreteLaplace.sample(s.bits, s.scale, 1);
  }

  @Benchmark
  public long discreteGaussian(GaussianSigma s) {
    return DiscreteGaussian.sample(s.bits, s.sigma * s.sigma, 1);
  }
}
