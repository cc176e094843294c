package org.dpq.cli.output;

import java.io.PrintWriter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.dpq.budget.Allocation;
import org.dpq.budget.LedgerEntry;
import org.dpq.budget.LedgerStatus;
import org.dpq.budget.VerifyReport;
import org.dpq.budget.Zcdp;
import org.dpq.client.Wire;

/**
 * Prints the ledger for an audit: the balance, every entry (who asked what, when, at what cost, and the result
 * that was released), and the hash-chain check. Ledger entries hold only released (noisy) results, so nothing
 * here shows raw data.
 */
public final class BudgetRenderer {
  private static final int SQL_WIDTH = 60;

  private BudgetRenderer() {}

  /** Prints the balance. */
  public static void printStatus(LedgerStatus s, OutputFormat format, PrintWriter out) {
    printStatus(s, false, format, out);
  }

  /**
   * Prints a status; under zCDP ({@code zcdp}) the table shows rho (what the ledger stores and composes) beside
   * its (epsilon, delta) conversion at the budget's delta, rounded up. JSON and CSV give the ledger's values as
   * stored: under zCDP their epsilon fields hold rho.
   */
  public static void printStatus(LedgerStatus s, boolean zcdp, OutputFormat format, PrintWriter out) {
    Wire.Status j = Wire.Status.of(s);
    if (zcdp && (format == OutputFormat.TABLE || format == OutputFormat.MARKDOWN)) {
      java.math.BigDecimal delta = s.total().delta();
      TextTable t = new TextTable(List.of("", "rho (zCDP)", "epsilon at delta " + LossView.plain(delta)),
          new boolean[] {false, true, true});
      t.add(List.of("total", LossView.plain(s.total().epsilon()), LossView.plain(Zcdp.epsilon(s.total().epsilon(),
          delta))));
      t.add(List.of("spent", LossView.plain(s.spent().epsilon()), LossView.plain(Zcdp.epsilon(s.spent().epsilon(),
          delta))));
      t.add(List.of("remaining", LossView.plain(s.remaining().epsilon()), ""));
      out.println("dataset " + j.dataset() + " (" + j.entries() + " ledger entries), accounting zcdp: queries "
          + "compose in rho; epsilon is rho's conversion, rho + 2 sqrt(rho ln(1/delta)), rounded up");
      if (format == OutputFormat.MARKDOWN) {
        out.println();
      }
      t.lines(format == OutputFormat.MARKDOWN).forEach(out::println);
      out.flush();
      return;
    }
    switch (format) {
      case JSON, JSONL -> out.println(Wire.write(j));
      case CSV -> {
        out.println(Csv.line(List.of("dataset", "total_epsilon", "total_delta", "spent_epsilon", "spent_delta",
            "remaining_epsilon", "remaining_delta", "entries")));
        out.println(Csv.line(List.of(j.dataset(), j.total().epsilon(), j.total().delta(), j.spent().epsilon(),
            j.spent().delta(), j.remaining().epsilon(), j.remaining().delta(), String.valueOf(j.entries()))));
      }
      case TABLE, MARKDOWN -> {
        TextTable t = new TextTable(List.of("", "epsilon", "delta"), new boolean[] {false, true, true});
        t.add(List.of("total", j.total().epsilon(), j.total().delta()));
        t.add(List.of("spent", j.spent().epsilon(), j.spent().delta()));
        t.add(List.of("remaining", j.remaining().epsilon(), j.remaining().delta()));
        out.println("dataset " + j.dataset() + " (" + j.entries() + " ledger entries)");
        if (format == OutputFormat.MARKDOWN) {
          out.println();
        }
        t.lines(format == OutputFormat.MARKDOWN).forEach(out::println);
      }
    }
    out.flush();
  }

  /**
   * A raise in JSON.
   *
   * @param dataset dataset id
   * @param before the total before
   * @param after the total after
   * @param remaining what remains after
   * @param ledgerSequence the RAISE entry
   */
  public record RaiseJson(String dataset, LossView before, LossView after, LossView remaining, long ledgerSequence) {}

  /** Prints a raise: the total before and after. */
  public static void printRaise(LedgerStatus before, LedgerStatus after, OutputFormat format, PrintWriter out) {
    printRaise(before, after, false, format, out);
  }

  /** Prints a raise; under zCDP ({@code zcdp}) the table says that the totals are rho and shows their epsilon. */
  public static void printRaise(LedgerStatus before, LedgerStatus after, boolean zcdp, OutputFormat format,
      PrintWriter out) {
    RaiseJson j = new RaiseJson(after.datasetId(), LossView.of(before.total()), LossView.of(after.total()),
        LossView.of(after.remaining()), after.entries());
    switch (format) {
      case JSON, JSONL -> out.println(Wire.write(j));
      case CSV -> {
        out.println(Csv.line(List.of("dataset", "before_epsilon", "before_delta", "after_epsilon", "after_delta",
            "remaining_epsilon", "remaining_delta", "ledger_entry")));
        out.println(Csv.line(List.of(j.dataset(), j.before().epsilon(), j.before().delta(), j.after().epsilon(),
            j.after().delta(), j.remaining().epsilon(), j.remaining().delta(), String.valueOf(j.ledgerSequence()))));
      }
      case TABLE, MARKDOWN -> {
        String end = format == OutputFormat.MARKDOWN ? "  " : "";
        out.println("raised the total of dataset " + j.dataset() + " (ledger entry " + j.ledgerSequence() + ")" + end);
        out.println("total: " + j.before().text() + " -> " + j.after().text() + end);
        out.println("remaining: " + j.remaining().text() + (zcdp ? end : ""));
        if (zcdp) {
          out.println("accounting zcdp: the epsilons above are rho; as epsilon at delta "
              + LossView.plain(after.total().delta()) + ": " + LossView.plain(Zcdp.epsilon(before.total().epsilon(),
              before.total().delta())) + " -> " + LossView.plain(Zcdp.epsilon(after.total().epsilon(),
              after.total().delta())));
        }
      }
    }
    out.flush();
  }

  /** Prints an analyst's allocation as an officer just set it. */
  public static void printAllocation(String dataset, Allocation a, OutputFormat format, PrintWriter out) {
    Wire.Share j = Wire.Share.of(a);
    switch (format) {
      case JSON, JSONL -> out.println(Wire.write(j));
      case CSV -> {
        out.println(Csv.line(List.of("dataset", "analyst", "allocated_epsilon", "allocated_delta", "spent_epsilon",
            "spent_delta", "remaining_epsilon", "remaining_delta")));
        out.println(Csv.line(List.of(dataset, j.analyst(), j.allocated().epsilon(), j.allocated().delta(),
            j.spent().epsilon(), j.spent().delta(), j.remaining().epsilon(), j.remaining().delta())));
      }
      case TABLE, MARKDOWN -> {
        String end = format == OutputFormat.MARKDOWN ? "  " : "";
        out.println("allocation of analyst " + j.analyst() + " on dataset " + dataset + end);
        out.println("allocated: " + LossView.of(a.allocated()).text() + end);
        out.println("spent: " + LossView.of(a.spent()).text() + end);
        out.println("remaining: " + LossView.of(a.remaining()).text());
      }
    }
    out.flush();
  }

  /** Prints the history. */
  public static void printHistory(List<LedgerEntry> entries, OutputFormat format, PrintWriter out) {
    switch (format) {
      case JSON -> out.println(Wire.write(entries.stream().map(Wire.Entry::of).toList()));
      case JSONL -> entries.forEach(e -> out.println(Wire.write(Wire.Entry.of(e))));
      case CSV -> {
        out.println(Csv.line(List.of("sequence", "kind", "time", "analyst", "cost_epsilon", "cost_delta",
            "refers_to", "spent_epsilon", "spent_delta", "sql")));
        for (LedgerEntry e : entries) {
          out.println(Csv.line(List.of(String.valueOf(e.sequence()), e.kind(), String.valueOf(e.time()),
              nz(e.analyst()), e.cost() == null ? "" : LossView.plain(e.cost().epsilon()),
              e.cost() == null ? "" : LossView.plain(e.cost().delta()),
              e.refersTo() == null ? "" : String.valueOf(e.refersTo()), LossView.plain(e.spentAfter().epsilon()),
              LossView.plain(e.spentAfter().delta()), nz(e.sql()))));
        }
      }
      case TABLE -> historyTable(entries, false).forEach(out::println);
      case MARKDOWN -> historyTable(entries, true).forEach(out::println);
    }
    out.flush();
  }

  /** Prints the verification. */
  public static void printVerify(VerifyReport r, OutputFormat format, PrintWriter out) {
    Long bad = r.firstBadSequence().isPresent() ? r.firstBadSequence().getAsLong() : null;
    switch (format) {
      case JSON, JSONL -> out.println(Wire.write(Wire.Verified.of(r)));
      case CSV -> {
        out.println(Csv.line(List.of("dataset", "ok", "entries_checked", "first_bad_sequence", "problem")));
        out.println(Csv.line(List.of(r.datasetId(), String.valueOf(r.ok()), String.valueOf(r.entriesChecked()),
            bad == null ? "" : String.valueOf(bad), nz(r.problem()))));
      }
      case TABLE, MARKDOWN -> {
        if (r.ok()) {
          out.println("ledger OK: dataset " + r.datasetId() + ", " + r.entriesChecked()
              + " entries checked, hash chain and balances intact");
        } else {
          out.println("ledger DAMAGED: dataset " + r.datasetId() + ", first bad entry "
              + (bad == null ? "unknown" : "#" + bad) + " (" + r.entriesChecked() + " entries read): "
              + nz(r.problem()));
        }
      }
    }
    out.flush();
  }

  private static List<String> historyTable(List<LedgerEntry> entries, boolean markdown) {
    boolean zcdp = !entries.isEmpty() && "INIT".equals(entries.get(0).kind())
        && "accounting: zcdp".equals(entries.get(0).note());
    TextTable t = new TextTable(List.of("#", "kind", "time (UTC)", "analyst", zcdp ? "cost rho" : "cost epsilon",
        zcdp ? "cost delta (0: rho)" : "cost delta", "ref",
        "query / note / result"), new boolean[] {true, false, false, false, true, true, true, false});
    for (LedgerEntry e : entries) {
      String what = e.sql() != null ? oneLine(e.sql()) : e.note() != null ? oneLine(e.note())
          : e.resultJson() != null ? ResultSummary.of(e.resultJson(), SQL_WIDTH) : "";
      t.add(List.of(String.valueOf(e.sequence()), e.kind(),
          e.time() == null ? "" : e.time().truncatedTo(ChronoUnit.SECONDS).toString(), nz(e.analyst()),
          e.cost() == null ? "" : LossView.plain(e.cost().epsilon()),
          e.cost() == null ? "" : LossView.plain(e.cost().delta()),
          e.refersTo() == null ? "" : String.valueOf(e.refersTo()), what));
    }
    List<String> lines = new ArrayList<>(t.lines(markdown));
    if (!entries.isEmpty()) {
      if (markdown) {
        lines.add("");
      }
      LedgerEntry last = entries.get(entries.size() - 1);
      if (zcdp) {
        java.math.BigDecimal delta = last.totalAfter().delta();
        lines.add("accounting zcdp: spent rho " + LossView.plain(last.spentAfter().epsilon()) + " (epsilon "
            + LossView.plain(Zcdp.epsilon(last.spentAfter().epsilon(), delta)) + " at delta " + LossView.plain(delta)
            + ") of rho " + LossView.plain(last.totalAfter().epsilon()) + " (epsilon "
            + LossView.plain(Zcdp.epsilon(last.totalAfter().epsilon(), delta)) + ")");
      } else {
        lines.add("spent " + LossView.of(last.spentAfter()).text() + " of " + LossView.of(last.totalAfter()).text());
      }
    }
    return lines;
  }

  private static String oneLine(String s) {
    String flat = s.replaceAll("\\s+", " ").strip();
    return flat.length() <= SQL_WIDTH ? flat : flat.substring(0, SQL_WIDTH - 3) + "...";
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }
}
