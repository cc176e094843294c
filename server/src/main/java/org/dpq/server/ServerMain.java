package org.dpq.server;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs a server in this process until it is stopped (SIGTERM/SIGINT stop it gracefully: requests in flight
 * finish, each charge ends in a release or an abandonment). {@code dpq serve} and the tests start it; the first
 * line on standard output is {@code dpq serve: listening on URL}.
 */
public final class ServerMain {
  private ServerMain() {}

  public static void main(String[] args) throws InterruptedException {
    Path config = null;
    boolean insecure = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--config" -> config = Path.of(args[++i]);
        case "--insecure-localhost" -> insecure = true;
        default -> {
          System.err.println("dpq serve: unknown argument " + args[i]);
          System.exit(2);
        }
      }
    }
    if (config == null) {
      System.err.println("dpq serve: give --config server.yaml");
      System.exit(2);
    }
    run(config, insecure);
  }

  /** Starts the server, announces its URL, and blocks until the JVM is asked to stop. */
  public static void run(Path config, boolean insecure) throws InterruptedException {
    DpqServer server = DpqServer.start(config, insecure, System.err);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "dpq-serve-shutdown"));
    System.out.println("dpq serve: listening on " + server.url());
    System.out.flush();
    stopped.await();
  }
}
