package org.dpq.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Per-principal limits: N requests a minute each, the N+1st refused, others unaffected, a new minute allows again. */
class RateLimiterTest {
  @Test
  void eachPrincipalGetsItsOwnRequestsPerMinute() {
    AtomicLong now = new AtomicLong(5 * 60_000_000_000L);
    RateLimiter limiter = new RateLimiter(3, now::get);
    for (int i = 0; i < 3; i++) {
      assertTrue(limiter.tryAcquire("alice"), "request " + (i + 1));
    }
    assertFalse(limiter.tryAcquire("alice"), "the fourth in the same minute is refused");
    assertTrue(limiter.tryAcquire("bob"), "another principal is not held back by alice");
    now.addAndGet(59_000_000_000L);
    assertFalse(limiter.tryAcquire("alice"), "still the same minute");
    now.addAndGet(1_000_000_000L);
    assertTrue(limiter.tryAcquire("alice"), "a new minute allows again");
  }
}
