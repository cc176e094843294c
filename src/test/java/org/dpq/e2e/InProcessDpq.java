package org.dpq.e2e;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dpq.cli.Main;

/**
 * Runs dpq in this JVM through {@link Main#execute}: the same picocli command objects, parser, failure handlers
 * and exit-code mapping that the jar's {@code main} runs before it calls {@code System.exit}, with standard input
 * given as bytes (not a terminal, as for a child whose input is a file or {@code /dev/null}) and environment
 * variables given as a map (a JVM cannot set its own).
 *
 * <p>Everything the command could print is captured: its own stdout and stderr writers, and {@code System.out} and
 * {@code System.err} for the duration of the run (a library printing there would show up in the child's output
 * too), so the e2e leak checks (no raw data value in any output) see all of it. Runs are serialised, since the
 * system streams are the JVM's. A JVM cannot change its working directory, so a relative path given to a path
 * option ({@code --dataset}, {@code --output}, ...) is resolved against {@code workDir} first, as the child's
 * working directory would; what only a child proves (the jar's manifest and main, {@code System.exit}, a
 * relative path against the real working directory, the launcher script) is left to the cases that still start
 * one ({@link Cli#launch}).
 */
public final class InProcessDpq {
  /** Options whose value is a file path (with {@code --server}, {@code --dataset} is a name and stays as it is). */
  private static final Set<String> PATH_OPTIONS = Set.of("--dataset", "-d", "--output", "-o", "--file", "--from",
      "--out", "--config");
  private static final Object STREAMS = new Object();

  /** What the command printed and how it ended. */
  public record Result(int code, String out, String err) {}

  private InProcessDpq() {}

  /**
   * Runs {@code dpq args...} as if started in {@code workDir}; {@code stdin} (may be null, then empty) is its
   * standard input.
   */
  public static Result run(Path workDir, String stdin, List<String> args) {
    return run(workDir, stdin, Map.of(), args);
  }

  /**
   * Runs {@code dpq args...} like {@link #run(Path, String, List)} with environment variables added to this JVM's
   * (as a child started with them would see), e.g. {@code DPQ_TOKEN}.
   */
  public static Result run(Path workDir, String stdin, Map<String, String> env, List<String> args) {
    Map<String, String> environment = new HashMap<>(System.getenv());
    environment.putAll(env);
    List<String> resolved = resolve(workDir, args);
    InputStream in = stdin == null ? InputStream.nullInputStream()
        : new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    synchronized (STREAMS) {
      PrintStream systemOut = System.out;
      PrintStream systemErr = System.err;
      ByteArrayOutputStream strayOut = new ByteArrayOutputStream();
      ByteArrayOutputStream strayErr = new ByteArrayOutputStream();
      int code;
      try (PrintStream capturedOut = new PrintStream(strayOut, true, StandardCharsets.UTF_8);
          PrintStream capturedErr = new PrintStream(strayErr, true, StandardCharsets.UTF_8)) {
        System.setOut(capturedOut);
        System.setErr(capturedErr);
        PrintWriter o = new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
        PrintWriter e = new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true);
        code = Main.execute(in, false, environment, o, e, resolved.toArray(String[]::new));
      } finally {
        System.setOut(systemOut);
        System.setErr(systemErr);
      }
      return new Result(code, out.toString(StandardCharsets.UTF_8) + strayOut.toString(StandardCharsets.UTF_8),
          err.toString(StandardCharsets.UTF_8) + strayErr.toString(StandardCharsets.UTF_8));
    }
  }

  /** The arguments with every relative path option value resolved against {@code workDir}. */
  static List<String> resolve(Path workDir, List<String> args) {
    boolean remote = args.contains("--server");
    List<String> out = new ArrayList<>(args.size());
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      out.add(a);
      boolean datasetName = remote && (a.equals("--dataset") || a.equals("-d"));
      if (PATH_OPTIONS.contains(a) && !datasetName && i + 1 < args.size()) {
        Path value = Path.of(args.get(++i));
        out.add(value.isAbsolute() ? value.toString() : workDir.resolve(value).toString());
      }
    }
    return out;
  }
}
