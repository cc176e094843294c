package org.dpq.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * The fixed cost of a CLI call: wall time of {@code dpq explain} and {@code dpq query} as separate processes on a
 * seeded CSV, the first call (no stamp, no typed copy) and the later ones, each with the {@code --verbose} phase
 * line, next to DuckDB's plain query over the same CSV (in this JVM, after a warm-up, native library loaded).
 * Every query uses a new epsilon, so none is answered from the ledger's stored answers.
 *
 * <p>Usage: {@code CliCalls --rows N --dir DIR [--dpq ./dpq] [--before OTHER/dpq] [--reps R]}; the CSV is generated once in DIR
 * (seeded), the ledger and the cache folder are deleted at the start.
 */
public final class CliCalls {
  private static final String GROUPED = "SELECT grp, COUNT(*) AS n, SUM(amount) AS total FROM people GROUP BY grp";
  private static final String PLAIN = "SELECT grp, COUNT(*) AS n, SUM(amount) AS total FROM read_csv(%s, header = "
      + "true, columns = {'pid': 'BIGINT', 'grp': 'BIGINT', 'amount': 'DOUBLE'}) GROUP BY grp";

  private static final String TIME = "/usr/bin/time";

  private CliCalls() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opt = QueryBench.options(args);
    long rows = Long.parseLong(opt.getOrDefault("rows", "10000000"));
    int reps = Integer.parseInt(opt.getOrDefault("reps", "3"));
    Path dir = Path.of(opt.getOrDefault("dir", "/tmp/dpq-cli"));
    String dpq = opt.getOrDefault("dpq", "./dpq");
    // Another launcher (e.g. a copy of an earlier build's dpq and cli/target) whose later calls run interleaved
    // with this one's, on the same files, ledger and typed copy: before and after side by side in one run.
    String before = opt.get("before");
    Files.createDirectories(dir);
    Path csv = dir.resolve("people.csv");
    if (!Files.exists(csv)) {
      long t = System.nanoTime();
      generate(csv, rows);
      System.out.printf(Locale.ROOT, "generated %,d rows (%d MB) in %.1f s%n", rows, Files.size(csv) >> 20,
          (System.nanoTime() - t) / 1e9);
    }
    Path yaml = dir.resolve("people.yaml");
    StringBuilder domain = new StringBuilder();
    for (int g = 0; g < 50; g++) {
      domain.append(g == 0 ? "" : ", ").append('"').append(g).append('"');
    }
    Files.writeString(yaml, "name: people\ntable: people\nsource: { csv: people.csv }\nprivacy_unit: pid\n"
        + "max_groups_contributed: 2\nmax_rows_per_group: 5\nbudget: { epsilon: 100000.0, delta: 1.0e-3 }\n"
        + "defaults: { epsilon: 1.0, delta: 0 }\ncolumns:\n  pid: { type: long }\n"
        + "  grp: { type: int, public_values: [" + domain + "] }\n  amount: { type: double, lower: 0, upper: 100 }\n");
    deleteTree(dir.resolve("dpq-cache"));
    Files.deleteIfExists(dir.resolve("people.ledger.db"));
    System.out.println("| call | wall s | cpu s | dpq --verbose phases |");
    System.out.println("|---|---:|---:|---|");
    call(dpq, "explain (first: full hash, no stamp)", List.of("explain", "--dataset", yaml.toString(), "--verbose", GROUPED));
    int eps = 1;
    call(dpq, "query (first: load CSV, write typed copy)", query(yaml, eps++));
    // The same first-call work without writing the copy: the difference is what writing the copy costs.
    call(dpq, "query (cache off: load CSV, no copy)", query(yaml, eps++), "off");
    for (int i = 0; i < reps; i++) {
      if (before != null) {
        call(before, "before: explain (later)", List.of("explain", "--dataset", yaml.toString(), "--verbose", GROUPED));
      }
      call(dpq, "explain (later)", List.of("explain", "--dataset", yaml.toString(), "--verbose", GROUPED));
      if (before != null) {
        call(before, "before: query (later)", query(yaml, eps++));
      }
      call(dpq, "query (later)", query(yaml, eps++));
    }
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      String sql = String.format(Locale.ROOT, PLAIN, "'" + csv + "'");
      for (int i = 0; i <= reps; i++) {
        long t = System.nanoTime();
        try (ResultSet r = s.executeQuery(sql)) {
          while (r.next()) {
            // drain
          }
        }
        System.out.printf(Locale.ROOT, "| DuckDB plain GROUP BY on the CSV (in-process%s) | %.2f | | |%n",
            i == 0 ? ", first" : "", (System.nanoTime() - t) / 1e9);
      }
    }
  }

  /**
   * A query with its own epsilon: "0." + n + "1", so that no two calls share one (with "0." + n, the tenth call's
   * 0.10 was the first's 0.1 and was answered from the ledger at no cost, without a backend phase).
   */
  private static List<String> query(Path yaml, int epsilon) {
    return List.of("query", "--dataset", yaml.toString(), "--verbose", "--epsilon", "0." + epsilon + "1", GROUPED);
  }

  private static void call(String dpq, String label, List<String> args) throws Exception {
    call(dpq, label, args, null);
  }

  private static void call(String dpq, String label, List<String> args, String cacheDir) throws Exception {
    List<String> cmd = new ArrayList<>();
    // The call's CPU time (user + system, all its threads), which the machine's load changes less than wall.
    boolean timed = Files.isExecutable(Path.of(TIME));
    if (timed) {
      cmd.addAll(List.of(TIME, "-f", "dpq-cpu %U %S"));
    }
    cmd.add(dpq);
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    if (cacheDir != null) {
      pb.environment().put("DPQ_CACHE_DIR", cacheDir);
    }
    long t = System.nanoTime();
    Process p = pb.start();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    int rc = p.waitFor();
    double s = (System.nanoTime() - t) / 1e9;
    double cpu = err.lines().filter(l -> l.startsWith("dpq-cpu ")).findFirst()
        .map(l -> Double.parseDouble(l.split(" ")[1]) + Double.parseDouble(l.split(" ")[2])).orElse(Double.NaN);
    String phases = err.lines().filter(l -> l.startsWith("dpq: time:")).findFirst().orElse("exit " + rc + ": " + err.strip())
        .replace("dpq: time: ", "");
    System.out.printf(Locale.ROOT, "| %s | %.2f | %.2f | %s |%n", label, s, cpu, phases);
  }

  /** pid: about 5 rows per person; grp: 50 values; amount: [0, 100) with two decimals. Seeded. */
  static void generate(Path csv, long rows) throws IOException {
    SplittableRandom random = new SplittableRandom(19);
    Path tmp = csv.resolveSibling(csv.getFileName() + ".tmp");
    try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      w.write("pid,grp,amount\n");
      long people = Math.max(1, rows / 5);
      StringBuilder b = new StringBuilder(64);
      for (long i = 0; i < rows; i++) {
        b.setLength(0);
        b.append(random.nextLong(people)).append(',').append(random.nextInt(50)).append(',')
            .append(random.nextInt(10_000) / 100.0).append('\n');
        w.append(b);
      }
    }
    Files.move(tmp, csv);
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path f : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
  }
}
