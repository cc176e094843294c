package org.dpq.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A progress indicator on standard error for long work (sample generation, loading and running a query). It
 * draws only when dpq runs on a terminal, so piped or redirected output stays clean, and it shows counts and
 * elapsed time only, never data.
 */
public final class Progress implements AutoCloseable {
  private static final long FIRST_DRAW_NANOS = 400_000_000L;
  private static final long REDRAW_NANOS = 120_000_000L;
  private static final char[] SPINNER = {'|', '/', '-', '\\'};

  private final PrintWriter err;
  private final String label;
  private final long total;
  private final long start = System.nanoTime();
  private final Thread ticker;
  private volatile boolean closed;
  private long lastDraw;
  private int width;
  private int frame;

  private Progress(PrintWriter err, String label, long total, boolean spin) {
    this.err = err;
    this.label = label;
    this.total = total;
    if (err != null && spin) {
      ticker = new Thread(this::spin, "dpq-progress");
      ticker.setDaemon(true);
      ticker.start();
    } else {
      ticker = null;
    }
  }

  /** True when standard input and output are a terminal (a person is watching). */
  public static boolean interactive() {
    return System.console() != null;
  }

  /** A spinner with elapsed time for work of unknown length; draws only if {@code enabled}. */
  public static Progress spinner(boolean enabled, PrintWriter err, String label) {
    return new Progress(enabled ? err : null, label, -1, true);
  }

  /** A counter of {@code total} units; {@link #update} draws only if {@code enabled}. */
  public static Progress counter(boolean enabled, PrintWriter err, String label, long total) {
    return new Progress(enabled ? err : null, label, total, false);
  }

  /** Reports {@code done} units of the total (drawn at most every ~120 ms). */
  public void update(long done) {
    if (err == null || closed) {
      return;
    }
    long now = System.nanoTime();
    if (now - lastDraw < REDRAW_NANOS && done < total) {
      return;
    }
    lastDraw = now;
    double pct = total > 0 ? 100.0 * done / total : 0;
    draw(String.format(Locale.ROOT, "%s: %3.0f%% (%,d / %,d rows, %.1f s)", label, pct, done, total, seconds()));
  }

  private void spin() {
    try {
      Thread.sleep(FIRST_DRAW_NANOS / 1_000_000);
      while (!closed) {
        draw(String.format(Locale.ROOT, "%c %s (%.1f s)", SPINNER[frame++ % SPINNER.length], label, seconds()));
        Thread.sleep(REDRAW_NANOS / 1_000_000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private double seconds() {
    return (System.nanoTime() - start) / 1e9;
  }

  private synchronized void draw(String line) {
    if (closed) {
      return;
    }
    StringBuilder sb = new StringBuilder("\r").append(line);
    for (int i = line.length(); i < width; i++) {
      sb.append(' ');
    }
    width = Math.max(width, line.length());
    err.print(sb);
    err.flush();
  }

  /** Stops drawing and clears the line. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      if (err != null && width > 0) {
        err.print("\r" + " ".repeat(width) + "\r");
        err.flush();
      }
    }
    if (ticker != null) {
      ticker.interrupt();
    }
  }
}
