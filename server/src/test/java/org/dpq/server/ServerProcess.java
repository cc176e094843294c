package org.dpq.server;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/** A real {@code dpq serve} process on loopback, started by a test from this module's class path. */
final class ServerProcess implements AutoCloseable {
  final Process process;
  final String url;
  final Path log;

  private ServerProcess(Process process, String url, Path log) {
    this.process = process;
    this.url = url;
    this.log = log;
  }

  /** Starts a server and waits for its "listening on" line. */
  static ServerProcess start(Path config, boolean insecure, Map<String, String> env) throws IOException {
    List<String> jvm = classDataSharing();
    return start(config, insecure, env, jvm);
  }

  private static ServerProcess start(Path config, boolean insecure, Map<String, String> env, List<String> jvm)
      throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-XX:TieredStopAtLevel=1"));
    cmd.addAll(jvm);
    cmd.addAll(List.of("-cp", classPath, ServerMain.class.getName(), "--config", config.toString()));
    if (insecure) {
      cmd.add("--insecure-localhost");
    }
    Path log = config.resolveSibling("server-" + System.nanoTime() + ".log");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(log.toFile());
    pb.environment().putAll(env);
    Process p = pb.start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    if (line == null || !line.startsWith("dpq serve: listening on ")) {
      p.destroyForcibly();
      throw new IllegalStateException("the server did not start: " + line + "\n" + Files.readString(log));
    }
    return new ServerProcess(p, line.substring("dpq serve: listening on ".length()).strip(), log);
  }

  private static List<String> classData;
  /** The server's class path: this module's, with the reactor's class directories as jars (see below). */
  private static String classPath = System.getProperty("java.class.path");

  /**
   * A class-data-sharing archive of a server that started and answered one query, recorded once per test JVM
   * (the tests start ~30 servers; each then loads its classes from the archive, which takes seconds off every
   * start and first query). The archive takes jars only, so the reactor's class directories are packed into jars
   * first. Without it: slower, equally correct.
   */
  private static synchronized List<String> classDataSharing() {
    if (classData == null) {
      classData = List.of();
      try {
        Path dir = Files.createTempDirectory("dpq-server-cds");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
        List<String> jars = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
          Path p = Path.of(entry);
          if (!Files.isDirectory(p)) {
            jars.add(entry);
          } else if (!p.getFileName().toString().equals("test-classes")) {
            jars.add(jar(p, dir.resolve(jars.size() + ".jar")).toString()); // the server needs no test class
          }
        }
        classPath = String.join(File.pathSeparator, jars);
        Path archive = dir.resolve("server.jsa");
        ServerFixture fx = new ServerFixture(dir, "", "1.0", "1.0");
        try (ServerProcess recording = start(fx.config, true, Map.of(),
            List.of("-XX:ArchiveClassesAtExit=" + archive, "-Xlog:disable", "-Xlog:all=error:stderr"))) {
          Http.send(recording.url + "/v1/datasets/ratings/query", "POST", "Bearer " + fx.token("alice"),
              "{\"sql\":\"SELECT rating, COUNT(*) AS n FROM ratings GROUP BY rating\"}");
        }
        if (Files.isRegularFile(archive) && Files.size(archive) > 0) {
          classData = List.of("-XX:SharedArchiveFile=" + archive, "-Xshare:auto", "-Xlog:disable",
              "-Xlog:all=error:stderr");
        }
      } catch (IOException | RuntimeException | InterruptedException e) {
        // no archive
      }
    }
    return classData;
  }

  private static Path jar(Path classes, Path jar) throws IOException {
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
         var files = Files.walk(classes)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace(File.separatorChar, '/')));
        Files.copy(f, out);
        out.closeEntry();
      }
    }
    return jar;
  }

  private static void deleteTree(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort at JVM exit
    }
  }

  /** SIGKILL, no shutdown hook. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(40, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
