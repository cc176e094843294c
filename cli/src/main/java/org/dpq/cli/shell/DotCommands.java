package org.dpq.cli.shell;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import org.dpq.cli.output.BudgetRenderer;
import org.dpq.cli.output.OutputFormat;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.impl.completer.SystemCompleter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.shell.jline3.PicocliCommands;

/**
 * The shell's dot commands ({@code .explain}, {@code .budget}, {@code .format}, {@code .timer}, {@code .help},
 * {@code .quit}) as picocli commands, so that picocli parses them and picocli-shell-jline3 completes their names
 * and values. {@code .explain} takes the rest of the line as one SQL text (never split into words).
 */
final class DotCommands {
  private final Shell shell;
  private final CommandLine commands;

  DotCommands(Shell shell) {
    this.shell = shell;
    this.commands = new CommandLine(new Root());
    commands.addSubcommand(".explain", new Explain());
    commands.addSubcommand(".budget", new Budget());
    commands.addSubcommand(".format", new Format());
    commands.addSubcommand(".timer", new Timer());
    commands.addSubcommand(".help", new Help());
    commands.addSubcommand(".quit", new Quit());
    commands.addSubcommand(".exit", new Quit());
    commands.setCaseInsensitiveEnumValuesAllowed(true);
    commands.setExpandAtFiles(false);
    commands.setOut(shell.out());
    commands.setErr(shell.out());
    commands.setExecutionExceptionHandler((ex, cl, parsed) -> {
      shell.out().println("dpq: " + org.dpq.cli.Failures.classify(ex).message());
      return 1;
    });
    commands.setParameterExceptionHandler((ex, args) -> {
      shell.out().println("dpq: " + ex.getMessage() + " (.help lists the commands)");
      return 2;
    });
  }

  /**
   * Completes dot-command names and options (picocli-shell-jline3), and their positional values from the
   * commands' completion candidates (which picocli-shell-jline3 leaves out).
   */
  Completer completer() {
    SystemCompleter names = new PicocliCommands(commands).compileCompleters();
    names.compile();
    return (reader, line, candidates) -> {
      names.complete(reader, line, candidates);
      CommandLine sub = line.wordIndex() > 0 ? commands.getSubcommands().get(line.words().get(0)) : null;
      if (sub == null) {
        return;
      }
      for (var positional : sub.getCommandSpec().positionalParameters()) {
        Iterable<String> values = positional.completionCandidates();
        if (values != null) {
          values.forEach(v -> candidates.add(new Candidate(v, v, null, null, null, null, true)));
        }
      }
    };
  }

  /** Runs one dot-command line. */
  void execute(String line) {
    String name = line.split("\\s+", 2)[0].toLowerCase(java.util.Locale.ROOT);
    String rest = line.length() > name.length() ? line.substring(name.length()).strip() : "";
    List<String> args = new ArrayList<>();
    args.add(name);
    if (name.equals(".explain")) {
      args.add(rest);
    } else if (!rest.isEmpty()) {
      args.addAll(List.of(rest.split("\\s+")));
    }
    if (!commands.getSubcommands().containsKey(name)) {
      shell.out().println("dpq: unknown command " + name + " (.help lists the commands)");
      shell.out().flush();
      return;
    }
    commands.execute(args.toArray(String[]::new));
    shell.out().flush();
  }

  @Command(name = "")
  static final class Root implements Runnable {
    @Override
    public void run() {}
  }

  @Command(name = ".explain", description = "What a query would cost and how precise it would be (no charge).")
  final class Explain implements Runnable {
    @Parameters(arity = "0..1", paramLabel = "SQL") String sql = "";

    @Override
    public void run() {
      String text = sql.strip();
      shell.explain(text.endsWith(";") ? text.substring(0, text.length() - 1) : text);
    }
  }

  @Command(name = ".budget", description = "The dataset's total, spent and remaining budget.")
  final class Budget implements Runnable {
    @Override
    public void run() {
      BudgetRenderer.printStatus(shell.dpq().budgetStatus(), OutputFormat.TABLE, shell.out());
    }
  }

  @Command(name = ".format", description = "Show or set the output format: table, csv, json, markdown or jsonl.")
  final class Format implements Runnable {
    @Parameters(arity = "0..1", paramLabel = "FORMAT", completionCandidates = FormatNames.class)
    OutputFormat format;

    @Override
    public void run() {
      if (format != null) {
        shell.format(format);
      }
      shell.out().println("format: " + shell.format().name().toLowerCase(java.util.Locale.ROOT));
    }
  }

  @Command(name = ".timer", description = "Show (on) or hide (off) where each query's time went.")
  final class Timer implements Runnable {
    @Parameters(arity = "0..1", paramLabel = "on|off", completionCandidates = OnOff.class) String value;

    @Override
    public void run() {
      if (value != null) {
        if (!value.equalsIgnoreCase("on") && !value.equalsIgnoreCase("off")) {
          throw new CommandLine.ParameterException(commands, "'.timer' takes on or off");
        }
        shell.timer(value.equalsIgnoreCase("on"));
      }
      shell.out().println("timer: " + (shell.timer() ? "on" : "off"));
    }
  }

  @Command(name = ".help", description = "This list.")
  final class Help implements Runnable {
    @Override
    public void run() {
      PrintWriter out = shell.out();
      out.println("SQL ending with ';' runs a query (charged to the budget; Ctrl-C stops waiting, the charge stands).");
      for (var e : commands.getSubcommands().entrySet()) {
        String[] description = e.getValue().getCommandSpec().usageMessage().description();
        out.printf("  %-9s %s%n", e.getKey(), description.length == 0 ? "" : description[0]);
      }
    }
  }

  @Command(name = ".quit", description = "Leave the shell (Ctrl-D too).")
  final class Quit implements Runnable {
    @Override
    public void run() {
      shell.quit();
    }
  }

  static final class FormatNames implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
      return List.of("table", "csv", "json", "markdown", "jsonl").iterator();
    }
  }

  static final class OnOff implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
      return List.of("on", "off").iterator();
    }
  }
}
