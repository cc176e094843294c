package org.dpq.mechanisms;

import java.math.BigDecimal;
import org.dpq.errors.InvalidPrivacyParameterException;

/**
 * Laplace thresholding for DP partition selection on a per-group distinct-unit count, where each privacy unit
 * is in at most {@code maxGroups} groups. Owns invariant 5 for groups without a public domain: a group key is
 * released only when its noisy unit count clears the threshold.
 *
 * <p>Privacy argument. Counts of groups present with and without a unit differ by at most 1 in at most
 * {@code maxGroups} groups (L1 ≤ maxGroups): discrete Laplace noise of scale {@code t >= maxGroups/epsilon}
 * makes them epsilon-DP. A group that exists only because of the unit has count 1; it is released with
 * probability {@code P(1 + Z >= threshold) = q^(threshold-1)/(1+q)}, {@code q = exp(-1/t)}, and the threshold
 * is the smallest integer that makes this at most {@code delta/maxGroups}, so the at most {@code maxGroups}
 * such groups together leak with probability at most delta.
 *
 * @param epsilon the epsilon share spent on the noisy counts
 * @param delta the delta share spent on selection, in (0, 1)
 * @param maxGroups the most groups one privacy unit may contribute to
 * @param scale the discrete Laplace scale in units (at least maxGroups/epsilon)
 * @param threshold the smallest released noisy count
 */
public record PartitionThreshold(double epsilon, double delta, int maxGroups, double scale, long threshold) {
  private static final int RATIO_BITS = 30;
  /** Relative safety margin on the log tail, covering floating-point error in exp/log. */
  private static final double LOG_MARGIN = 1e-9;
  /** The exact sampler scale per double scale: a 100,000-group release spent 37% of its time recomputing it. */
  private static final PlanCache<Double, Ratio> SCALES = new PlanCache<>();

  /**
   * Validates the parameters and that the scale and threshold are at least what the privacy argument needs.
   *
   * @throws InvalidPrivacyParameterException for a bad epsilon or delta (delta must be &gt; 0)
   * @throws IllegalArgumentException for a bad maxGroups, a too-small scale or threshold
   */
  public PartitionThreshold {
    Checks.epsilon(epsilon);
    Checks.positiveDelta(delta);
    if (maxGroups < 1) {
      throw new IllegalArgumentException("maxGroups must be at least 1 (each unit contributes to at least one group)");
    }
    if (!(scale > 0) || Double.isInfinite(scale)
        || Exact.of(scale).multiply(Exact.of(epsilon)).compareTo(BigDecimal.valueOf(maxGroups)) < 0) {
      throw new IllegalArgumentException("partition-selection scale must be at least maxGroups / epsilon; "
          + "build it with PartitionThreshold.of(epsilon, delta, maxGroups)");
    }
    Ratio t = noiseScale(scale);
    if (threshold < requiredThreshold(t, delta, maxGroups)) {
      throw new IllegalArgumentException("partition-selection threshold is too low for this delta; "
          + "build it with PartitionThreshold.of(epsilon, delta, maxGroups)");
    }
  }

  /**
   * The calibrated threshold for an epsilon and delta share.
   *
   * @throws InvalidPrivacyParameterException when delta is 0 (selection without a public domain needs delta)
   */
  public static PartitionThreshold of(double epsilon, double delta, int maxGroups) {
    Checks.epsilon(epsilon);
    if (delta == 0) {
      throw new InvalidPrivacyParameterException("grouping by a column without public values needs delta > 0 "
          + "for partition selection; give a delta such as 1e-7, or declare public_values for the column");
    }
    Checks.positiveDelta(delta);
    if (maxGroups < 1) {
      throw new IllegalArgumentException("maxGroups must be at least 1 (each unit contributes to at least one group)");
    }
    Ratio t = Ratio.ceil(BigDecimal.valueOf(maxGroups).divide(Exact.of(epsilon), Ratio.UP), RATIO_BITS);
    double scale = t.doubleUp();
    return new PartitionThreshold(epsilon, delta, maxGroups, scale, requiredThreshold(noiseScale(scale), delta, maxGroups));
  }

  /** {@code distinctUnits} plus discrete Laplace noise of scale {@link #scale()} (L1 = maxGroups). */
  public long noisyCount(long distinctUnits, RandomBits bits) {
    if (distinctUnits < 0) {
      throw new IllegalArgumentException("a distinct-unit count cannot be negative");
    }
    Ratio t = noiseScale(scale);
    long noise = DiscreteLaplace.sample(new BitReader(bits), t.num(), t.den());
    return Grid.release(distinctUnits, noise, 0);
  }

  /** True when the group may be released: {@code noisyCount >= threshold}. */
  public boolean release(long noisyCount) {
    return noisyCount >= threshold;
  }

  /** The probability that a group of {@code units} distinct units is released (for tests and explain). */
  public double releaseProbability(long units) {
    double t = noiseScale(scale).toBigDecimal().doubleValue();
    long m = threshold - units; // need Z >= m
    double q = Math.exp(-1 / t);
    if (m <= 0) {
      return 1 - Math.exp(-(1 - m) / t) / (1 + q); // 1 - P(Z <= m-1) = 1 - P(Z >= 1-m), by symmetry
    }
    return Math.exp(-m / t) / (1 + q);
  }

  private static Ratio noiseScale(double scale) {
    return SCALES.get(scale, s -> {
      Ratio t = Ratio.ceil(Exact.of(s), RATIO_BITS);
      DiscreteLaplace.checkScale(t.num(), t.den());
      return t;
    });
  }

  /**
   * The smallest integer tau with {@code P(Z >= tau - 1) <= delta / maxGroups}, Z discrete Laplace of scale
   * t: for m >= 1, {@code P(Z >= m) = q^m / (1 + q)}; evaluated in logs with a safety margin (a threshold
   * that is one too high only costs utility).
   */
  static long requiredThreshold(Ratio ratio, double delta, int maxGroups) {
    double t = ratio.toBigDecimal().doubleValue();
    double logTarget = Math.log(delta) - Math.log(maxGroups);
    double log1pq = Math.log1p(Math.exp(-1 / t));
    double guess = Math.ceil(t * (-logTarget - log1pq));
    long m = Math.max(1, (long) Math.min(guess, 0x1p62));
    while (!safe(m, t, log1pq, logTarget)) {
      m++;
    }
    while (m > 1 && safe(m - 1, t, log1pq, logTarget)) {
      m--;
    }
    return m + 1;
  }

  private static boolean safe(long m, double t, double log1pq, double logTarget) {
    double logTail = -m / t - log1pq;
    return logTail + LOG_MARGIN * (Math.abs(logTail) + 1) <= logTarget;
  }
}
