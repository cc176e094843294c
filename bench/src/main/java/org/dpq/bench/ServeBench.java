package org.dpq.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.dpq.client.DpqClient;
import org.dpq.engine.Dpq;
import org.dpq.engine.QueryOptions;
import org.dpq.server.DpqServer;
import org.dpq.server.Tokens;

/**
 * {@code dpq serve} throughput and latency: small grouped counts on the ratings sample, each a distinct query (so
 * each is charged and runs on DuckDB; none is a stored answer), from 1, 16 and 64 concurrent clients over HTTP on
 * loopback, and the same query embedded in one thread for the remote-vs-embedded overhead. The server runs in
 * this JVM (plain HTTP on 127.0.0.1); clients share its CPUs.
 *
 * <pre>java -cp ... org.dpq.bench.ServeBench [--seconds 10] [--clients 1,16,64] [--samples samples]</pre>
 */
public final class ServeBench {
  private static final AtomicInteger KEY = new AtomicInteger();

  private ServeBench() {}

  public static void main(String[] args) throws Exception {
    int seconds = 10;
    int[] clients = {1, 16, 64};
    Path samples = Path.of("samples");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        case "--clients" -> clients = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
        case "--samples" -> samples = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    Path dir = Files.createTempDirectory("dpq-serve-bench");
    Files.copy(samples.resolve("ratings.csv"), dir.resolve("ratings.csv"));
    Files.writeString(dir.resolve("ratings.yaml"), Files.readString(samples.resolve("ratings.yaml"))
        .replace("budget: { epsilon: 10.0, delta: 1.0e-5 }", "budget: { epsilon: 1000000, delta: 1.0e-5 }"));
    String token = Tokens.create();
    Files.writeString(dir.resolve("server.yaml"), "listen: { host: 127.0.0.1, port: 0 }\nledger: server.ledger.db\n"
        + "datasets: [ ratings.yaml ]\nlimits: { requests_per_minute: 10000000 }\nprincipals:\n"
        + "  bench: { role: analyst, token_sha256: \"" + Tokens.sha256(token) + "\", budgets: { ratings: "
        + "{ epsilon: 1000000, delta: 1.0e-6 } } }\n");
    System.out.printf("ServeBench: %d s per point, ratings sample (%d rows), cores %d%n", seconds,
        Files.readAllLines(dir.resolve("ratings.csv")).size() - 1, Runtime.getRuntime().availableProcessors());
    double embeddedP50;
    Path local = Files.createDirectory(dir.resolve("embedded"));
    Files.copy(dir.resolve("ratings.csv"), local.resolve("ratings.csv"));
    Files.copy(dir.resolve("ratings.yaml"), local.resolve("ratings.yaml"));
    try (Dpq dpq = Dpq.open(local.resolve("ratings.yaml"))) {
      Run r = run(1, seconds, () -> dpq.query(sql(), options()));
      embeddedP50 = r.p50;
      System.out.printf("embedded  1 client : %7.1f q/s  p50 %6.2f ms  p99 %6.2f ms%n", r.qps, r.p50, r.p99);
    }
    try (DpqServer server = DpqServer.start(dir.resolve("server.yaml"), true, null);
        DpqClient client = DpqClient.connect(URI.create(server.url()), token)) {
      double remoteP50 = Double.NaN;
      for (int c : clients) {
        Run r = run(c, seconds, () -> client.query("ratings", sql(), options()));
        if (c == 1) {
          remoteP50 = r.p50;
        }
        System.out.printf("remote   %2d clients: %7.1f q/s  p50 %6.2f ms  p99 %6.2f ms%n", c, r.qps, r.p50, r.p99);
      }
      System.out.printf("remote overhead at 1 client (p50 remote - p50 embedded): %.2f ms%n", remoteP50 - embeddedP50);
    }
  }

  private static String sql() {
    return "SELECT rating, COUNT(*) AS n FROM ratings WHERE product_id <> " + KEY.incrementAndGet()
        + " GROUP BY rating";
  }

  private static QueryOptions options() {
    return QueryOptions.defaults().withEpsilon("0.001").withDelta("0");
  }

  private record Run(double qps, double p50, double p99) {}

  /** {@code threads} loops for a 2 s warm-up and then {@code seconds}, timing each call. */
  private static Run run(int threads, int seconds, Runnable call) throws InterruptedException {
    for (int i = 0; i < 5; i++) {
      call.run(); // the first calls open the backend and warm the planner
    }
    long warmEnd = System.nanoTime() + 2_000_000_000L;
    long end = warmEnd + seconds * 1_000_000_000L;
    List<long[]> perThread = new ArrayList<>();
    List<Thread> all = new ArrayList<>();
    AtomicInteger failures = new AtomicInteger();
    for (int t = 0; t < threads; t++) {
      long[] lat = new long[1 << 20];
      perThread.add(lat);
      Thread th = new Thread(() -> {
        int n = 0;
        while (true) {
          long s = System.nanoTime();
          if (s >= end) {
            break;
          }
          try {
            call.run();
          } catch (RuntimeException e) {
            failures.incrementAndGet();
          }
          long e = System.nanoTime();
          if (s >= warmEnd && n < lat.length - 1) {
            lat[++n] = e - s;
          }
        }
        lat[0] = n;
      });
      th.start();
      all.add(th);
    }
    for (Thread th : all) {
      th.join();
    }
    if (failures.get() > 0) {
      throw new IllegalStateException(failures.get() + " queries failed during the run");
    }
    List<Long> lats = new ArrayList<>();
    for (long[] lat : perThread) {
      for (int i = 1; i <= lat[0]; i++) {
        lats.add(lat[i]);
      }
    }
    long[] sorted = lats.stream().mapToLong(Long::longValue).sorted().toArray();
    if (sorted.length == 0) {
      throw new IllegalStateException("no query finished within the measured " + seconds + " s; run longer");
    }
    return new Run(sorted.length / (double) seconds, sorted[sorted.length / 2] / 1e6,
        sorted[(int) Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] / 1e6);
  }
}
