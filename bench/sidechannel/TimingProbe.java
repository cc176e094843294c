import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.dpq.engine.Dpq;
import org.dpq.engine.QueryOptions;

/**
 * The timing probe of issue 12, measured in one warm JVM through the Java API of whichever dpq jar is on the class
 * path (run it with main as it was, and with main now): a WHERE of the form
 * {@code CASE WHEN pid = 7 AND income > X THEN <string-growing expression> ... ELSE TRUE END}, with X below the
 * target's income (the row matches) or above it (it does not). Prints the median latency of each, in
 * milliseconds, and how each run ended (answered, or the exception class: a rejection is the fix).
 *
 * <p>Usage: {@code java -cp <dpq-cli-all.jar> bench/sidechannel/TimingProbe.java <dir> <runs>}. The growth is kept
 * to about 40 MB per matching row (four nested REPLACE of 'n' by 80 n's on a 2-character name) so that the machine
 * is not exhausted. Each run uses a fresh epsilon so that no stored answer is reused.
 */
public class TimingProbe {
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int runs = Integer.parseInt(args[1]);
    Files.createDirectories(dir);
    StringBuilder csv = new StringBuilder("pid,name,income\n");
    for (int pid = 1; pid <= 20_000; pid++) {
      csv.append(pid).append(",n").append(pid % 10).append(',').append(pid == 7 ? 60_000 : (pid * 37) % 100_000)
          .append('\n');
    }
    Files.writeString(dir.resolve("people.csv"), csv);
    Files.deleteIfExists(dir.resolve("probe.ledger.db"));
    Path yaml = Files.writeString(dir.resolve("probe.yaml"), """
        name: probe
        table: people
        source: { csv: people.csv }
        privacy_unit: pid
        max_groups_contributed: 1
        max_rows_per_group: 1
        budget: { epsilon: 1000, delta: 1.0e-3 }
        defaults: { epsilon: 0.001, delta: 0 }
        columns:
          pid: { type: int }
          name: { type: string }
          income: { type: double, lower: 0, upper: 100000 }
        """);
    String n80 = "'" + "n".repeat(80) + "'";
    String grow = "name";
    for (int i = 0; i < 4; i++) {
      grow = "REPLACE(" + grow + ", 'n', " + n80 + ")";
    }
    try (Dpq dpq = Dpq.open(yaml)) {
      dpq.query("SELECT COUNT(*) AS n FROM people", QueryOptions.defaults()); // warm-up: load, plan, first query
      for (String variant : List.of("match (income > 50000)", "no match (income > 70000)")) {
        long x = variant.startsWith("match") ? 50_000 : 70_000;
        String sql = "SELECT COUNT(*) AS n FROM people WHERE CASE WHEN pid = 7 AND income > " + x
            + " THEN CHAR_LENGTH(" + grow + ") > 0 ELSE TRUE END";
        List<Double> millis = new ArrayList<>();
        String outcome = "";
        for (int r = 0; r < runs; r++) {
          String epsilon = "0.0001" + (variant.startsWith("match") ? "1" : "2") + String.format("%03d", r);
          long t0 = System.nanoTime();
          try {
            dpq.query(sql, QueryOptions.defaults().withEpsilon(epsilon));
            outcome = "answered";
          } catch (RuntimeException e) {
            outcome = e.getClass().getSimpleName();
          }
          millis.add((System.nanoTime() - t0) / 1e6);
        }
        Collections.sort(millis);
        System.out.printf("%-28s median %9.2f ms  (min %9.2f, max %9.2f, %d runs)  %s%n", variant,
            millis.get(millis.size() / 2), millis.get(0), millis.get(millis.size() - 1), runs, outcome);
      }
    }
  }
}
