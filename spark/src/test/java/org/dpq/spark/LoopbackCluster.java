package org.dpq.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Spark standalone cluster on loopback: one master and {@code workers} workers, each a separate JVM started
 * from the Spark jars Maven resolved for this module (nothing is downloaded or installed). Spark's launcher wants
 * a SPARK_HOME whose {@code jars/} holds the executors' class path, so a throwaway one is made in a temporary
 * folder with links to the class path's jars. Everything binds to 127.0.0.1; the processes are stopped by
 * {@link #close} and, failing that, when this JVM exits. Test and bench only; owns no privacy property.
 */
public final class LoopbackCluster implements AutoCloseable {
  /** The JVM options Spark 3.5 needs on Java 17 (Spark's own scripts add the same). */
  static final List<String> JAVA17_OPENS = List.of("-XX:+IgnoreUnrecognizedVMOptions",
      "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
      "--add-opens=java.base/java.net=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
      "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
      "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED", "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
      "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED", "-Djdk.reflect.useDirectMethodHandle=false");

  /** Sizes of one cluster: workers, cores and memory per worker (e.g. "512m"), daemon heap (e.g. "128m"). */
  public record Shape(int workers, int coresPerWorker, String workerMemory, String daemonHeap) {
    /** Two workers with one core and 512 MB each: enough for the tests' small tables. */
    public static Shape small() {
      return new Shape(2, 1, "512m", "160m");
    }
  }

  private final Path home;
  private final int masterPort;
  private final int masterUiPort;
  private final List<Process> processes = new ArrayList<>();
  private final Thread onExit;
  private final Shape shape;

  private LoopbackCluster(Path home, int masterPort, int masterUiPort, Shape shape) {
    this.home = home;
    this.masterPort = masterPort;
    this.masterUiPort = masterUiPort;
    this.shape = shape;
    this.onExit = new Thread(() -> {
      stopProcesses();
      deleteHome();
    }, "loopback-cluster-stop");
    Runtime.getRuntime().addShutdownHook(onExit);
  }

  /**
   * Starts a master and the shape's workers, and returns once every worker registered with the master.
   *
   * @throws IllegalStateException when the cluster is not up within {@code timeoutSeconds} (with the logs' tails)
   */
  public static LoopbackCluster start(Shape shape, long timeoutSeconds) {
    Path home;
    try {
      home = Files.createTempDirectory("dpq-spark-home");
      linkJars(home.resolve("jars"));
      Files.createDirectories(home.resolve("conf"));
      Files.createDirectories(home.resolve("logs"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    LoopbackCluster cluster = new LoopbackCluster(home, freePort(), freePort(), shape);
    try {
      cluster.launch("master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
          "--port", String.valueOf(cluster.masterPort), "--webui-port", String.valueOf(cluster.masterUiPort));
      for (int i = 0; i < shape.workers(); i++) {
        Path work = Files.createDirectories(home.resolve("work-" + i));
        cluster.launch("worker-" + i, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
            "--webui-port", "0", "--cores", String.valueOf(shape.coresPerWorker()),
            "--memory", shape.workerMemory(), "--work-dir", work.toString(), cluster.masterUrl());
      }
      cluster.awaitWorkers(timeoutSeconds);
      return cluster;
    } catch (IOException | RuntimeException e) {
      String logs = cluster.logTails();
      cluster.close();
      throw new IllegalStateException("the loopback Spark cluster did not start: " + e.getMessage() + logs, e);
    }
  }

  /** {@code spark://127.0.0.1:<port>}. */
  public String masterUrl() {
    return "spark://127.0.0.1:" + masterPort;
  }

  /** The shape this cluster was started with. */
  public Shape shape() {
    return shape;
  }

  /**
   * The driver settings that keep an application on this cluster on loopback and within the workers' memory,
   * as {@code spark.*} keys (set them as system properties before the first session, or on a builder).
   */
  public Map<String, String> driverSettings(String executorMemory) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("spark.driver.host", "127.0.0.1");
    s.put("spark.driver.bindAddress", "127.0.0.1");
    s.put("spark.ui.enabled", "false");
    s.put("spark.executor.memory", executorMemory);
    s.put("spark.executor.cores", String.valueOf(shape.coresPerWorker()));
    s.put("spark.cores.max", String.valueOf(shape.workers() * shape.coresPerWorker()));
    s.put("spark.sql.warehouse.dir", home.resolve("warehouse").toString());
    s.put("spark.local.dir", home.resolve("local").toString());
    return s;
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The class path of this JVM: surefire's (its booter jar hides it from java.class.path), else java.class.path. */
  static List<Path> classPath() {
    String cp = System.getProperty("surefire.test.class.path");
    if (cp == null || cp.isBlank()) {
      cp = System.getProperty("java.class.path");
    }
    List<Path> out = new ArrayList<>();
    for (String entry : cp.split(File.pathSeparator)) {
      if (!entry.isBlank()) {
        out.add(Path.of(entry));
      }
    }
    return out;
  }

  /**
   * Links the class path's jars, except dpq's own, into {@code jars} (Spark's launcher puts {@code jars/*} on
   * the daemons and executors).
   */
  private static void linkJars(Path jars) throws IOException {
    Files.createDirectories(jars);
    Set<String> names = new LinkedHashSet<>();
    boolean spark = false;
    for (Path entry : classPath()) {
      String name = entry.getFileName().toString();
      // dpq's own jars stay off the executors: the bounded query is plain Spark SQL, and the tests show it
      if (!name.endsWith(".jar") || name.startsWith("dpq-") || !Files.isRegularFile(entry) || !names.add(name)) {
        continue;
      }
      spark |= name.startsWith("spark-core_");
      Files.createSymbolicLink(jars.resolve(name), entry.toAbsolutePath());
    }
    if (!spark) {
      throw new IllegalStateException("no spark-core jar on the class path: run with the spark module's test "
          + "class path (Spark is a provided dependency)");
    }
  }

  private void launch(String name, String mainClass, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx" + shape.daemonHeap());
    // the daemons only schedule: the quick compiler and the serial collector keep them light on a shared machine
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-XX:+UseSerialGC");
    command.addAll(JAVA17_OPENS);
    command.add("-cp");
    command.add(home.resolve("conf") + File.pathSeparator + home.resolve("jars") + File.separator + "*");
    command.add(mainClass);
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(home.toFile())
        .redirectErrorStream(true).redirectOutput(home.resolve("logs").resolve(name + ".log").toFile());
    Map<String, String> env = pb.environment();
    env.put("SPARK_HOME", home.toString());
    env.put("SPARK_SCALA_VERSION", "2.13");
    env.put("SPARK_LOCAL_IP", "127.0.0.1");
    env.put("SPARK_LOCAL_DIRS", home.resolve("local").toString());
    env.put("SPARK_CONF_DIR", home.resolve("conf").toString());
    env.put("SPARK_LOG_DIR", home.resolve("logs").toString());
    env.remove("SPARK_MASTER_HOST");
    env.remove("SPARK_WORKER_OPTS");
    processes.add(pb.start());
  }

  /** Polls the master's JSON page on loopback until every worker is ALIVE. */
  private void awaitWorkers(long timeoutSeconds) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    ObjectMapper json = new ObjectMapper();
    String last = "no answer yet";
    while (System.nanoTime() < deadline) {
      for (Process p : processes) {
        if (!p.isAlive()) {
          throw new IllegalStateException("a cluster process exited with code " + p.exitValue());
        }
      }
      try {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + masterUiPort + "/json/")
            .toURL().openConnection();
        c.setConnectTimeout(1000);
        c.setReadTimeout(2000);
        try (var in = c.getInputStream()) {
          JsonNode state = json.readTree(in);
          int alive = state.path("aliveworkers").asInt(0);
          last = "alive workers " + alive + " of " + shape.workers();
          if (alive >= shape.workers()) {
            return;
          }
        }
      } catch (IOException e) {
        last = e.toString();
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the workers");
      }
    }
    throw new IllegalStateException("workers not registered within " + timeoutSeconds + " s (" + last + ")");
  }

  private String logTails() {
    StringBuilder out = new StringBuilder();
    try (Stream<Path> logs = Files.list(home.resolve("logs"))) {
      for (Path log : logs.sorted().toList()) {
        List<String> lines = Files.readAllLines(log);
        out.append("\n--- ").append(log.getFileName()).append(" (last lines)\n")
            .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size())));
      }
    } catch (IOException | UncheckedIOException e) {
      out.append("\n(logs unreadable: ").append(e.getMessage()).append(')');
    }
    return out.toString();
  }

  /** Stops the workers (and their executors), then the master, and deletes the temporary SPARK_HOME. */
  @Override
  public void close() {
    stopProcesses();
    try {
      Runtime.getRuntime().removeShutdownHook(onExit);
    } catch (IllegalStateException e) {
      // already shutting down: the hook runs stopProcesses
    }
    deleteHome();
  }

  private void deleteHome() {
    try (Stream<Path> walk = Files.walk(home)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // a temporary folder: left for the OS to clean
    }
  }

  private synchronized void stopProcesses() {
    // workers first (they stop their executors on SIGTERM), master last; descendants caught either way
    List<Process> reversed = new ArrayList<>(processes);
    java.util.Collections.reverse(reversed);
    for (Process p : reversed) {
      List<ProcessHandle> children = p.descendants().toList();
      p.destroy();
      try {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
      children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }
    processes.clear();
  }
}
