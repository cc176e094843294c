package org.dpq.e2e;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.dpq.e2e.hostile.HostileData;

/**
 * One class-data-sharing archive of the CLI jar for every child JVM the e2e tests start ({@link Cli#launch},
 * {@link org.dpq.e2e.hostile.DpqProcess}), in both test JVMs of the module: recorded once per jar (its name holds
 * the jar's size and time stamp) from one query on a small generated dataset, under the build's
 * {@code dpq.cds.dir}, made by whichever test JVM asks first while the other waits on a file lock. Before, each
 * helper recorded its own archive in each test JVM (up to four recordings of about 10 CPU-seconds per build).
 * The archive changes how fast a child starts, never what it does: the JVM ignores an archive that does not match
 * the jar, and without one the children simply start slower.
 */
public final class CliArchive {
  /** A guard against a hung recording, not an assertion about speed. */
  private static final long HANG_GUARD_SECONDS = 300;
  private static Optional<Path> archive;

  private CliArchive() {}

  /** The archive for {@code jar}, recorded now if no test JVM has yet; empty if it could not be recorded. */
  public static synchronized Optional<Path> of(Path jar) {
    if (archive == null) {
      archive = record(jar);
    }
    return archive;
  }

  private static Optional<Path> record(Path jar) {
    try {
      Path dir = Files.createDirectories(Path.of(System.getProperty("dpq.cds.dir",
          Path.of(System.getProperty("java.io.tmpdir"), "dpq-e2e-cds").toString())));
      Path file = dir.resolve("dpq-cli-" + Files.size(jar) + "-" + Files.getLastModifiedTime(jar).toMillis()
          + ".jsa");
      try (FileChannel lockFile = FileChannel.open(dir.resolve("archive.lock"), StandardOpenOption.CREATE,
          StandardOpenOption.WRITE); FileLock lock = lockFile.lock()) {
        if (!Files.isRegularFile(file)) {
          dump(jar, dir, file);
        }
      }
      return Files.isRegularFile(file) && Files.size(file) > 0 ? Optional.of(file) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // no archive: slower, equally correct
    }
  }

  /** Records the archive into a temporary file and moves it into place, so no JVM ever maps a partial one. */
  private static void dump(Path jar, Path dir, Path file) throws IOException {
    Path work = Files.createTempDirectory(dir, "record");
    try {
      Path partial = work.resolve("dpq.jsa");
      Path yaml = HostileData.yaml(work, "warm", "people", HostileData.people(work, 20, 1), "10", "1e-3");
      Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-XX:TieredStopAtLevel=1", "-Xlog:disable", "-XX:ArchiveClassesAtExit=" + partial, "-jar", jar.toString(),
          "query", "--dataset", yaml.toString(), "SELECT city, COUNT(*) FROM people WHERE age > 3 GROUP BY city"))
          .directory(work.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      if (!p.waitFor(HANG_GUARD_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return;
      }
      if (Files.isRegularFile(partial) && Files.size(partial) > 0) {
        try (Stream<Path> old = Files.list(dir)) {
          for (Path o : old.filter(o -> o.getFileName().toString().endsWith(".jsa")).toList()) {
            Files.deleteIfExists(o); // an earlier jar's archive
          }
        }
        Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      try (Stream<Path> files = Files.walk(work)) {
        for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(f);
        }
      }
    }
  }
}
