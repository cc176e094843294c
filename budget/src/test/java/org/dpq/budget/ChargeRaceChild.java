package org.dpq.budget;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.dpq.errors.BudgetExhaustedException;
import org.dpq.mechanisms.PrivacyLoss;

/**
 * A process in the concurrency race: opens the ledger, starts {@code threads} threads, prints READY, waits for
 * GO on stdin, then every thread tries {@code attempts} charges of (epsilon, delta) with distinct query keys.
 * Prints {@code CHARGED <sequence>} per success, {@code REFUSED} per exhaustion, {@code ERROR ...} otherwise.
 *
 * <p>Usage: {@code ChargeRaceChild <location> <dataset> <threads> <attempts> <epsilon> <delta> <label>}
 */
public final class ChargeRaceChild {
  private ChargeRaceChild() {}

  public static void main(String[] args) throws Exception {
    String location = args[0];
    String dataset = args[1];
    int threads = Integer.parseInt(args[2]);
    int attempts = Integer.parseInt(args[3]);
    PrivacyLoss loss = PrivacyLoss.parse(args[4], args[5]);
    String label = args[6];
    try (Ledger ledger = Ledger.open(location)) {
      ledger.status(dataset); // fail early if the dataset is missing
      CountDownLatch go = new CountDownLatch(1);
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        Thread w = new Thread(() -> {
          try {
            go.await();
          } catch (InterruptedException e) {
            return;
          }
          for (int i = 0; i < attempts; i++) {
            ChargeRequest r = Requests.request(dataset, label + "-" + thread + "-" + i, loss);
            String line;
            try {
              ChargeOutcome o = ledger.charge(r);
              line = o instanceof ChargeOutcome.Charged c ? "CHARGED " + c.sequence() : "ERROR unexpected " + o;
            } catch (BudgetExhaustedException e) {
              line = "REFUSED";
            } catch (RuntimeException e) {
              line = "ERROR " + e;
            }
            synchronized (System.out) {
              System.out.println(line);
              System.out.flush();
            }
          }
        });
        w.start();
        workers.add(w);
      }
      System.out.println("READY");
      System.out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      if (!"GO".equals(in.readLine())) {
        System.exit(2);
      }
      go.countDown();
      for (Thread w : workers) {
        w.join();
      }
      System.out.println("DONE");
      System.out.flush();
    }
  }
}
