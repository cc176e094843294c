package org.dpq.cli;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A small dataset in a temporary folder (300 people, one row each, groups a/b/c, amounts in [0, 100]) and the
 * in-process CLI to run on it.
 */
public final class TestDataset {
  public record Run(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  public final Path dir;
  public final Path yaml;
  public final Path ledger;

  public TestDataset(Path dir) throws Exception {
    this(dir, "10.0");
  }

  public TestDataset(Path dir, String budgetEpsilon) throws Exception {
    this.dir = dir;
    StringBuilder csv = new StringBuilder("pid,grp,amount\n");
    for (int i = 0; i < 300; i++) {
      csv.append(i).append(',').append("abc".charAt(i % 3)).append(',').append(20 + i % 50).append('\n');
    }
    Files.writeString(dir.resolve("t.csv"), csv);
    yaml = dir.resolve("t.yaml");
    write(budgetEpsilon);
    ledger = dir.resolve("t.ledger.db");
  }

  /** Rewrites the YAML with another budget. */
  public void write(String budgetEpsilon) throws Exception {
    Files.writeString(yaml, String.join("\n",
        "name: t",
        "table: t",
        "source: { csv: t.csv }",
        "privacy_unit: pid",
        "max_groups_contributed: 1",
        "max_rows_per_group: 1",
        "budget: { epsilon: " + budgetEpsilon + ", delta: 1.0e-5 }",
        "defaults: { epsilon: 1.0, delta: 0 }",
        "columns:",
        "  pid: { type: int }",
        "  grp: { type: string, public_values: [\"a\", \"b\", \"c\"] }",
        "  amount: { type: int, lower: 0, upper: 100 }",
        ""));
  }

  public Run run(String... args) {
    return runWithInput(null, args);
  }

  /** Runs dpq with {@code stdin} piped in (null: standard input is a terminal with nothing typed). */
  public Run runWithInput(String stdin, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    InputStream in = stdin == null ? InputStream.nullInputStream()
        : new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
    int code = Main.execute(in, stdin == null, new PrintWriter(out), new PrintWriter(err), args);
    return new Run(code, out.toString(), err.toString());
  }
}
