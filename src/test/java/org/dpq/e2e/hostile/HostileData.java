package org.dpq.e2e.hostile;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.dpq.cli.samples.DataGenPrng;

/**
 * Seeded datasets for the hostile suites, written to a temporary directory: ordinary rows plus planted rows whose
 * values must never appear in any output (distinctive names, keys and numbers), and rows holding the hostile
 * values (NaN, infinities, -0.0, 1e308, Long.MIN/MAX, NULL units, keys and measures). Each planted row has its
 * own {@code tag} and its own privacy unit, so a query can isolate it with {@code WHERE tag = '...'}.
 */
public final class HostileData {
  /** Names planted in the {@code name} column, each held by one unit. */
  public static final List<String> PLANTED_NAMES = List.of("Zyxwvut-Qopmarn", "Plombix-Varquent",
      "Quorvane-Tessilk");
  /** A group key held by one unit (partition selection must never release it). */
  public static final String PLANTED_GROUP = "Wexqorbat-Ulmish";
  /** A city outside the public domain (it must never be released). */
  public static final String PLANTED_CITY = "Kryzbane-Oltmoor";
  /** The public domain of {@code city}. */
  public static final List<String> CITIES = List.of("north", "south", "east", "west");
  /** A distinctive income, far above the declared upper bound 1000. */
  public static final String PLANTED_INCOME = "987654.321";
  /** A distinctive age, far above the declared upper bound 100. */
  public static final String PLANTED_AGE = "7654321";

  /**
   * Fragments of planted values that must not appear in stdout or stderr unless the case's own input holds them.
   * Numbers are listed in the renderings Java, DuckDB and JSON would use.
   */
  public static final List<String> SECRET_TOKENS = List.of("Zyxwvut", "Qopmarn", "Plombix", "Varquent",
      "Quorvane", "Tessilk", "Wexqorbat", "Ulmish", "Kryzbane", "Oltmoor", "987654", "9.87654321", "7654321",
      "7.654321", "9223372036854775807", "9223372036854775808", "9.223372036854776E18", "9.223372036854775807E18",
      "E308", "e308", "e+308", "1.7976931348623157");

  /** Contribution bounds of the people dataset. */
  public static final int G = 2;
  public static final int R = 3;

  private HostileData() {}

  /** Column declarations of the people table (also used by the fuzzer). */
  public static final String PEOPLE_COLUMNS = """
        pid:    { type: int }
        name:   { type: string }
        grp:    { type: string }
        city:   { type: string, public_values: ["north", "south", "east", "west"] }
        age:    { type: int, lower: 0, upper: 100 }
        income: { type: double, lower: 0, upper: 1000 }
        big:    { type: long, lower: -10, upper: 10 }
        wide:   { type: double, lower: -1.0e307, upper: 1.0e307 }
        score:  { type: double }
        code:   { type: string }
        tag:    { type: string }
      """;

  private static final String HEADER = "pid,name,grp,city,age,income,big,wide,score,code,tag";

  /**
   * The people table: {@code units} ordinary units with 1-3 rows each (every one within G groups of grp and of
   * city and R rows per group, so bounding drops nothing of theirs), then the planted rows. Returns the CSV.
   */
  public static Path people(Path dir, int units, long seed) {
    DataGenPrng prng = new DataGenPrng(seed);
    List<String> rows = new ArrayList<>();
    for (int pid = 1; pid <= units; pid++) {
      int rowsOf = prng.nextInt(1, 3);
      String grp = "g" + prng.nextInt(1, 6);
      String city = CITIES.get(prng.nextInt(CITIES.size()));
      String name = "n" + (pid % 30);
      for (int r = 0; r < rowsOf; r++) {
        int age = prng.nextInt(18, 90);
        String income = String.valueOf(prng.nextInt(0, 99_999) / 100.0);
        int big = prng.nextInt(-10, 10);
        String code = String.valueOf(prng.nextInt(0, 99));
        rows.add(row(String.valueOf(pid), name, grp, city, String.valueOf(age), income, String.valueOf(big), "1.5",
            String.valueOf(prng.nextInt(0, 50)), code, "bulk"));
      }
    }
    int pid = 9001;
    // The secret persons: distinctive names, a private group key, an out-of-domain city, out-of-bound numbers.
    rows.add(row(String.valueOf(pid++), PLANTED_NAMES.get(0), PLANTED_GROUP, PLANTED_CITY, PLANTED_AGE,
        PLANTED_INCOME, "9223372036854775807", "1.0e307", PLANTED_INCOME, PLANTED_NAMES.get(0), "secret"));
    rows.add(row(String.valueOf(pid++), PLANTED_NAMES.get(1), PLANTED_GROUP, "north", "42", PLANTED_INCOME, "3",
        "1.5", "1", PLANTED_NAMES.get(1), "secret"));
    rows.add(row(String.valueOf(pid++), PLANTED_NAMES.get(2), "g1", "south", "43", "10", "-9223372036854775808",
        "1.5", "1", "x" + PLANTED_NAMES.get(2), "secret"));
    // One hostile value per tag, each row its own unit.
    rows.add(row(String.valueOf(pid++), "v", "g1", "north", "30", "NaN", "1", "NaN", "NaN", "1", "nan"));
    rows.add(row(String.valueOf(pid++), "v", "g1", "north", "30", "Infinity", "1", "Infinity", "Infinity", "1",
        "inf"));
    rows.add(row(String.valueOf(pid++), "v", "g1", "north", "30", "-Infinity", "1", "-Infinity", "-Infinity", "1",
        "inf"));
    rows.add(row(String.valueOf(pid++), "v", "g1", "north", "30", "-0.0", "0", "-0.0", "-0.0", "1", "negzero"));
    rows.add(row(String.valueOf(pid++), "v", "g1", "north", "30", "1e308", "1", "1e308", "1e308", "1", "huge"));
    rows.add(row(String.valueOf(pid++), "v", "g1", "north", "30", "5", "9223372036854775807", "1", "1", "1", "lmax"));
    rows.add(row(String.valueOf(pid++), "v", "g1", "north", "30", "5", "-9223372036854775808", "1", "1", "1",
        "lmin"));
    rows.add(row(String.valueOf(pid++), "v", "g1", "north", "", "", "", "", "", "", "nullmeasure"));
    rows.add(row(String.valueOf(pid++), "v", "", "", "30", "7", "1", "1", "1", "1", "nullkey"));
    // NULL units: eight rows without a pid in three cities (4 east, 2 west, 2 south).
    for (int i = 0; i < 8; i++) {
      String city = i < 4 ? "east" : i < 6 ? "west" : "south";
      rows.add(row("", "v", "g2", city, "30", "100", "2", "1", "1", "1", "nullunit"));
    }
    // Many rows of one person near the wide column's bound: their sum would overflow a double without clamping.
    for (int i = 0; i < 40; i++) {
      rows.add(row(String.valueOf(pid + i % 20), "v", "g3", "east", "30", "1", "1", "1.0e307", "1.0e307", "1",
          "wide"));
    }
    return write(dir.resolve("people.csv"), HEADER, rows);
  }

  /** The people table without any rows (header only). */
  public static Path emptyPeople(Path dir) {
    return write(dir.resolve("empty.csv"), HEADER, List.of());
  }

  /**
   * A people CSV that DuckDB cannot read: a row with one cell too many and a row with an unterminated quote, both
   * holding planted values (a reader's error message would quote them).
   */
  public static Path malformed(Path dir) {
    List<String> rows = new ArrayList<>();
    for (int i = 1; i <= 20; i++) {
      rows.add(row(String.valueOf(i), "n", "g1", "north", "40", "100", "1", "1", "1", "1", "bulk"));
    }
    rows.add(row("21", PLANTED_NAMES.get(0), "g1", "north", "40", PLANTED_INCOME, "1", "1", "1", "1", "bulk",
        PLANTED_GROUP));
    rows.add(row("22", "\"" + PLANTED_NAMES.get(1), "g1", "north", "40", PLANTED_INCOME, "1", "1", "1", "1", "x"));
    return write(dir.resolve("malformed.csv"), HEADER, rows);
  }

  /**
   * One person with {@code whaleRows} rows spread over {@code whaleGroups} groups of grp ("w0", "w1", ...) and
   * every city, beside {@code others} ordinary units with one row each in group "g1", city "north".
   */
  public static Path whale(Path dir, int whaleRows, int whaleGroups, int others) {
    Path file = dir.resolve("whale.csv");
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      w.write(HEADER);
      w.newLine();
      for (int i = 0; i < others; i++) {
        w.write(row(String.valueOf(i + 1), "n", "g1", "north", "40", "100", "1", "1", "1", "1", "bulk"));
        w.newLine();
      }
      for (int i = 0; i < whaleRows; i++) {
        w.write(row("777777", "w", "w" + (i % whaleGroups), CITIES.get(i % CITIES.size()), "40", PLANTED_INCOME,
            "1", "1", "1", "1", "whale"));
        w.newLine();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  /**
   * Keys that differ only in Unicode normalization or trailing spaces: "café" composed (NFC) held by
   * {@code others} units, "café" decomposed (NFD), "cafe " and "café " each held by one unit.
   */
  public static Path unicode(Path dir, int others) {
    List<String> rows = new ArrayList<>();
    String nfc = "caf\u00e9";
    String nfd = "cafe\u0301";
    for (int i = 0; i < others; i++) {
      rows.add(row(String.valueOf(i + 1), "n", nfc, "north", "40", "100", "1", "1", "1", "1", "bulk"));
    }
    rows.add(row("901", PLANTED_NAMES.get(0), nfd, "north", "40", PLANTED_INCOME, "1", "1", "1", "1", "nfd"));
    rows.add(row("902", PLANTED_NAMES.get(1), nfc + " ", "north", "40", PLANTED_INCOME, "1", "1", "1", "1",
        "space"));
    rows.add(row("903", PLANTED_NAMES.get(2), "north ", "north ", "40", PLANTED_INCOME, "1", "1", "1", "1",
        "space"));
    rows.add(row("904", PLANTED_NAMES.get(2), "NORTH", "NORTH", "40", PLANTED_INCOME, "1", "1", "1", "1", "case"));
    return write(dir.resolve("unicode.csv"), HEADER, rows);
  }

  /**
   * A dataset YAML for a table over {@code csv}, with the people columns, bounds G and R, a budget, and its own
   * ledger beside the YAML.
   */
  public static Path yaml(Path dir, String name, String table, Path csv, String budgetEpsilon, String budgetDelta) {
    String source = "{ csv: \"" + csv.toAbsolutePath().toString().replace("\\", "/") + "\" }";
    return yamlWithSource(dir, name, table, source, budgetEpsilon, budgetDelta);
  }

  /** Like {@link #yaml} with any {@code source:} value (e.g. a JDBC source). */
  public static Path yamlWithSource(Path dir, String name, String table, String source, String budgetEpsilon,
      String budgetDelta) {
    String text = "name: " + name + "\n"
        + "table: " + table + "\n"
        + "source: " + source + "\n"
        + "privacy_unit: pid\n"
        + "max_groups_contributed: " + G + "\n"
        + "max_rows_per_group: " + R + "\n"
        + "budget: { epsilon: " + budgetEpsilon + ", delta: " + budgetDelta + " }\n"
        + "defaults: { epsilon: 0.5, delta: 1.0e-7 }\n"
        + "columns:\n" + PEOPLE_COLUMNS;
    try {
      Files.createDirectories(dir);
      Path yaml = dir.resolve(name + ".yaml");
      Files.writeString(yaml, text, StandardCharsets.UTF_8);
      return yaml;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** PostgreSQL column definitions matching {@link #PEOPLE_COLUMNS}, in CSV order. */
  public static final List<String> PEOPLE_PG_COLUMNS = List.of("pid integer", "name text", "grp text", "city text",
      "age integer", "income double precision", "big bigint", "wide double precision", "score double precision",
      "code text", "tag text");

  private static String row(String... cells) {
    return String.join(",", cells);
  }

  private static Path write(Path file, String header, List<String> rows) {
    try {
      Files.createDirectories(file.getParent());
      List<String> lines = new ArrayList<>(rows.size() + 1);
      lines.add(header);
      lines.addAll(rows);
      Files.write(file, lines, StandardCharsets.UTF_8);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
