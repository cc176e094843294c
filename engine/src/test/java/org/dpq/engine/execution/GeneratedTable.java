package org.dpq.engine.execution;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * A seeded generated data set for cross-backend tests, 20,000 rows by default: units with several rows spread
 * over several groups (so that G binds), a NULL unit, NULL keys and values, NaN and infinities, negative values,
 * a key outside its public domain, dates inside and outside their declared bounds, and header names whose case differs from the declared ones. Real values lie on
 * a quarter grid, so that sums are exact whatever order a backend adds them in. Test-only; the generator is a
 * fixed SplitMix64 sequence, not a source of noise.
 */
public final class GeneratedTable {
  /** One generated row; {@code null} for an empty cell. */
  public record Row(Integer uid, String grp, String kind, String x, Integer n, Boolean flag, String d) {
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
    for (int i = 0; i < count; i++) {
      Integer uid = random.below(100) == 0 ? null : random.below(4000);
      String grp = random.below(50) == 0 ? null : "g" + random.below(GROUPS);
      String kind = random.below(20) == 0 ? null : String.valueOf("abcd".charAt(random.below(4)));
      int draw = random.below(200);
      String x = draw < 6 ? null : draw < 8 ? "NaN" : draw == 8 ? "Infinity" : draw == 9 ? "-Infinity"
          : Double.toString((random.below(801) - 400) / 4.0);
      Integer n = random.below(33) == 0 ? null : random.below(41) - 20;
      Boolean flag = random.below(20) == 0 ? null : random.below(2) == 0;
      rows.add(new Row(uid, grp, kind, x, n, flag, date(i)));
    }
    return write(dir.resolve("gen.csv"), rows);
  }

  /**
   * This table's neighbour: the same rows plus one more unit ({@link #HEAVY_UNIT}) with {@code count} rows over
   * every group and kind, extreme, NaN, infinite and NULL values and many distinct ones, written to
   * {@code dir/gen_plus.csv}.
   */
  public GeneratedTable withHeavyUnit(Path dir, int count) {
    List<Row> plus = new ArrayList<>(rows);
    for (int i = 0; i < count; i++) {
      String grp = i % 40 == 39 ? null : "g" + (i % GROUPS);
      String kind = i % 30 == 29 ? null : String.valueOf("abcd".charAt(i % 4));
      String x = switch (i % 8) {
        case 0 -> "1000000000.0";
        case 1 -> "-1000000000.0";
        case 2 -> "NaN";
        case 3 -> i % 16 == 3 ? "Infinity" : "-Infinity";
        case 4 -> null;
        default -> Double.toString(i / 4.0);
      };
      Integer n = i % 5 == 0 ? null : i % 5 == 1 ? 1_000_000 : i % 5 == 2 ? -1_000_000 : i;
      // a third of its dates lie outside d's declared bounds, before and after them
      String d = i % 3 == 0 ? (i % 6 == 0 ? "1999-06-15" : "2031-0" + (1 + i % 9) + "-01")
          : FIRST_DAY.plusDays((i * 37L) % DAYS).toString();
      plus.add(new Row(HEAVY_UNIT, grp, kind, x, n, i % 2 == 0, d));
    }
    return write(dir.resolve("gen_plus.csv"), plus);
  }

  /**
   * This table's other neighbour: the same rows without unit {@code uid}'s, written to {@code dir/gen_minus.csv}.
   */
  public GeneratedTable withoutUnit(Path dir, int uid) {
    return write(dir.resolve("gen_minus.csv"), rows.stream().filter(r -> r.uid() == null || r.uid() != uid).toList());
  }

  /** The non-NULL unit with the most rows (the lowest among equals). */
  public int busiestUnit() {
    java.util.Map<Integer, Integer> counts = new java.util.TreeMap<>();
    rows.stream().filter(r -> r.uid() != null).forEach(r -> counts.merge(r.uid(), 1, Integer::sum));
    int max = java.util.Collections.max(counts.values());
    return counts.entrySet().stream().filter(e -> e.getValue() == max).findFirst().orElseThrow().getKey();
  }

  /** d's declared lower bound; {@link #DAYS} days up to its upper bound 2024-12-31. */
  public static final LocalDate FIRST_DAY = LocalDate.parse("2020-01-01");
  /** Days from 2020-01-01 to 2024-12-31. */
  public static final int DAYS = 1827;

  /**
   * Row i's date, a function of i alone (no draw from the seeded sequence, so the other columns stay as they
   * were): NULL for every 53rd row, a day before the declared bounds for every 211th, else a day spread over the
   * five declared years.
   */
  private static String date(int i) {
    if (i % 53 == 0) {
      return null;
    }
    if (i % 211 == 0) {
      return "2019-12-31";
    }
    return FIRST_DAY.plusDays((i * 7919L) % DAYS).toString();
  }

  /** The unit {@link #withHeavyUnit} adds (generated units are 0 to 3999). */
  public static final int HEAVY_UNIT = 5000;

  private static GeneratedTable write(Path file, List<Row> rows) {
    StringBuilder csv = new StringBuilder("UID,Grp,kind,X,n,FLAG,d\n");
    for (Row r : rows) {
      csv.append(cell(r.uid())).append(',').append(cell(r.grp())).append(',').append(cell(r.kind())).append(',')
          .append(cell(r.x())).append(',').append(cell(r.n())).append(',').append(cell(r.flag())).append(',')
          .append(cell(r.d())).append('\n');
    }
    Path dir = file.getParent();
    try {
      Files.createDirectories(dir);
      Files.writeString(file, csv);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    TestTable table = new TestTable("gen", file,
        List.of("\"UID\" integer", "\"Grp\" text", "kind text", "\"X\" double precision", "n integer",
            "\"FLAG\" boolean", "d date"),
        "uid", """
        uid:  { type: int }
        grp:  { type: string }
        Kind: { type: string, public_values: ["a", "b", "c"] }
        x:    { type: double, lower: -50, upper: 50 }
        N:    { type: int, lower: -10, upper: 10 }
        flag: { type: boolean }
        d:    { type: date, lower: "2020-01-01", upper: "2024-12-31" }
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
