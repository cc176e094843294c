package org.dpq.mechanisms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.RoundingMode;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** The granularity method's grid: rounding is to the nearest grid point and releases stay on the grid. */
class GridProperties {
  @Provide
  Arbitrary<Double> sensitivity() {
    return Gen.logUniform(1e-3, 1e6);
  }

  @Provide
  Arbitrary<Double> epsilon() {
    return Gen.logUniform(0.05, 10);
  }

  @Provide
  Arbitrary<Double> wideSensitivity() {
    return Gen.logUniform(1e-6, 1e9);
  }

  @Provide
  Arbitrary<Double> wideEpsilon() {
    return Gen.logUniform(1e-4, 100);
  }

  @Property(tries = 2000)
  void roundingLandsOnTheGridWithinHalfAStep(@ForAll @DoubleRange(min = -1e12, max = 1e12) double x,
      @ForAll @IntRange(min = -60, max = 20) int e) {
    double index = Grid.index(x, e);
    assertEquals(Math.rint(index), index, "index is an integer");
    BigDecimal g = Grid.pow2Exact(e);
    BigDecimal rounded = new BigDecimal(index).multiply(g);
    BigDecimal error = rounded.subtract(new BigDecimal(x)).abs();
    assertTrue(error.compareTo(g.divide(BigDecimal.valueOf(2))) <= 0, "more than half a grid step away");
  }

  @Property(tries = 2000)
  void integerRoundingIsNearestTiesToEven(@ForAll @LongRange(min = -(1L << 60), max = 1L << 60) long x,
      @ForAll @IntRange(min = 0, max = 40) int e) {
    long expected = new BigDecimal(x).divide(new BigDecimal(1L << e)).setScale(0, RoundingMode.HALF_EVEN).longValueExact();
    assertEquals(expected, Grid.index(x, e));
  }

  @Property(tries = 300)
  void laplaceRealReleasesAreExactMultiplesOfTheGrid(@ForAll("sensitivity") double l1,
      @ForAll("epsilon") double epsilon,
      @ForAll @DoubleRange(min = -1e9, max = 1e9) double x, @ForAll @LongRange(min = 1, max = 1000) long seed) {
    LaplaceMechanism m = Calibration.laplace(l1, epsilon);
    int e = m.realNoise().exponent();
    double out = m.addNoise(x, TestRandomBits.seeded(seed));
    assertOnGrid(out, e);
  }

  @Property(tries = 100)
  void gaussianRealReleasesAreExactMultiplesOfTheGrid(@ForAll("sensitivity") double l2,
      @ForAll("epsilon") double epsilon,
      @ForAll @DoubleRange(min = -1e9, max = 1e9) double x, @ForAll @LongRange(min = 1, max = 1000) long seed) {
    GaussianMechanism m = Calibration.gaussian(l2, epsilon, 1e-6);
    int e = m.realNoise().exponent();
    double out = m.addNoise(x, TestRandomBits.seeded(seed));
    assertOnGrid(out, e);
  }

  @Property(tries = 300)
  void anExactValueIsReleasedLikeItsDoubleAndBeyondTheDoubleRange(@ForAll("sensitivity") double l1,
      @ForAll("epsilon") double epsilon, @ForAll @DoubleRange(min = -1e9, max = 1e9) double x,
      @ForAll @LongRange(min = 1, max = 1000) long seed, @ForAll boolean gaussian) {
    NoiseMechanism m = gaussian ? Calibration.gaussian(l1, epsilon, 1e-6) : Calibration.laplace(l1, epsilon);
    assertEquals(m.addNoise(x, TestRandomBits.seeded(seed)),
        m.addNoise(new BigDecimal(x), TestRandomBits.seeded(seed)), "same grid index, same noise");
    // An exact sum that no double holds (2^80 + 1 grid steps of 2^-40) still lands on the grid.
    int e = gaussian ? ((GaussianMechanism) m).realNoise().exponent() : ((LaplaceMechanism) m).realNoise().exponent();
    BigDecimal huge = new BigDecimal(java.math.BigInteger.ONE.shiftLeft(80).add(java.math.BigInteger.ONE))
        .multiply(Grid.pow2Exact(-40));
    assertOnGrid(m.addNoise(huge, TestRandomBits.seeded(seed)), e);
  }

  @Property(tries = 300)
  void theGridIsFineComparedWithTheNoise(@ForAll("wideSensitivity") double l1,
      @ForAll("wideEpsilon") double epsilon) {
    LaplaceMechanism m = Calibration.laplace(l1, epsilon);
    double g = Math.scalb(1.0, m.realNoise().exponent());
    assertTrue(g <= m.scale() * 0x1p-30, "grid too coarse for the noise");
    // The accounted noise in grid steps is at least the nominal scale in grid steps.
    double steps = (double) m.realNoise().t().num() / m.realNoise().t().den();
    assertTrue(steps * g >= m.scale(), "noise on the grid is below the nominal scale");
    assertTrue(steps * g <= m.scale() * 1.001, "rounding allowance should cost well under 0.1% of the noise");
  }

  private static void assertOnGrid(double out, int e) {
    assertTrue(Double.isFinite(out));
    double steps = Math.scalb(out, -e);
    assertEquals(Math.rint(steps), steps, "release is not a multiple of the grid 2^" + e);
  }
}
