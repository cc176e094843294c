package org.dpq.server;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Per-principal request limit over fixed one-minute windows. Owns keeping one principal from exhausting the
 * server for everyone else; it never affects what is charged (a refused request is refused before the engine).
 */
final class RateLimiter {
  private final int perMinute;
  private final LongSupplier nanoTime;
  private final ConcurrentHashMap<String, long[]> windows = new ConcurrentHashMap<>();

  RateLimiter(int perMinute) {
    this(perMinute, System::nanoTime);
  }

  /** A limiter on the given clock (tests). */
  RateLimiter(int perMinute, LongSupplier nanoTime) {
    this.perMinute = perMinute;
    this.nanoTime = nanoTime;
  }

  /** True when the principal may make one more request now. */
  boolean tryAcquire(String principal) {
    long minute = nanoTime.getAsLong() / 60_000_000_000L;
    long[] w = windows.computeIfAbsent(principal, k -> new long[] {minute, 0});
    synchronized (w) {
      if (w[0] != minute) {
        w[0] = minute;
        w[1] = 0;
      }
      return ++w[1] <= perMinute;
    }
  }
}
