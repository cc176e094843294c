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

/** Runs the real dpq jar ({@code java -jar dpq-cli-*-all.jar}) as a subprocess in a working directory. */
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

  /** Runs {@code dpq args...} in {@code workDir} with no standard input. */
  static Result run(Path workDir, String... args) {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command = new ArrayList<>(List.of(java.toString(), "-XX:TieredStopAtLevel=1", "-jar",
        jar().toString()));
    command.addAll(List.of(args));
    return exec(workDir, command);
  }

  /** Runs a command line in {@code workDir} with no standard input. */
  static Result exec(Path workDir, List<String> command) {
    try {
      Path out = Files.createTempFile(workDir, "stdout", ".txt");
      Path err = Files.createTempFile(workDir, "stderr", ".txt");
      Process p = new ProcessBuilder(command).directory(workDir.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(nullDevice()))
          .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
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
