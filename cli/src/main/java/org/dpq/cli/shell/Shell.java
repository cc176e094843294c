package org.dpq.cli.shell;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.dpq.cli.BudgetDrift;
import org.dpq.cli.Failures;
import org.dpq.cli.VerboseOption;
import org.dpq.cli.output.ExplanationRenderer;
import org.dpq.cli.output.OutputFormat;
import org.dpq.cli.output.QueryResultRenderer;
import org.dpq.engine.Dpq;
import org.dpq.engine.QueryOptions;
import org.dpq.engine.QueryResult;
import org.jline.reader.Completer;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.history.DefaultHistory;
import org.jline.terminal.Terminal;

/**
 * The interactive loop of {@code dpq shell}: one open dataset (its backend stays loaded between queries), SQL
 * statements ended by {@code ;}, dot commands for meta actions. Every query goes through the same engine call as
 * {@code dpq query} (charged before data is read, noisy, recorded); the shell adds no privacy logic. Ctrl-C while
 * a query runs returns to the prompt without waiting for it: the query's charge stands and, when the backend
 * finishes, its answer is still recorded in the ledger (repeating the query shows it at no further cost).
 */
public final class Shell {
  static final String PROMPT = "dpq> ";
  static final String CONTINUATION = "...> ";
  private static final long EXIT_WAIT_SECONDS = 120;

  private final Dpq dpq;
  private final Terminal terminal;
  private final LineReader reader;
  private final PrintWriter out;
  private final QueryOptions options;
  private final VerboseOption.Phases phases;
  private final DotCommands dots;
  private static final long STOP_POLL_MILLIS = 25;
  private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "dpq-shell-query");
    t.setDaemon(true);
    return t;
  });
  private OutputFormat format;
  private boolean timer;
  private boolean running = true;

  /**
   * @param phases the listener the dataset was opened with (shown by {@code .timer on})
   * @param history the history file (SQL text and dot commands only, as typed)
   */
  public Shell(Dpq dpq, Terminal terminal, QueryOptions options, OutputFormat format, boolean timer,
      VerboseOption.Phases phases, Path history) {
    this.dpq = dpq;
    this.terminal = terminal;
    this.options = options;
    this.format = format;
    this.timer = timer;
    this.phases = phases;
    this.out = terminal.writer();
    DotCommands dots = new DotCommands(this);
    Completer sql = new SqlCompleter(dpq.dataset());
    Completer dotCompleter = dots.completer();
    this.reader = LineReaderBuilder.builder().terminal(terminal).appName("dpq")
        .history(new DefaultHistory())
        .variable(LineReader.HISTORY_FILE, history)
        .variable(LineReader.HISTORY_SIZE, 1000)
        .option(LineReader.Option.CASE_INSENSITIVE, true)
        .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true) // "!" is SQL, not a history reference
        .completer((r, line, candidates) -> {
          boolean dot = line.line().stripLeading().startsWith(".");
          boolean explainArgs = dot && line.wordIndex() > 0 && line.words().get(0).equalsIgnoreCase(".explain");
          (dot && !explainArgs ? dotCompleter : sql).complete(r, line, candidates);
        })
        .build();
    this.dots = dots;
  }

  /** Reads and runs statements until {@code .quit} or end of input. */
  public void run() {
    out.println("dpq shell on dataset " + dpq.dataset().name() + " (table " + dpq.dataset().table() + "). End each "
        + "query with ';'. Every query is charged to the dataset's budget. .help lists the commands; Ctrl-D quits.");
    BudgetDrift.warn(dpq.dataset(), dpq.budgetStatus(), out);
    out.flush();
    StringBuilder pending = new StringBuilder();
    try {
      while (running) {
        String line;
        try {
          line = reader.readLine(pending.isEmpty() ? PROMPT : CONTINUATION);
        } catch (UserInterruptException e) {
          pending.setLength(0); // Ctrl-C at the prompt drops the statement being typed
          continue;
        } catch (EndOfFileException e) {
          if (!pending.isEmpty()) {
            out.println("(an unfinished statement was not run: end a query with ';')");
          }
          break;
        }
        String trimmed = line.strip();
        if (pending.isEmpty() && trimmed.startsWith(".")) {
          dots.execute(trimmed);
          continue;
        }
        if (pending.isEmpty() && trimmed.isEmpty()) {
          continue;
        }
        pending.append(line).append('\n');
        if (trimmed.endsWith(";")) {
          String sql = pending.toString().strip();
          pending.setLength(0);
          query(sql.substring(0, sql.length() - 1).strip());
        }
      }
    } finally {
      out.flush();
      close();
    }
  }

  /**
   * A terminal over plain streams (piped input, tests): JLine's dumb terminal, reading lines synchronously so
   * that end of input ends the session after every line before it has run.
   */
  public static Terminal plainTerminal(java.io.InputStream in, java.io.Writer out) throws java.io.IOException {
    return new org.jline.terminal.impl.DumbTerminal("dpq", Terminal.TYPE_DUMB, in, new WriterOutputStream(out),
        java.nio.charset.StandardCharsets.UTF_8);
  }

  void quit() {
    running = false;
  }

  void format(OutputFormat f) {
    format = f;
  }

  OutputFormat format() {
    return format;
  }

  void timer(boolean on) {
    timer = on;
  }

  boolean timer() {
    return timer;
  }

  PrintWriter out() {
    return out;
  }

  Dpq dpq() {
    return dpq;
  }

  LineReader reader() {
    return reader;
  }

  /** Runs a query and prints its answer, or its failure (the shell goes on either way). */
  void query(String sql) {
    if (sql.isBlank()) {
      return;
    }
    QueryResult result = cancellable(() -> dpq.query(sql, options));
    if (result != null) {
      QueryResultRenderer.print(result, format, out, out);
    }
    reportTime();
  }

  /** Explains a query without charging anything. */
  void explain(String sql) {
    if (sql.isBlank()) {
      out.println("usage: .explain SELECT ...");
      return;
    }
    var explanation = cancellable(() -> dpq.explain(sql, options));
    if (explanation != null) {
      ExplanationRenderer.print(explanation, format, false, out);
    }
    reportTime();
  }

  private void reportTime() {
    if (timer) {
      out.println(phases.line());
    } else {
      phases.restart();
    }
    out.flush();
  }

  /**
   * Runs {@code work} on the query thread; Ctrl-C stops waiting for it. Returns null after a failure (printed)
   * or a cancellation.
   */
  <T> T cancellable(Supplier<T> work) {
    phases.restart();
    // The Ctrl-C handler is in place before the work starts, so an interrupt that comes at once is not lost.
    CompletableFuture<T> future = new CompletableFuture<>();
    CountDownLatch done = new CountDownLatch(1);
    Terminal.SignalHandler previous = terminal.handle(Terminal.Signal.INT, signal -> {
      if (future.cancel(false)) {
        stopBackendUntil(done);
      }
    });
    worker.execute(() -> {
      try {
        future.complete(work.get());
      } catch (RuntimeException | Error e) {
        future.completeExceptionally(e);
      } finally {
        done.countDown();
      }
    });
    try {
      return future.get();
    } catch (CancellationException e) {
      out.println("cancelled. If the query was already charged, the charge stands (the ledger records it as "
          + "failed); nothing is refunded.");
      return null;
    } catch (ExecutionException e) {
      out.println("dpq: " + Failures.classify(e.getCause()).message());
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } finally {
      terminal.handle(Terminal.Signal.INT, previous);
      out.flush();
    }
  }

  /**
   * Stops the backend part of a cancelled query wherever it is: the query may still be in analysis (nothing to
   * stop yet) and reach the backend later, so the backend is asked to stop until the query's thread is done.
   */
  private void stopBackendUntil(CountDownLatch done) {
    Thread stopper = new Thread(() -> {
      try {
        do {
          dpq.cancelRunning();
        } while (!done.await(STOP_POLL_MILLIS, TimeUnit.MILLISECONDS));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "dpq-shell-cancel");
    stopper.setDaemon(true);
    stopper.start();
  }

  private void close() {
    worker.shutdown();
    try {
      if (!worker.awaitTermination(1, TimeUnit.SECONDS)) {
        out.println("waiting for a cancelled query to finish and be recorded in the ledger...");
        out.flush();
        worker.awaitTermination(EXIT_WAIT_SECONDS, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      reader.getHistory().save();
    } catch (java.io.IOException e) {
      out.println("dpq: could not save the shell history (" + e.getClass().getSimpleName() + ")");
    }
    out.flush();
  }
}
