package org.dpq.engine.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * A cancel request sticks until the statement ends: a first request that the engine drops (it arrived before the
 * statement started there) is repeated, and the repeats stop when the statement's registration closes. The repeats
 * are driven by hand here, so nothing depends on timing.
 */
class RunningStatementsTest {
  /** The repeated tasks, run when the test says so. */
  private static final class ByHand implements RunningStatements.Repeater {
    final List<Runnable> tasks = new ArrayList<>();
    final List<Future<?>> handles = new ArrayList<>();

    @Override
    public Future<?> repeat(Runnable task) {
      tasks.add(task);
      CompletableFuture<Void> handle = new CompletableFuture<>();
      handles.add(handle);
      return handle;
    }

    void tick() {
      for (int i = 0; i < tasks.size(); i++) {
        if (!handles.get(i).isCancelled()) {
          tasks.get(i).run();
        }
      }
    }
  }

  @Test
  void aLostCancelIsAskedAgainUntilTheStatementEnds() {
    List<String> asked = new ArrayList<>();
    ByHand repeater = new ByHand();
    RunningStatements<String> running = new RunningStatements<>(asked::add, repeater);
    RunningStatements.Registration q = running.register("q");

    assertEquals(1, running.cancelAll());
    assertEquals(List.of("q"), asked, "asked once at once");
    repeater.tick();
    repeater.tick();
    assertEquals(List.of("q", "q", "q"), asked, "the first request may have been lost: asked again");

    q.close();
    assertTrue(repeater.handles.get(0).isCancelled(), "closing the registration ends the repeats");
    repeater.tasks.get(0).run(); // a repeat already under way when the registration closed
    assertEquals(3, asked.size(), "nothing is cancelled after the statement ended");
    assertEquals(0, running.cancelAll(), "nothing is left running");
  }

  @Test
  void oneRepeatPerStatementHoweverOftenCancelIsAsked() {
    List<String> asked = new ArrayList<>();
    ByHand repeater = new ByHand();
    RunningStatements<String> running = new RunningStatements<>(asked::add, repeater);
    try (RunningStatements.Registration a = running.register("a");
        RunningStatements.Registration b = running.register("b")) {
      running.cancelAll();
      running.cancelAll();
      assertEquals(2, repeater.tasks.size(), "one repeated request per statement");
      repeater.tick();
      assertEquals(6, asked.size());
    }
    assertTrue(repeater.handles.stream().allMatch(Future::isCancelled));
  }

  @Test
  void aStatementThatFinishedMeanwhileIsNotCounted() {
    ByHand repeater = new ByHand();
    RunningStatements<String> running = new RunningStatements<>(s -> {
      throw new IllegalStateException("finished");
    }, repeater);
    try (RunningStatements.Registration q = running.register("q")) {
      assertEquals(0, running.cancelAll());
      repeater.tick(); // a failing repeat is swallowed like the first request
    }
  }

  @Test
  void aRegistrationClosedBeforeCancelIsNeverAsked() {
    List<String> asked = new ArrayList<>();
    ByHand repeater = new ByHand();
    RunningStatements<String> running = new RunningStatements<>(asked::add, repeater);
    running.register("q").close();
    assertEquals(0, running.cancelAll());
    assertTrue(asked.isEmpty());
    assertTrue(repeater.tasks.isEmpty());
  }
}
