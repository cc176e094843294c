package org.dpq.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The response quantum's arithmetic, without a clock: what an observer who times a charged query can see. */
class ResponseQuantumTest {
  private static final long Q = 250_000_000L; // 250 ms in nanoseconds

  @Test
  void everyElapsedTimeWithinOneQuantumLooksTheSame() {
    // A fast failure, a fast answer and one just under the quantum all complete at exactly one quantum.
    for (long elapsed : new long[] {0, 1, 1_000_000, Q / 2, Q - 1, Q}) {
      assertEquals(Q, ResponseQuantum.paddedNanos(elapsed, Q), "elapsed " + elapsed);
    }
  }

  @Test
  void slowerQueriesShowOnlyHowManyQuantaTheyTook() {
    assertEquals(2 * Q, ResponseQuantum.paddedNanos(Q + 1, Q));
    assertEquals(2 * Q, ResponseQuantum.paddedNanos(2 * Q, Q));
    assertEquals(3 * Q, ResponseQuantum.paddedNanos(2 * Q + 1, Q));
    // Two latencies that differ by one unit's rows inside the same quantum are indistinguishable.
    assertEquals(ResponseQuantum.paddedNanos(Q + 10, Q), ResponseQuantum.paddedNanos(2 * Q - 10, Q));
  }
}
