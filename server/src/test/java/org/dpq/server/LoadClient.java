package org.dpq.server;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;

/**
 * One client JVM of the load test: {@code threads} clients, each sending one distinct query (so none is a stored
 * answer) at once, then printing one line per outcome: the HTTP status (or "io" for a failed connection).
 *
 * <p>Arguments: URL TOKEN THREADS FIRST_KEY EPSILON.
 */
public final class LoadClient {
  private LoadClient() {}

  public static void main(String[] args) throws Exception {
    String url = args[0];
    String token = args[1];
    int threads = Integer.parseInt(args[2]);
    int firstKey = Integer.parseInt(args[3]);
    String epsilon = args[4];
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
    CountDownLatch start = new CountDownLatch(1);
    Map<Integer, String> outcomes = new TreeMap<>();
    List<Thread> all = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      int key = firstKey + i;
      Thread t = new Thread(() -> {
        String body = "{\"sql\":\"SELECT COUNT(*) AS n FROM ratings WHERE product_id <> " + key
            + "\",\"epsilon\":\"" + epsilon + "\",\"delta\":\"0\"}";
        String outcome;
        try {
          start.await();
          HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/v1/datasets/ratings/query"))
              .timeout(Duration.ofMinutes(5)).header("Authorization", "Bearer " + token)
              .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
          outcome = r.statusCode() + " " + r.body().replace('\n', ' ');
        } catch (Exception e) {
          outcome = "io " + e.getClass().getSimpleName();
        }
        synchronized (outcomes) {
          outcomes.put(key, outcome);
        }
      });
      t.start();
      all.add(t);
    }
    start.countDown();
    for (Thread t : all) {
      t.join();
    }
    outcomes.forEach((k, v) -> System.out.println(k + " " + v));
  }
}
