package org.dpq.e2e.hostile;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * One case of the hostile corpus ({@code hostile/cases.yaml}): an input and the outcome dpq must give. Every case
 * additionally gets the suite-wide checks of {@link HostileSuiteTest} (no planted value in the output, no stack
 * trace, no charge unless answered).
 *
 * @param id unique name
 * @param family structure, parameters, oracles or data
 * @param via cli (the CLI's entry point, the default: see {@link #inChildJvm()}) or api (the Java API, for
 *     data-value cases)
 * @param dataset people (default), empty, unicode, whale, malformed, or a shop of several tables
 *     ({@link HostileShop#VARIANTS})
 * @param command query (default) or explain
 * @param sql the query text; {@link #text()} expands its macros
 * @param args extra CLI flags (for api cases only --epsilon, --delta and --mechanism are understood)
 * @param stdin pass the SQL on standard input ({@code -}); needed for NUL bytes
 * @param noise api only: zero (exact bounded values through the test seam) or seeded (default)
 * @param budget the dataset's total epsilon (default 1000)
 * @param expect answered, usage, rejected, exhausted or backend
 * @param message a fragment the error message must contain (case-insensitive)
 * @param costEpsilon the epsilon the answer must be charged (within 1e-15 below it)
 * @param rows the exact number of released rows
 * @param keysWithin the only values the first column may release
 * @param cells exact (zero-noise) values
 * @param columnSum the exact sum of one column over all released rows (zero noise)
 */
public record HostileCase(String id, String family, String via, String dataset, String command, String sql,
    List<String> args, Boolean stdin, String noise, String budget, String expect, String message,
    String costEpsilon, Integer rows, List<String> keysWithin, List<CellValue> cells, CellValue columnSum) {

  /** The families the issue asks for. */
  public static final List<String> FAMILIES = List.of("structure", "parameters", "oracles", "data", "cost-oracles");

  /**
   * An expected value.
   *
   * @param row the row (ignored for columnSum)
   * @param col the column name
   * @param value the value (NaN never matches)
   * @param max when set, an upper bound instead of an exact value ({@code value} is then the lower bound)
   */
  public record CellValue(Integer row, String col, Double value, Double max) {}

  public HostileCase {
    args = args == null ? List.of() : List.copyOf(args);
    via = via == null ? "cli" : via;
    dataset = dataset == null ? "people" : dataset;
    command = command == null ? "query" : command;
    noise = noise == null ? "seeded" : noise;
    budget = budget == null ? "1000" : budget;
    stdin = stdin != null && stdin;
    cells = cells == null ? List.of() : List.copyOf(cells);
  }

  /** The exit code the expected outcome means. */
  public int exitCode() {
    return switch (expect) {
      case "answered" -> 0;
      case "usage" -> 2;
      case "rejected" -> 3;
      case "exhausted" -> 4;
      case "backend" -> 5;
      default -> throw new IllegalArgumentException("case " + id + ": unknown expect '" + expect + "'");
    };
  }

  /** True for cli cases. */
  public boolean viaCli() {
    return "cli".equals(via);
  }

  /**
   * The SQL with its macros expanded: {@code ${nul}} (a NUL character), {@code ${list:N}} (0, 1, ..., N-1),
   * {@code ${open:N}} and {@code ${close:N}} (N parentheses), {@code ${chain:N:TEXT:SEP}} (TEXT N times joined
   * by SEP).
   */
  public String text() {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < sql.length()) {
      int start = sql.indexOf("${", i);
      if (start < 0) {
        out.append(sql, i, sql.length());
        break;
      }
      out.append(sql, i, start);
      int end = sql.indexOf('}', start);
      out.append(macro(sql.substring(start + 2, end)));
      i = end + 1;
    }
    return out.toString();
  }

  private static String macro(String body) {
    String[] p = body.split(":", 4);
    return switch (p[0]) {
      case "nul" -> "\u0000";
      case "list" -> String.join(", ", java.util.stream.IntStream.range(0, Integer.parseInt(p[1]))
          .mapToObj(String::valueOf).toList());
      case "open" -> "(".repeat(Integer.parseInt(p[1]));
      case "close" -> ")".repeat(Integer.parseInt(p[1]));
      case "chain" -> String.join(p[3], java.util.Collections.nCopies(Integer.parseInt(p[1]), p[2]));
      default -> throw new IllegalArgumentException("unknown macro ${" + body + "}");
    };
  }

  /** Everything the analyst typed: tokens found here are not leaks when the output quotes them. */
  public String input() {
    return (text() + " " + String.join(" ", args)).toLowerCase(Locale.ROOT);
  }

  /**
   * The cost-oracle family ({@link org.dpq.engine.analysis.CostOracles}, shared with the PostgreSQL and Spark
   * suites): each must be rejected before the charge; every fifth runs through the real CLI, the rest through the
   * API (one JVM start each would cost more than the case).
   */
  public static List<HostileCase> costOracles() {
    List<org.dpq.engine.analysis.CostOracles.CostOracle> all = org.dpq.engine.analysis.CostOracles.all();
    return java.util.stream.IntStream.range(0, all.size()).mapToObj(i -> new HostileCase(all.get(i).id(),
        "cost-oracles", i % 5 == 0 ? "cli" : "api", null, null, all.get(i).sql(), null, null, null, null, "rejected",
        all.get(i).fragment(), null, null, null, null, null)).toList();
  }

  /**
   * True when this CLI case runs the real jar as a subprocess rather than the same entry point in the test JVM:
   * the data family and the malformed dataset (inputs and files that plant data values: the leak check then also
   * covers what the JVM or a native library prints to the process's own streams). What a case checks is the same
   * either way.
   */
  public boolean inChildJvm() {
    return viaCli() && ("data".equals(family) || "malformed".equals(dataset));
  }

  /** Loads the corpus from the test class path. */
  public static List<HostileCase> load(String resource) {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
        .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
    try (InputStream in = HostileCase.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + resource);
      }
      return Arrays.asList(yaml.readValue(in, HostileCase[].class));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
