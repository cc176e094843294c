package org.dpq.engine;

import java.util.concurrent.TimeUnit;

/**
 * Pads the observable completion of a charged query to a whole multiple of the dataset's response quantum
 * ({@code limits.response_quantum_ms}). Owns part of invariant 7 for time: an observer who times a query sees
 * its latency rounded up to the quantum, so the data can change the observed time only when the real time crosses
 * a multiple of the quantum. Residual risk: a query whose real time sits near a multiple can still be pushed over
 * it by one unit's rows (the expression policy keeps that push to a small constant factor of the unit's own row
 * sizes), and a query slower than the quantum shows how many quanta it took.
 */
final class ResponseQuantum {
  private ResponseQuantum() {}

  /** Sleeps until the time since {@code startNanos} is a whole multiple of {@code quantumMillis} (0: no padding). */
  static void pad(long startNanos, long quantumMillis) {
    if (quantumMillis <= 0) {
      return;
    }
    long elapsed = System.nanoTime() - startNanos;
    long target = paddedNanos(elapsed, TimeUnit.MILLISECONDS.toNanos(quantumMillis));
    long remaining = target - elapsed;
    boolean interrupted = false;
    while (remaining > 0) {
      try {
        TimeUnit.NANOSECONDS.sleep(remaining);
      } catch (InterruptedException e) {
        interrupted = true;
      }
      remaining = startNanos + target - System.nanoTime();
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The observable completion time for a query that took {@code elapsedNanos}: the smallest whole multiple of
   * {@code quantumNanos} that is at least the elapsed time, and at least one quantum (so a fast failure and a fast
   * answer look alike).
   */
  static long paddedNanos(long elapsedNanos, long quantumNanos) {
    return Math.max(1, (elapsedNanos + quantumNanos - 1) / quantumNanos) * quantumNanos;
  }
}
