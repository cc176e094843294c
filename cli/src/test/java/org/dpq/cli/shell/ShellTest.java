package org.dpq.cli.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.dpq.cli.TestDataset;
import org.dpq.cli.VerboseOption;
import org.dpq.cli.output.OutputFormat;
import org.dpq.engine.Dpq;
import org.dpq.engine.QueryOptions;
import org.jline.reader.Candidate;
import org.jline.reader.LineReader;
import org.jline.terminal.Terminal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dpq shell} through JLine's dumb terminal with scripted input, and through the real command line. */
class ShellTest {
  @TempDir Path dir;

  @Test
  void aScriptedSessionRunsQueriesAndDotCommandsOnOneOpenDataset() throws Exception {
    TestDataset d = new TestDataset(dir);
    Path history = dir.resolve("history");
    String script = String.join("\n",
        "SELECT grp, COUNT(*) AS n FROM t GROUP BY grp;",
        ".budget",
        ".format jsonl",
        "SELECT COUNT(*) AS total",
        "FROM t;",
        ".format table",
        ".timer on",
        ".explain SELECT SUM(amount) FROM t",
        "SELECT pid FROM t;",
        ".bogus",
        ".format nonsense",
        ".help",
        ".quit",
        "SELECT COUNT(*) AS never FROM t;",
        "");
    TestDataset.Run r = d.runWithInput(script, "shell", "-d", d.yaml.toString(), "--history", history.toString());
    assertEquals(0, r.code(), r.toString());
    String out = r.out();
    assertTrue(out.contains("dpq shell on dataset t"), out);
    assertTrue(out.matches("(?s).*\\n?grp +n\\s*\\n-+ +-+.*"), "a table answer:\n" + out);
    assertTrue(out.contains("remaining"), ".budget prints the balance:\n" + out);
    assertTrue(out.contains("format: jsonl"), out);
    assertTrue(out.matches("(?s).*\\{\"total\":\\d+,\"total_ci95\":\\[.*"), "a multi-line query in jsonl:\n" + out);
    assertTrue(out.contains("timer: on"), out);
    assertTrue(out.contains("Measurements:"), ".explain prints the measurements:\n" + out);
    assertTrue(out.matches("(?s).*time: .*plan [0-9.]+ ms.*"), ".timer prints phases:\n" + out);
    assertTrue(out.contains("dpq: query rejected"), "a rejected query does not end the shell:\n" + out);
    assertTrue(out.contains("unknown command .bogus"), out);
    assertTrue(out.contains(".explain"), ".help lists the commands");
    assertFalse(out.contains("never"), "nothing runs after .quit:\n" + out);

    TestDataset.Run h = d.run("budget", "history", "-d", d.yaml.toString(), "-f", "csv");
    long charges = h.out().lines().filter(l -> l.contains(",CHARGE,")).count();
    assertEquals(2, charges, "two queries charged, the explain and the rejected one not:\n" + h.out());
    String saved = Files.readString(history);
    assertTrue(saved.contains("SELECT grp, COUNT(*) AS n FROM t GROUP BY grp;"), saved);
  }

  @Test
  void anUnfinishedStatementAtEndOfInputIsNotRun() throws Exception {
    TestDataset d = new TestDataset(dir);
    TestDataset.Run r = d.runWithInput("SELECT COUNT(*) FROM t\n", "shell", "-d", d.yaml.toString(), "--history",
        dir.resolve("h").toString());
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains("an unfinished statement was not run"), r.out());
    assertFalse(d.run("budget", "history", "-d", d.yaml.toString()).out().contains("CHARGE"));
  }

  @Test
  void warnsOnceAtStartWhenTheYamlAndTheLedgerDisagree() throws Exception {
    TestDataset d = new TestDataset(dir);
    assertEquals(0, d.run("budget", "raise", "-d", d.yaml.toString(), "-e", "1", "--reason", "grant").code());
    TestDataset.Run r = d.runWithInput(".budget\n.budget\n", "shell", "-d", d.yaml.toString(), "--history",
        dir.resolve("h").toString());
    assertEquals(0, r.code(), r.toString());
    assertEquals(1, r.out().split("differs from the ledger's total", -1).length - 1, r.out());
  }

  @Test
  void completesKeywordsTheTableItsColumnsAndDotCommands() throws Exception {
    TestDataset d = new TestDataset(dir);
    try (Dpq dpq = Dpq.open(d.yaml); Terminal terminal = dumb("")) {
      Shell shell = new Shell(dpq, terminal, QueryOptions.defaults(), OutputFormat.TABLE, false,
          new VerboseOption.Phases(), dir.resolve("h"));
      assertTrue(complete(shell.reader(), "SELECT am").contains("amount"));
      assertTrue(complete(shell.reader(), "SELECT COUNT(*) FROM ").contains("t"));
      assertTrue(complete(shell.reader(), "sel").contains("select"), "keywords in the case typed");
      assertTrue(complete(shell.reader(), "SEL").contains("SELECT"));
      assertTrue(complete(shell.reader(), ".").containsAll(List.of(".explain", ".budget", ".format", ".timer")));
      assertTrue(complete(shell.reader(), ".format ").containsAll(List.of("markdown", "jsonl")),
          complete(shell.reader(), ".format ").toString());
      assertTrue(complete(shell.reader(), ".explain SELECT gr").contains("grp"));
    }
  }

  @Test
  void ctrlCStopsWaitingForARunningQuery() throws Exception {
    TestDataset d = new TestDataset(dir);
    StringWriter out = new StringWriter();
    try (Dpq dpq = Dpq.open(d.yaml); Terminal terminal = dumb("", out)) {
      Shell shell = new Shell(dpq, terminal, QueryOptions.defaults(), OutputFormat.TABLE, false,
          new VerboseOption.Phases(), dir.resolve("h"));
      CountDownLatch started = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      Thread ctrlC = new Thread(() -> {
        try {
          started.await();
          terminal.raise(Terminal.Signal.INT);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      ctrlC.start();
      Object result = shell.cancellable(() -> {
        started.countDown();
        try {
          release.await(1, TimeUnit.MINUTES); // a query that would run for a minute
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return "answer";
      });
      assertNull(result);
      assertTrue(release.getCount() == 1, "the shell returned before the query finished");
      release.countDown();
      ctrlC.join();
      terminal.writer().flush();
      assertTrue(out.toString().contains("cancelled. If the query was already charged, the charge stands"),
          out.toString());
    }
  }

  private static List<String> complete(LineReader reader, String line) {
    List<Candidate> candidates = new ArrayList<>();
    ((org.jline.reader.impl.LineReaderImpl) reader).getCompleter().complete(reader, reader.getParser().parse(line, line.length()), candidates);
    return candidates.stream().map(Candidate::value).toList();
  }

  private static Terminal dumb(String input) throws Exception {
    return dumb(input, new StringWriter());
  }

  private static Terminal dumb(String input, StringWriter out) throws Exception {
    return Shell.plainTerminal(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), out);
  }
}
