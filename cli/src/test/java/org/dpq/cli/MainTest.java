package org.dpq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** The command line without the engine: parsing, help, usage errors and sample generation. */
class MainTest {
  @TempDir Path dir;

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(new PrintWriter(out), new PrintWriter(err), args);
    return new Run(code, out.toString(), err.toString());
  }

  private Path yaml() throws Exception {
    Path y = dir.resolve("d.yaml");
    Files.writeString(y, "name: d\n");
    return y;
  }

  @Test
  void helpListsCommandsExitCodesAndExamples() {
    Run r = run("--help");
    assertEquals(0, r.code());
    for (String s : List.of("query", "explain", "budget", "datasets", "samples", "Exit codes:",
        "4   privacy budget exhausted", "Examples:", "dpq query --dataset samples/ratings.yaml")) {
      assertTrue(r.out().contains(s), "help lacks " + s + ":\n" + r.out());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"query", "explain", "shell", "completion", "budget status", "budget history", "budget verify",
      "budget raise", "datasets inspect",
      "datasets validate", "samples generate"})
  void everyCommandsHelpHasAnExample(String command) {
    List<String> args = new ArrayList<>(List.of(command.split(" ")));
    args.add("--help");
    Run r = run(args.toArray(String[]::new));
    assertEquals(0, r.code());
    assertTrue(r.out().contains("Example"), command + " help has no example:\n" + r.out());
    assertTrue(r.out().contains("dpq " + command), command + " help has no example of itself");
  }

  @Test
  void versionNamesDpq() {
    Run r = run("--version");
    assertEquals(0, r.code());
    assertTrue(r.out().startsWith("dpq "), r.out());
  }

  @Test
  void noCommandIsAUsageError() {
    Run r = run();
    assertEquals(2, r.code());
    assertTrue(r.err().contains("missing command"));
  }

  @Test
  void badFlagsAreUsageErrorsWithAHint() throws Exception {
    String y = yaml().toString();
    List<String[]> cases = List.of(
        new String[] {"query", "--dataset", y, "--bogus", "SELECT 1"},
        new String[] {"query", "SELECT COUNT(*) FROM t"},
        new String[] {"query", "--dataset", y},
        new String[] {"query", "--dataset", y, "--epsilon", "abc", "SELECT 1"},
        new String[] {"query", "--dataset", y, "--epsilon", "NaN", "SELECT 1"},
        new String[] {"query", "--dataset", y, "--delta", "Infinity", "SELECT 1"},
        new String[] {"query", "--dataset", y, "--format", "xml", "SELECT 1"},
        new String[] {"explain", "--dataset", y, "--mechanism", "exponential", "SELECT 1"},
        new String[] {"query", "--dataset", dir.resolve("missing.yaml").toString(), "SELECT 1"},
        new String[] {"query", "--dataset", y, "  "},
        new String[] {"budget", "status"},
        new String[] {"budget", "spend", "--dataset", y},
        new String[] {"samples", "generate", "pums", "--rows", "10"},
        new String[] {"samples", "generate", "ratings", "--rows", "0"},
        new String[] {"samples", "generate", "ratings", "--rows", "many"});
    for (String[] args : cases) {
      Run r = run(args);
      assertEquals(2, r.code(), String.join(" ", args) + " -> " + r.err());
      assertTrue(r.err().startsWith("dpq: "), r.err());
      assertEquals("", r.out(), "nothing on standard output for a usage error");
    }
  }

  @Test
  void noCommandOffersASeedOrAWayToSkipNoise() {
    CommandLine cl = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
    List<CommandSpec> all = new ArrayList<>();
    collect(cl, all);
    assertTrue(all.size() >= 12, "all commands visited");
    for (CommandSpec spec : all) {
      boolean dataGenerator = spec.qualifiedName().equals("dpq samples generate");
      for (OptionSpec o : spec.options()) {
        for (String name : o.names()) {
          String n = name.toLowerCase(Locale.ROOT);
          assertFalse(n.contains("noise") || n.contains("exact") || n.contains("raw"),
              spec.qualifiedName() + " has option " + name);
          assertTrue(!n.contains("seed") || dataGenerator, spec.qualifiedName() + " has option " + name);
        }
      }
    }
    assertEquals(2, run("query", "--dataset", "x.yaml", "--seed", "1", "SELECT 1").code());
  }

  private static void collect(CommandLine cl, List<CommandSpec> into) {
    into.add(cl.getCommandSpec());
    cl.getSubcommands().values().forEach(c -> collect(c, into));
  }

  /**
   * A call that names a subcommand builds only that one (start-up cost); what it prints and returns must be
   * exactly what the command line with every subcommand gives, for help, success and usage errors alike.
   */
  @ParameterizedTest
  @ValueSource(strings = {"query --help", "explain --help", "budget --help", "budget status --help",
      "samples list", "query --dataset x.yaml --seed 1 SELECT", "explain --no-such-option", "budget nonsense",
      "datasets", "token --help", "serve --help", "shell --help", "samples generate ratings --rows many"})
  void aCallNamingOneSubcommandAnswersAsTheWholeCommandLine(String command) {
    String[] args = command.split(" ");
    assertEquals(args[0], Main.only(args), "builds one subcommand only");
    Run one = run(args);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    PrintWriter o = new PrintWriter(out);
    PrintWriter e = new PrintWriter(err);
    int code = Main.commandLine(o, e).execute(args);
    o.flush();
    e.flush();
    assertEquals(new Run(code, out.toString(), err.toString()), one, command);
  }

  @Test
  void helpCompletionAndUnknownWordsBuildEverySubcommand() {
    for (String[] args : List.of(new String[] {}, new String[] {"help", "query"}, new String[] {"completion"},
        new String[] {"--help"}, new String[] {"qurey"}, new String[] {"-v", "query"})) {
      assertEquals(null, Main.only(args), String.join(" ", args));
    }
    Run typo = run("qurey");
    assertEquals(2, typo.code());
    assertTrue(typo.err().contains("query"), "suggests the command:\n" + typo.err());
    assertTrue(run("help", "budget").out().contains("status"));
    assertTrue(run("completion").out().contains("explain"), "completion covers every command");
  }

  @Test
  void theSubcommandTableNamesEachCommandAsItsAnnotationDoes() {
    CommandLine all = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
    assertEquals(List.of("query", "explain", "shell", "budget", "datasets", "samples", "serve", "token", "completion",
        "help"), new ArrayList<>(all.getSubcommands().keySet()));
    all.getSubcommands().forEach((name, sub) -> assertEquals(name, sub.getCommandName()));
  }

  @Test
  void onlyLocalPlanningCommandsWarmThePlannerUp() {
    assertTrue(Main.plansLocally("query", "--dataset", "d.yaml", "SELECT 1"));
    assertTrue(Main.plansLocally("explain", "-d", "d.yaml", "SELECT 1"));
    assertTrue(Main.plansLocally("shell", "--dataset", "d.yaml"));
    assertFalse(Main.plansLocally("query", "--server", "https://h:1", "-d", "d", "SELECT 1"));
    assertFalse(Main.plansLocally("query", "--server=https://h:1", "-d", "d", "SELECT 1"));
    assertFalse(Main.plansLocally("budget", "status", "-d", "d.yaml"));
    assertFalse(Main.plansLocally());
  }

  @Test
  void generatesASampleWithItsYaml() throws Exception {
    Path out = dir.resolve("gen");
    Run r = run("samples", "generate", "transactions", "--rows", "1234", "--seed", "9", "--out", out.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("wrote 1,234 rows"), r.out());
    assertEquals(1235, Files.readAllLines(out.resolve("transactions.csv")).size());
    String yaml = Files.readString(out.resolve("transactions.yaml"));
    assertTrue(yaml.contains("source: { csv: transactions.csv }"), yaml);
    assertTrue(yaml.contains("privacy_unit: customer_id"), yaml);
  }

  @Test
  void listsTheSamples() {
    Run r = run("samples", "list");
    assertEquals(0, r.code());
    assertTrue(r.out().contains("ratings") && r.out().contains("clinic") && r.out().contains("transactions"));
  }
}
