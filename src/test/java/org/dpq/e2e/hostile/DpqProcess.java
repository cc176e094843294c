package org.dpq.e2e.hostile;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real dpq jar ({@code java -jar dpq-cli-*-all.jar}) or a test class's {@code main} as a child JVM.
 * Child JVMs share one class-data-sharing archive ({@link org.dpq.e2e.CliArchive}) so that the many short CLI runs
 * of the hostile suites start faster; the archive changes start-up time only, never behaviour.
 */
public final class DpqProcess {
  /** A guard against a hung child, not an assertion about speed. */
  private static final long HANG_GUARD_SECONDS = 300;

  /** What a child printed and how it ended. */
  public record Result(int code, String out, String err) {
    /** Both streams, for messages and leak checks. */
    public String all() {
      return out + "\n" + err;
    }

    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  private DpqProcess() {}

  /** The shaded CLI jar the reactor built. */
  public static Path jar() {
    String configured = System.getProperty("dpq.cli.jar");
    Path jar = configured != null ? Path.of(configured) : Path.of("..", "..", "cli", "target",
        "dpq-cli-0.1.0-SNAPSHOT-all.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("the CLI jar " + jar.toAbsolutePath() + " is missing: run 'mvn -B -ntp verify'");
    }
    return jar;
  }

  /** Runs {@code dpq args...} in {@code workDir}; {@code stdin} (may be null) is its standard input. */
  public static Result cli(Path workDir, String stdin, List<String> args) {
    List<String> command = new ArrayList<>(javaPrefix());
    command.add("-jar");
    command.add(jar().toString());
    command.addAll(args);
    return exec(workDir, stdin, command);
  }

  /**
   * Runs {@code dpq args...} as if in {@code workDir} in this JVM ({@link org.dpq.e2e.InProcessDpq}: the jar's own
   * entry point without {@code System.exit}, every output of the run captured); {@code stdin} (may be null) is its
   * standard input. For cases where the property is the command's, not the process's: it costs no JVM start.
   */
  public static Result inProcess(Path workDir, String stdin, List<String> args) {
    org.dpq.e2e.InProcessDpq.Result r = org.dpq.e2e.InProcessDpq.run(workDir, stdin, args);
    return new Result(r.code(), r.out(), r.err());
  }

  /**
   * Starts {@code mainClass} of the test class path in a child JVM, without waiting for it; its standard error
   * goes to {@code stderr}, its standard input and output stay with the caller.
   */
  public static Process startMain(Path workDir, Path stderr, Class<?> mainClass, List<String> args)
      throws IOException {
    List<String> command = new ArrayList<>(javaPrefix());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass.getName());
    command.addAll(args);
    return new ProcessBuilder(command).directory(workDir.toFile()).redirectError(stderr.toFile()).start();
  }

  /** Starts {@code dpq args...} without waiting for it; standard output and error go to the given files. */
  public static Process startCli(Path workDir, Path stdout, Path stderr, List<String> args) throws IOException {
    List<String> command = new ArrayList<>(javaPrefix());
    command.add("-jar");
    command.add(jar().toString());
    command.addAll(args);
    return new ProcessBuilder(command).directory(workDir.toFile()).redirectInput(new File("/dev/null"))
        .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
  }

  private static List<String> javaPrefix() {
    List<String> prefix = new ArrayList<>();
    prefix.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    prefix.add("-XX:TieredStopAtLevel=1");
    prefix.add("-Xshare:auto");
    prefix.add("-Xlog:disable");
    org.dpq.e2e.CliArchive.of(jar()).ifPresent(a -> prefix.add("-XX:SharedArchiveFile=" + a));
    return prefix;
  }

  private static Result exec(Path workDir, String stdin, List<String> command) {
    try {
      Path out = Files.createTempFile(workDir, "stdout", ".txt");
      Path err = Files.createTempFile(workDir, "stderr", ".txt");
      ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
          .redirectOutput(out.toFile()).redirectError(err.toFile());
      Path in = null;
      if (stdin == null) {
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      } else {
        in = Files.createTempFile(workDir, "stdin", ".txt");
        Files.writeString(in, stdin, StandardCharsets.UTF_8);
        pb.redirectInput(in.toFile());
      }
      Process p = pb.start();
      if (!p.waitFor(HANG_GUARD_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " did not finish");
      }
      Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
      Files.delete(out);
      Files.delete(err);
      if (in != null) {
        Files.delete(in);
      }
      return r;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
