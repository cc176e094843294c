package org.dpq.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import org.dpq.engine.PhaseListener;
import picocli.CommandLine.Option;

/**
 * {@code --verbose}: prints on standard error where the time went (open, fingerprint, load, plan, charge,
 * backend, release), in milliseconds. Phase names and durations only, never data or SQL.
 */
public final class VerboseOption {
  @Option(names = {"--verbose", "-v"},
      description = "Print where the time went on standard error (open, fingerprint, load, plan, charge, backend, "
          + "release), never data.")
  boolean verbose;

  /** Collects phase durations (summing repeated phases) and prints them as one line. */
  public static final class Phases implements PhaseListener {
    private final Map<String, Long> nanos = new LinkedHashMap<>();
    private long start = System.nanoTime();

    @Override
    public synchronized void phase(String phase, long took) {
      nanos.merge(phase, took, Long::sum);
    }

    /** Forgets the phases so far and restarts the total. */
    public synchronized void restart() {
      nanos.clear();
      start = System.nanoTime();
    }

    /** E.g. {@code time: open 12 ms, load 540 ms, plan 31 ms, ...; total 610 ms}; then forgets the phases. */
    public synchronized String line() {
      StringJoiner j = new StringJoiner(", ", "time: ", "");
      nanos.forEach((phase, took) -> j.add(phase + " " + millis(took)));
      String total = "total " + millis(System.nanoTime() - start);
      String text = nanos.isEmpty() ? "time: " + total : j + "; " + total;
      restart();
      return text;
    }

    private static String millis(long nanos) {
      return nanos >= 10_000_000 ? nanos / 1_000_000 + " ms" : String.format(java.util.Locale.ROOT, "%.1f ms", nanos / 1e6);
    }
  }

  /** A listener when verbose, else {@link PhaseListener#NONE}. */
  public PhaseListener listener(Phases phases) {
    return verbose ? phases : PhaseListener.NONE;
  }

  /** Prints the phases when verbose. */
  public void report(Phases phases, PrintWriter err) {
    if (verbose) {
      err.println("dpq: " + phases.line());
      err.flush();
    }
  }

  public boolean enabled() {
    return verbose;
  }
}
