package org.dpq.engine.execution;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The statements a backend is running right now, so that the analyst who started them can stop them (Ctrl-C in
 * the shell). Cancelling is the analyst's act, not the data's: the charge stands and the query ends as any other
 * failure after the charge does (invariants 4 and 7).
 *
 * <p>A cancel request sticks: once asked, a statement is asked again every {@value #RETRY_MILLIS} ms until its
 * registration closes. A single request can be lost when it reaches the engine before the statement has started
 * there (PostgreSQL's cancel key cancels whatever the connection runs at that instant, DuckDB clears an interrupt when
 * a query begins, Spark cancels only the jobs of a group that exist yet), and pgjdbc sends at most one cancel per
 * execution, so one Ctrl-C at an unlucky moment used to leave the query running to its timeout.
 *
 * @param <S> what is cancelled: a JDBC statement, a Spark job group
 */
public final class RunningStatements<S> {
  static final long RETRY_MILLIS = 50;

  /** How one running item is cancelled; failures mean it finished meanwhile. */
  @FunctionalInterface
  public interface Canceller<S> {
    void cancel(S running) throws Exception;
  }

  /** Runs a task again and again until the returned handle is cancelled. */
  @FunctionalInterface
  interface Repeater {
    Future<?> repeat(Runnable task);
  }

  private static final ScheduledExecutorService RETRIES = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "dpq-cancel-retry");
    t.setDaemon(true);
    return t;
  });

  private final Map<S, Asked> running = new ConcurrentHashMap<>();
  private final Canceller<S> canceller;
  private final Repeater repeater;

  public RunningStatements(Canceller<S> canceller) {
    this(canceller, task -> RETRIES.scheduleWithFixedDelay(task, RETRY_MILLIS, RETRY_MILLIS, TimeUnit.MILLISECONDS));
  }

  RunningStatements(Canceller<S> canceller, Repeater repeater) {
    this.canceller = canceller;
    this.repeater = repeater;
  }

  /** Registers {@code s} until the returned handle is closed; closing also ends any repeated cancel of it. */
  public Registration register(S s) {
    Asked asked = new Asked();
    running.put(s, asked);
    return () -> {
      running.remove(s, asked);
      asked.stop();
    };
  }

  /** Cancels everything running now and keeps asking until each has ended; returns how many were asked to stop. */
  public int cancelAll() {
    int n = 0;
    for (Map.Entry<S, Asked> e : running.entrySet()) {
      S s = e.getKey();
      Asked asked = e.getValue();
      if (cancelOnce(s)) {
        n++;
      }
      asked.keepAsking(() -> {
        if (running.get(s) == asked) {
          cancelOnce(s);
        } else {
          asked.stop();
        }
      });
    }
    return n;
  }

  private boolean cancelOnce(S s) {
    try {
      canceller.cancel(s);
      return true;
    } catch (Exception e) {
      return false; // it finished meanwhile: nothing to cancel
    }
  }

  /** Whether cancelling one registration was asked, and the repeated request that follows it. */
  private final class Asked {
    private Future<?> retry;
    private boolean stopped;

    synchronized void keepAsking(Runnable again) {
      if (retry == null && !stopped) {
        retry = repeater.repeat(again);
      }
    }

    synchronized void stop() {
      stopped = true;
      if (retry != null) {
        retry.cancel(false);
      }
    }
  }

  /** Ends one registration; never throws. */
  @FunctionalInterface
  public interface Registration extends AutoCloseable {
    @Override
    void close();
  }
}
