package org.dpq.engine.release;

import java.util.List;
import org.dpq.engine.Cell;
import org.dpq.engine.analysis.AggregateSpec;
import org.dpq.mechanisms.Interval;

/**
 * Derives user-visible aggregates (COUNT, SUM, AVG, VAR, STDDEV) from noisy measurements only, each with a 95%
 * interval of its noise. Pure post-processing: nothing here reads a bounded (pre-noise) value.
 *
 * <p>Intervals of ratios (AVG, VAR) are boxes: each component's interval is taken at a confidence whose product
 * is 95% (the noises are independent), and the derived value's interval is the range of the formula over the
 * box, so it covers the noise-free bounded value at least 95% of the time.
 */
final class AggregateDeriver {
  static final double CONFIDENCE = 0.95;

  private AggregateDeriver() {}

  /** One noisy measurement value with the mechanism that produced it. */
  record Noisy(double value, MeasurementNoise noise) {
    Interval interval(double confidence) {
      return noise.mechanism().confidenceInterval(value, confidence);
    }
  }

  static Cell derive(AggregateSpec spec, List<Noisy> m) {
    if (spec instanceof AggregateSpec.Count c) {
      return count(m.get(c.count()));
    }
    if (spec instanceof AggregateSpec.CountUnits c) {
      return count(m.get(c.units()));
    }
    if (spec instanceof AggregateSpec.Sum s) {
      return sum(m.get(s.sum()), s.integral());
    }
    if (spec instanceof AggregateSpec.DerivedSum d) {
      return derivedSum(d, m.get(d.centredSum()), m.get(d.count()));
    }
    if (spec instanceof AggregateSpec.Mean a) {
      return mean(a, m.get(a.centredSum()), m.get(a.count()));
    }
    AggregateSpec.Variance v = (AggregateSpec.Variance) spec;
    return variance(v, m.get(v.centredSquares()), m.get(v.centredSum()), m.get(v.count()));
  }

  /**
   * A count is released clamped at zero, with the noise interval around the released value cut at zero. When
   * the noisy value was negative and the release is 0, the interval is [0, h]: a true count above h would have
   * needed noise below -h, so coverage stays at least nominal, and the interval never collapses to a point.
   */
  private static Cell count(Noisy n) {
    long value = Math.max(0L, Math.round(n.value()));
    Interval ci = n.noise().mechanism().confidenceInterval(value, CONFIDENCE).integral();
    return new Cell(value, new Interval(Math.max(0, ci.low()), Math.max(0, ci.high())));
  }

  /**
   * A sum; when its column's lower bound is at least 0 the sum cannot be negative, so (like a count) it is
   * released clamped at zero, with its interval taken around the released value and cut at zero.
   */
  private static Cell sum(Noisy s, boolean integral) {
    boolean nonNegative = s.noise().measurement().lower() >= 0 && s.noise().measurement().center() == 0;
    double noisy = nonNegative ? Math.max(0, s.value()) : s.value();
    Interval ci;
    Object value;
    if (integral) {
      // An integer measure gets integer interval ends (around the released integer; see Interval#integral).
      long released = Math.round(noisy);
      value = released;
      ci = s.noise().mechanism().confidenceInterval(released, CONFIDENCE).integral();
    } else {
      value = noisy;
      ci = s.noise().mechanism().confidenceInterval(noisy, CONFIDENCE);
    }
    return new Cell(value, nonNegative ? new Interval(Math.max(0, ci.low()), Math.max(0, ci.high())) : ci);
  }

  /**
   * SUM = centred sum + centre * count, from two independent noisy measurements; its interval is the formula's range
   * over the box of each component's interval at confidence sqrt(95%). Released like a measured SUM.
   */
  private static Cell derivedSum(AggregateSpec.DerivedSum d, Noisy sum, Noisy count) {
    double centre = d.centre();
    double noisy = sum.value() + centre * count.value();
    double c = Math.sqrt(CONFIDENCE);
    Interval s = sum.interval(c);
    Interval n = count.interval(c);
    double low = s.low() + (centre >= 0 ? centre * n.low() : centre * n.high());
    double high = s.high() + (centre >= 0 ? centre * n.high() : centre * n.low());
    if (d.nonNegative()) {
      noisy = Math.max(0, noisy);
    }
    Object value;
    Interval ci;
    if (d.integral()) {
      long released = Math.round(noisy);
      value = released;
      // the box around the released integer: shifted by the rounding, ends made whole
      ci = new Interval(low + (released - noisy), high + (released - noisy)).integral();
    } else {
      value = noisy;
      ci = new Interval(low, high);
    }
    if (d.nonNegative()) {
      ci = new Interval(Math.max(0, ci.low()), Math.max(0, ci.high()));
    }
    return new Cell(value, ci);
  }

  private static Cell mean(AggregateSpec.Mean a, Noisy sum, Noisy count) {
    double centre = sum.noise().measurement().center();
    double value = clamp(centre + sum.value() / Math.max(1.0, count.value()), a.lower(), a.upper());
    double c = Math.sqrt(CONFIDENCE);
    Interval s = sum.interval(c);
    Interval n = count.interval(c);
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (double sv : new double[] {s.low(), s.high()}) {
      for (double nv : new double[] {Math.max(1.0, n.low()), Math.max(1.0, n.high())}) {
        double r = centre + sv / nv;
        lo = Math.min(lo, r);
        hi = Math.max(hi, r);
      }
    }
    Interval ci = new Interval(clamp(lo, a.lower(), a.upper()), clamp(hi, a.lower(), a.upper()));
    return new Cell(value, ci, ci.low() <= a.lower() && ci.high() >= a.upper());
  }

  private static Cell variance(AggregateSpec.Variance v, Noisy squares, Noisy sum, Noisy count) {
    double max = Math.pow((v.upper() - v.lower()) / 2, 2);
    double value = clamp(var(squares.value(), sum.value(), Math.max(1.0, count.value())), 0, max);
    double c = Math.cbrt(CONFIDENCE);
    Interval q = squares.interval(c);
    Interval s = sum.interval(c);
    Interval n = count.interval(c);
    double nLo = Math.max(1.0, n.low());
    double nHi = Math.max(1.0, n.high());
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    // var(q, s, n) = q/n - s^2/n^2 is increasing in q; in s its maximum is at s = 0; in n it may have one interior
    // extremum at n = 2 s^2 / q. Evaluate every candidate.
    double[] sValues = s.low() < 0 && s.high() > 0 ? new double[] {s.low(), 0, s.high()}
        : new double[] {s.low(), s.high()};
    for (double qv : new double[] {q.low(), q.high()}) {
      for (double sv : sValues) {
        double nStar = qv > 0 ? 2 * sv * sv / qv : Double.NaN;
        double[] nValues = nStar > nLo && nStar < nHi ? new double[] {nLo, nStar, nHi} : new double[] {nLo, nHi};
        for (double nv : nValues) {
          double r = var(qv, sv, nv);
          lo = Math.min(lo, r);
          hi = Math.max(hi, r);
        }
      }
    }
    Interval ci = new Interval(clamp(lo, 0, max), clamp(hi, 0, max));
    boolean covers = ci.low() <= 0 && ci.high() >= max;
    if (v.stddev()) {
      return new Cell(Math.sqrt(value), new Interval(Math.sqrt(ci.low()), Math.sqrt(ci.high())), covers);
    }
    return new Cell(value, ci, covers);
  }

  private static double var(double squares, double sum, double n) {
    double mean = sum / n;
    return squares / n - mean * mean;
  }

  static double clamp(double x, double lo, double hi) {
    return Math.max(lo, Math.min(hi, x));
  }
}
