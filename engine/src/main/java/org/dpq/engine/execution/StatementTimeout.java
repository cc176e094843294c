package org.dpq.engine.execution;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Cancels a running statement once its dataset's timeout ({@code limits.timeout_seconds}) has passed, for backends
 * without a server-side statement timeout (DuckDB; Spark through its job groups). Owns the timeout part of
 * invariant 7's resource limits: a runaway query ends, and it ends as any other failure after the charge does.
 */
public final class StatementTimeout implements AutoCloseable {
  private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "dpq-statement-timeout");
    t.setDaemon(true);
    return t;
  });

  private final ScheduledFuture<?> pending;

  private StatementTimeout(ScheduledFuture<?> pending) {
    this.pending = pending;
  }

  /** Runs {@code cancel} after {@code seconds} unless closed first. */
  public static StatementTimeout arm(long seconds, Runnable cancel) {
    return new StatementTimeout(TIMER.schedule(() -> {
      try {
        cancel.run();
      } catch (RuntimeException e) {
        // the statement finished or failed meanwhile: nothing to cancel
      }
    }, seconds, TimeUnit.SECONDS));
  }

  @Override
  public void close() {
    pending.cancel(false);
  }
}
