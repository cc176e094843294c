package org.dpq.engine.execution;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The statements a backend is running right now, so that the analyst who started them can stop them (Ctrl-C in
 * the shell). Cancelling is the analyst's act, not the data's: the charge stands and the query ends as any other
 * failure after the charge does (invariants 4 and 7).
 *
 * @param <S> what is cancelled: a JDBC statement, a Spark job group
 */
public final class RunningStatements<S> {
  /** How one running item is cancelled; failures mean it finished meanwhile. */
  @FunctionalInterface
  public interface Canceller<S> {
    void cancel(S running) throws Exception;
  }

  private final Set<S> running = ConcurrentHashMap.newKeySet();
  private final Canceller<S> canceller;

  public RunningStatements(Canceller<S> canceller) {
    this.canceller = canceller;
  }

  /** Registers {@code s} until the returned handle is closed. */
  public Registration register(S s) {
    running.add(s);
    return () -> running.remove(s);
  }

  /** Cancels everything running now; returns how many were asked to stop. */
  public int cancelAll() {
    int n = 0;
    for (S s : running) {
      try {
        canceller.cancel(s);
        n++;
      } catch (Exception e) {
        // it finished meanwhile: nothing to cancel
      }
    }
    return n;
  }

  /** Ends one registration; never throws. */
  @FunctionalInterface
  public interface Registration extends AutoCloseable {
    @Override
    void close();
  }
}
