package org.dpq.e2e.races;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.dpq.engine.Dpq;
import org.dpq.engine.QueryOptions;
import org.dpq.engine.QueryResult;
import org.dpq.errors.BudgetExhaustedException;

/**
 * The second process of the race tests: opens a dataset through the public API (real noise), warms up, prints
 * {@code READY}, waits for {@code GO} on standard input, then runs its queries on that many threads at once and
 * prints one line per query: {@code ANSWERED <i> <ledger sequence> <reused> <answer>}, {@code REFUSED <i>} or
 * {@code ERROR <i> <exception class>}.
 *
 * <p>Arguments: dataset YAML, first query index, number of queries, epsilon, and {@code distinct} (query i is
 * {@link Races#distinctQuery}) or {@code identical} (every query is {@link Races#IDENTICAL}).
 */
public final class RaceWorker {
  private RaceWorker() {}

  /** Runs the worker (see the type's documentation). */
  public static void main(String[] args) throws Exception {
    Path yaml = Path.of(args[0]);
    int first = Integer.parseInt(args[1]);
    int count = Integer.parseInt(args[2]);
    String epsilon = args[3];
    boolean distinct = "distinct".equals(args[4]);
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    try (Dpq dpq = Dpq.open(yaml)) {
      dpq.explain(Races.IDENTICAL, QueryOptions.defaults()); // warm up Calcite and DuckDB; charges nothing
      out.println("READY");
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String go = in.readLine();
      if (!"GO".equals(go)) {
        out.println("ERROR -1 no GO");
        return;
      }
      CountDownLatch start = new CountDownLatch(1);
      List<Thread> threads = new ArrayList<>();
      List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
      for (int i = first; i < first + count; i++) {
        int index = i;
        String sql = distinct ? Races.distinctQuery(i) : Races.IDENTICAL;
        Thread t = new Thread(() -> {
          try {
            start.await();
            QueryResult r = dpq.query(sql, QueryOptions.defaults().withEpsilon(epsilon).withAnalyst("process-2"));
            lines.add("ANSWERED " + index + " " + r.ledgerSequence() + " " + r.reused() + " " + Races.answer(r));
          } catch (BudgetExhaustedException e) {
            lines.add("REFUSED " + index);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            lines.add("ERROR " + index + " interrupted");
          } catch (RuntimeException e) {
            lines.add("ERROR " + index + " " + e.getClass().getName());
          }
        });
        t.start();
        threads.add(t);
      }
      start.countDown();
      for (Thread t : threads) {
        t.join();
      }
      lines.forEach(out::println);
    }
  }
}
