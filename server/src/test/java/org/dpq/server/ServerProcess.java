package org.dpq.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

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
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        ServerMain.class.getName(), "--config", config.toString()));
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
