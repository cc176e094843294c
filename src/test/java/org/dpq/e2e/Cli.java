package org.dpq.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs dpq for the e2e tests: in this JVM through the jar's own entry point ({@link #run}), or as the real jar
 * ({@code java -jar dpq-cli-*-all.jar}) in a child process in a working directory ({@link #launch}).
 */
final class Cli {
  /** A guard against a hung process, not an assertion about speed. */
  private static final long HANG_GUARD_SECONDS = 120;

  record Result(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  private Cli() {}

  static Path jar() {
    String configured = System.getProperty("dpq.cli.jar");
    Path jar = configured != null ? Path.of(configured) : findJar();
    assertTrue(Files.isRegularFile(jar), "the CLI jar " + jar + " is missing: run 'mvn -B -ntp verify' "
        + "(the reactor packages cli before these tests run)");
    return jar;
  }

  private static Path findJar() {
    Path target = Path.of("..", "..", "cli", "target");
    try (var files = Files.list(target)) {
      return files.filter(p -> p.getFileName().toString().matches("dpq-cli-.*-all\\.jar")).findFirst()
          .orElse(target.resolve("dpq-cli-all.jar"));
    } catch (IOException e) {
      return target.resolve("dpq-cli-all.jar");
    }
  }

  private static List<String> jvmOptions;

  /**
   * Runs {@code dpq args...} as if in {@code workDir} with no standard input, in this JVM ({@link InProcessDpq}:
   * the jar's own entry point without {@code System.exit}, every output captured).
   */
  static Result run(Path workDir, String... args) {
    InProcessDpq.Result r = InProcessDpq.run(workDir, null, List.of(args));
    return new Result(r.code(), r.out(), r.err());
  }

  /**
   * Runs {@code dpq args...} in {@code workDir} with no standard input as a child JVM started like the launcher
   * starts it: for what only the real jar proves (its main and manifest, the process's exit code, paths relative
   * to the process's working directory, what the JVM itself would print).
   */
  static Result launch(Path workDir, String... args) {
    return exec(workDir, command(args), java.util.Map.of());
  }

  /** Runs {@code dpq args...} like {@link #launch} with extra environment variables (e.g. DPQ_TOKEN). */
  static Result launch(Path workDir, java.util.Map<String, String> env, String... args) {
    return exec(workDir, command(args), env);
  }

  /** Runs {@code dpq args...} like {@link #run} with extra environment variables (e.g. DPQ_TOKEN). */
  static Result run(Path workDir, java.util.Map<String, String> env, String... args) {
    InProcessDpq.Result r = InProcessDpq.run(workDir, null, env, List.of(args));
    return new Result(r.code(), r.out(), r.err());
  }

  /** The command line that runs {@code dpq args...} as the launcher does. */
  static List<String> command(String... args) {
    List<String> command = new ArrayList<>(List.of(java()));
    command.addAll(jvmOptions());
    command.addAll(List.of("-jar", jar().toString()));
    command.addAll(List.of(args));
    return command;
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /**
   * The launcher's start-up options: C1 only, and the class-data-sharing archive the e2e tests share
   * ({@link CliArchive}; without it every run costs ~3x the CPU; correctness is the same).
   */
  private static synchronized List<String> jvmOptions() {
    if (jvmOptions == null) {
      List<String> options = new ArrayList<>(List.of("-XX:TieredStopAtLevel=1"));
      CliArchive.of(jar()).ifPresent(archive -> options.addAll(List.of("-XX:SharedArchiveFile=" + archive,
          "-Xshare:auto", "-Xlog:disable", "-Xlog:all=error:stderr")));
      jvmOptions = List.copyOf(options);
    }
    return jvmOptions;
  }

  /** Runs a command line in {@code workDir} with no standard input. */
  static Result exec(Path workDir, List<String> command) {
    return exec(workDir, command, java.util.Map.of());
  }

  private static Result exec(Path workDir, List<String> command, java.util.Map<String, String> env) {
    try {
      Path out = Files.createTempFile(workDir, "stdout", ".txt");
      Path err = Files.createTempFile(workDir, "stderr", ".txt");
      ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(nullDevice()))
          .redirectOutput(out.toFile()).redirectError(err.toFile());
      pb.environment().putAll(env);
      Process p = pb.start();
      if (!p.waitFor(HANG_GUARD_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        fail(String.join(" ", command) + " did not finish");
      }
      Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
      Files.delete(out);
      Files.delete(err);
      return r;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static java.io.File nullDevice() {
    return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
  }
}
