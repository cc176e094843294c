package org.dpq.engine.execution;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A seeded generated data set for cross-backend tests, 20,000 rows by default: units with several rows spread
 * over several groups (so that G binds), a NULL unit, NULL keys and values, NaN and infinities, negative values,
 * a key outside its public domain, and header names whose case differs from the declared ones. Real values lie on
 * a quarter grid, so that sums are exact whatever order a backend adds them in. Test-only; the generator is a
 * fixed SplitMix64 sequence, not a source of noise.
 */
public final class GeneratedTable {
  /** One generated row; {@code null} for an empty cell. */
  public record Row(Integer uid, String grp, String kind, String x, Integer n, Boolean flag) {
    /** x as a double (NaN, infinities included), or null. */
    public Double xValue() {
      return x == null ? null : Double.valueOf(x);
    }
  }

  /** Group values g0..g24 (plus NULL). */
  public static final int GROUPS = 25;

  private final List<Row> rows;
  private final TestTable table;

  private GeneratedTable(List<Row> rows, TestTable table) {
    this.rows = rows;
    this.table = table;
  }

  /** Generates {@code count} rows from {@code seed} and writes them to {@code dir/gen.csv}. */
  public static GeneratedTable write(Path dir, long seed, int count) {
    SplitMix random = new SplitMix(seed);
    List<Row> rows = new ArrayList<>(count);
    StringBuilder csv = new StringBuilder("UID,Grp,kind,X,n,FLAG\n");
    for (int i = 0; i < count; i++) {
      Integer uid = random.below(100) == 0 ? null : random.below(4000);
      String grp = random.below(50) == 0 ? null : "g" + random.below(GROUPS);
      String kind = random.below(20) == 0 ? null : String.valueOf("abcd".charAt(random.below(4)));
      int draw = random.below(200);
      String x = draw < 6 ? null : draw < 8 ? "NaN" : draw == 8 ? "Infinity" : draw == 9 ? "-Infinity"
          : Double.toString((random.below(801) - 400) / 4.0);
      Integer n = random.below(33) == 0 ? null : random.below(41) - 20;
      Boolean flag = random.below(20) == 0 ? null : random.below(2) == 0;
      Row row = new Row(uid, grp, kind, x, n, flag);
      rows.add(row);
      csv.append(cell(uid)).append(',').append(cell(grp)).append(',').append(cell(kind)).append(',')
          .append(cell(x)).append(',').append(cell(n)).append(',').append(cell(flag)).append('\n');
    }
    Path file = dir.resolve("gen.csv");
    try {
      Files.createDirectories(dir);
      Files.writeString(file, csv);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    TestTable table = new TestTable("gen", file,
        List.of("\"UID\" integer", "\"Grp\" text", "kind text", "\"X\" double precision", "n integer",
            "\"FLAG\" boolean"),
        "uid", """
        uid:  { type: int }
        grp:  { type: string }
        Kind: { type: string, public_values: ["a", "b", "c"] }
        x:    { type: double, lower: -50, upper: 50 }
        N:    { type: int, lower: -10, upper: 10 }
        flag: { type: boolean }
        """);
    return new GeneratedTable(List.copyOf(rows), table);
  }

  private static String cell(Object v) {
    return v == null ? "" : v.toString();
  }

  /** The rows, in file order. */
  public List<Row> rows() {
    return rows;
  }

  /** The file and its declarations. */
  public TestTable table() {
    return table;
  }

  /** SplitMix64 (Steele, Lea and Flood 2014): a fixed, seeded sequence for test data only. */
  public static final class SplitMix {
    private long state;

    public SplitMix(long seed) {
      this.state = seed;
    }

    public long next() {
      long z = (state += 0x9E3779B97F4A7C15L);
      z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
      z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
      return z ^ (z >>> 31);
    }

    public int below(int bound) {
      return (int) Long.remainderUnsigned(next(), bound);
    }
  }
}
