package org.dpq.e2e.races;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.dpq.e2e.hostile.DpqProcess;
import org.dpq.e2e.hostile.HostileData;
import org.dpq.e2e.hostile.Leaks;
import org.dpq.e2e.hostile.LedgerView;
import org.dpq.engine.Dpq;
import org.dpq.engine.QueryOptions;
import org.dpq.engine.QueryResult;
import org.dpq.errors.BudgetExhaustedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Races and restarts end to end: 100 queries start at once from 50 threads on two {@link Dpq} instances in this
 * JVM, 46 threads in a second JVM ({@link RaceWorker}) and 4 CLI processes, against a budget that admits exactly
 * one of them (each asks for epsilon 0.6 of a total of 1.0). Then the same queries again from new instances and
 * new processes, after exhaustion.
 */
class RacesTest {
  private static final String EPSILON = "0.6";
  private static final int IN_JVM = 50;
  private static final int WORKER = 46;
  private static final int CLI = 4;
  private static final int TOTAL = IN_JVM + WORKER + CLI;
  /** A guard against a hung child, not an assertion about speed. */
  private static final long HANG_GUARD_SECONDS = 300;

  @TempDir Path dir;

  private enum Kind { ANSWERED, REFUSED, ERROR }

  /** One racer's result: the query's index, and for an answer its ledger entry, reuse flag and cells. */
  private record Outcome(String source, int index, Kind kind, long sequence, boolean reused, String answer) {}

  @Test
  void hundredDifferentQueriesAdmitExactlyOneAnswer() throws Exception {
    Path yaml = dataset("distinct");
    List<Outcome> outcomes = race(yaml, true);

    assertNoErrors(outcomes);
    List<Outcome> answered = only(outcomes, Kind.ANSWERED);
    assertEquals(1, answered.size(), "exactly one of 100 different queries fits the budget: " + summary(outcomes));
    assertEquals(TOTAL - 1, only(outcomes, Kind.REFUSED).size(), "the other 99 are refused");
    LedgerView ledger = LedgerView.of(yaml);
    assertEquals(1, ledger.charges(), "one CHARGE entry");
    assertEquals(0, ledger.spentEpsilon().compareTo(new BigDecimal(EPSILON)), "the one charge is all that is spent");

    // After exhaustion, from a new instance and a new process: the answered query gets its stored answer, every
    // other one is still refused, and nothing more is charged.
    Outcome winner = answered.get(0);
    try (Dpq fresh = Dpq.open(yaml)) {
      QueryResult again = fresh.query(Races.distinctQuery(winner.index()), options());
      assertTrue(again.reused(), "the answered query is answered from the ledger");
      assertEquals(winner.answer(), Races.answer(again), "never fresh noise for the answered query");
      for (int i = 0; i < 5; i++) {
        int other = (winner.index() + 1 + i * 17) % TOTAL;
        String sql = Races.distinctQuery(other);
        assertRefused(() -> fresh.query(sql, options()), "query " + other + " after exhaustion");
      }
    }
    Outcome cliAgain = cli(yaml, Races.distinctQuery(winner.index()), winner.index(), EPSILON);
    assertEquals(Kind.ANSWERED, cliAgain.kind(), "the CLI returns the stored answer after a restart");
    assertTrue(cliAgain.reused());
    assertEquals(winner.answer(), cliAgain.answer());
    int other = (winner.index() + 50) % TOTAL;
    assertEquals(Kind.REFUSED, cli(yaml, Races.distinctQuery(other), other, EPSILON).kind());
    assertEquals(1, LedgerView.of(yaml).charges(), "restarts charge nothing");
  }

  @Test
  void hundredIdenticalQueriesShareOneStoredAnswer() throws Exception {
    Path yaml = dataset("identical");
    List<Outcome> outcomes = race(yaml, false);

    assertNoErrors(outcomes);
    List<Outcome> answered = only(outcomes, Kind.ANSWERED);
    assertTrue(answered.size() >= 1, "the identical query is answered: " + summary(outcomes));
    Set<String> answers = answered.stream().map(Outcome::answer).collect(Collectors.toSet());
    assertEquals(1, answers.size(), "every answer is the one stored answer, never two different noisy answers");
    Set<Long> sequences = answered.stream().map(Outcome::sequence).collect(Collectors.toSet());
    assertEquals(1, sequences.size(), "every answer names the one charge that paid for it");
    assertEquals(answered.size() - 1, answered.stream().filter(Outcome::reused).count(),
        "all answers but the first are reused");
    LedgerView ledger = LedgerView.of(yaml);
    assertEquals(1, ledger.charges(), "one CHARGE entry for 100 identical queries");
    assertEquals(0, ledger.spentEpsilon().compareTo(new BigDecimal(EPSILON)));

    // Restarts: new instances and a new process see the stored answer; other parameters are refused.
    String stored = answers.iterator().next();
    for (int restart = 0; restart < 3; restart++) {
      try (Dpq fresh = Dpq.open(yaml)) {
        QueryResult again = fresh.query(Races.IDENTICAL, options());
        assertTrue(again.reused());
        assertEquals(stored, Races.answer(again), "restart " + restart + ": never fresh noise");
        assertRefused(() -> fresh.query(Races.IDENTICAL, options().withEpsilon("0.7")),
            "the same query with another epsilon");
      }
    }
    Outcome cliAgain = cli(yaml, Races.IDENTICAL, 0, EPSILON);
    assertEquals(Kind.ANSWERED, cliAgain.kind());
    assertEquals(stored, cliAgain.answer(), "a new CLI process gets the stored answer");
    assertEquals(Kind.REFUSED, cli(yaml, Races.distinctQuery(7), 7, EPSILON).kind());
    assertEquals(1, LedgerView.of(yaml).charges(), "restarts charge nothing");
  }

  // ---- the race ----

  private List<Outcome> race(Path yaml, boolean distinct) throws Exception {
    List<Outcome> outcomes = Collections.synchronizedList(new ArrayList<>());
    Process worker = DpqProcess.startMain(dir, dir.resolve("worker.err"), RaceWorker.class,
        List.of(yaml.toString(), String.valueOf(IN_JVM), String.valueOf(WORKER), EPSILON,
            distinct ? "distinct" : "identical"));
    try (Dpq a = Dpq.open(yaml); Dpq b = Dpq.open(yaml)) {
      a.explain(Races.IDENTICAL, options()); // warm up: Calcite and DuckDB load before the start signal
      b.explain(Races.IDENTICAL, options());
      BufferedReader fromWorker = new BufferedReader(new InputStreamReader(worker.getInputStream(),
          StandardCharsets.UTF_8));
      String ready = fromWorker.readLine();
      assertEquals("READY", ready, "the worker process did not start: " + stderr("worker.err"));

      CountDownLatch start = new CountDownLatch(1);
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < IN_JVM; i++) {
        Dpq dpq = i % 2 == 0 ? a : b;
        int index = i;
        String sql = distinct ? Races.distinctQuery(i) : Races.IDENTICAL;
        Thread t = new Thread(() -> outcomes.add(inJvm(dpq, start, sql, index)));
        t.start();
        threads.add(t);
      }
      try (Writer toWorker = new OutputStreamWriter(worker.getOutputStream(), StandardCharsets.UTF_8)) {
        toWorker.write("GO\n");
        toWorker.flush();
        start.countDown();
        List<Process> clis = new ArrayList<>();
        for (int i = 0; i < CLI; i++) {
          int index = IN_JVM + WORKER + i;
          clis.add(DpqProcess.startCli(dir, dir.resolve("cli" + index + ".out"), dir.resolve("cli" + index + ".err"),
              cliArgs(yaml, distinct ? Races.distinctQuery(index) : Races.IDENTICAL, EPSILON)));
        }
        for (Thread t : threads) {
          t.join();
        }
        for (String line = fromWorker.readLine(); line != null; line = fromWorker.readLine()) {
          outcomes.add(parseWorker(line));
        }
        assertTrue(worker.waitFor(HANG_GUARD_SECONDS, TimeUnit.SECONDS), "the worker process hung");
        for (int i = 0; i < CLI; i++) {
          int index = IN_JVM + WORKER + i;
          assertTrue(clis.get(i).waitFor(HANG_GUARD_SECONDS, TimeUnit.SECONDS), "a CLI process hung");
          outcomes.add(cliOutcome(index, clis.get(i).exitValue(), dir.resolve("cli" + index + ".out"),
              dir.resolve("cli" + index + ".err")));
        }
      }
    } finally {
      worker.destroyForcibly();
    }
    assertEquals(TOTAL, outcomes.size(), "every racer reports once: " + summary(outcomes));
    Set<Integer> indices = new TreeSet<>();
    outcomes.forEach(o -> indices.add(o.index()));
    assertEquals(TOTAL, indices.size(), "each query index reports once");
    return outcomes;
  }

  private static Outcome inJvm(Dpq dpq, CountDownLatch start, String sql, int index) {
    try {
      start.await();
      QueryResult r = dpq.query(sql, options().withAnalyst("thread-" + index));
      return new Outcome("jvm", index, Kind.ANSWERED, r.ledgerSequence(), r.reused(), Races.answer(r));
    } catch (BudgetExhaustedException e) {
      return new Outcome("jvm", index, Kind.REFUSED, -1, false, null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Outcome("jvm", index, Kind.ERROR, -1, false, "interrupted");
    } catch (RuntimeException e) {
      return new Outcome("jvm", index, Kind.ERROR, -1, false, e.getClass().getName());
    }
  }

  private static Outcome parseWorker(String line) {
    String[] p = line.split(" ", 5);
    int index = Integer.parseInt(p[1]);
    return switch (p[0]) {
      case "ANSWERED" -> new Outcome("process", index, Kind.ANSWERED, Long.parseLong(p[2]),
          Boolean.parseBoolean(p[3]), p[4]);
      case "REFUSED" -> new Outcome("process", index, Kind.REFUSED, -1, false, null);
      default -> new Outcome("process", index, Kind.ERROR, -1, false, line);
    };
  }

  private Outcome cli(Path yaml, String sql, int index, String epsilon) throws IOException {
    DpqProcess.Result r = DpqProcess.cli(dir, null, cliArgs(yaml, sql, epsilon));
    Path out = Files.writeString(dir.resolve("single.out"), r.out());
    Path err = Files.writeString(dir.resolve("single.err"), r.err());
    return cliOutcome(index, r.code(), out, err);
  }

  private static List<String> cliArgs(Path yaml, String sql, String epsilon) {
    return List.of("query", "--dataset", yaml.toString(), "--epsilon", epsilon, "--analyst", "cli", "--format",
        "json", sql);
  }

  private static Outcome cliOutcome(int index, int code, Path out, Path err) throws IOException {
    String stdout = Files.readString(out, StandardCharsets.UTF_8);
    if (code == 0) {
      JsonNode json = new ObjectMapper().readTree(stdout);
      return new Outcome("cli", index, Kind.ANSWERED, json.get("ledgerSequence").asLong(),
          json.get("reused").asBoolean(), Races.answer(json));
    }
    if (code == 4) {
      return new Outcome("cli", index, Kind.REFUSED, -1, false, null);
    }
    return new Outcome("cli", index, Kind.ERROR, -1, false,
        "exit " + code + ": " + Leaks.redact(Files.readString(err, StandardCharsets.UTF_8)));
  }

  // ---- helpers ----

  private Path dataset(String name) {
    Path csv = HostileData.people(dir.resolve(name), 200, 11);
    return HostileData.yaml(dir.resolve(name), name, "people", csv, "1.0", "1e-6");
  }

  private static QueryOptions options() {
    return QueryOptions.defaults().withEpsilon(EPSILON).withAnalyst("races");
  }

  private static void assertNoErrors(List<Outcome> outcomes) {
    List<Outcome> errors = only(outcomes, Kind.ERROR);
    assertTrue(errors.isEmpty(), "racers failed instead of being answered or refused: " + errors);
  }

  private static List<Outcome> only(List<Outcome> outcomes, Kind kind) {
    return outcomes.stream().filter(o -> o.kind() == kind).toList();
  }

  private static String summary(List<Outcome> outcomes) {
    return outcomes.stream().collect(Collectors.groupingBy(o -> o.source() + ":" + o.kind(), Collectors.counting()))
        .toString();
  }

  private String stderr(String file) {
    try {
      return Leaks.redact(Files.readString(dir.resolve(file)));
    } catch (IOException e) {
      return "(no stderr)";
    }
  }

  private static void assertRefused(Runnable query, String what) {
    try {
      query.run();
    } catch (BudgetExhaustedException e) {
      return;
    }
    throw new AssertionError(what + " was answered after the budget was exhausted");
  }
}
