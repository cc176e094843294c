package org.dpq.engine;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Optional;
import org.dpq.mechanisms.Interval;

/**
 * One released value: a group key (public domain or selected partition) or a noisy aggregate, with the 95%
 * interval of its noise (null for keys and for post-processed values whose interval is not derived).
 *
 * @param value a Long, Double, String, Boolean or null
 * @param ci95 the two-sided 95% interval from the noise distribution, or null
 * @param coversRange true when {@code ci95} spans every value the aggregate can take (an AVG whose interval is
 *     its column's whole {@code [lower, upper]}, a VAR or STDDEV from 0 to its maximum): the value then says
 *     next to nothing (post-processing of released values only)
 */
public record Cell(Object value, Interval ci95, boolean coversRange) {

  /** A cell whose interval, if any, is narrower than the aggregate's possible range. */
  public Cell(Object value, Interval ci95) {
    this(value, ci95, false);
  }

  /** The interval when there is one. */
  @JsonIgnore
  public Optional<Interval> interval() {
    return Optional.ofNullable(ci95);
  }
}
