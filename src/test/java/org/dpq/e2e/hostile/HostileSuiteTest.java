package org.dpq.e2e.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.dpq.engine.Cell;
import org.dpq.engine.Dpq;
import org.dpq.engine.QueryOptions;
import org.dpq.engine.QueryResult;
import org.dpq.engine.TestSeams;
import org.dpq.errors.BackendException;
import org.dpq.errors.BudgetExhaustedException;
import org.dpq.errors.DatasetValidationException;
import org.dpq.errors.InvalidPrivacyParameterException;
import org.dpq.errors.LedgerException;
import org.dpq.errors.QueryRejectedException;
import org.dpq.mechanisms.MechanismChoice;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile-input suite: one runner over the corpus {@code hostile/cases.yaml}. CLI cases run the CLI's own
 * entry point, each on its own copy of the dataset YAML with its own ledger (so every charge is attributable):
 * the data family's and the malformed file's cases, which plant data values, through the real jar as a subprocess (so that the leak
 * check also sees whatever the JVM or a native library would print), the others in this JVM with every output
 * captured ({@link DpqProcess#inProcess}); api cases run through the Java API on one open dataset per (dataset,
 * noise).
 *
 * <p>Beyond each case's own expectation, every case is checked for: the exit code (never 1), no stack trace, no
 * planted data value in stdout/stderr unless the case's own input holds it, and the ledger: a case that is not
 * answered leaves the spend unchanged and writes no CHARGE entry; an answered query writes exactly one CHARGE
 * whose cost is the cost it reports; {@code explain} never charges.
 */
class HostileSuiteTest {
  private static final String CORPUS = "/hostile/cases.yaml";
  private static final int MIN_CASES = 60;
  /** Rows and groups of the one-person-with-many-rows dataset. */
  static final int WHALE_ROWS = 1_000_000;
  static final int WHALE_GROUPS = 10_000;
  static final int OTHERS = 300;

  @TempDir static Path root;
  private static final Map<String, Path> CSV = new HashMap<>();
  private static final Map<String, Dpq> OPEN = new HashMap<>();
  private static ExecutorService pool;

  /** What a case produced. */
  private record Outcome(int code, String out, String err, List<String> columns, List<List<Object>> rows,
      BigDecimal costEpsilon, boolean reused) {
    String all() {
      return out + "\n" + err;
    }
  }

  /** A CLI case's outcome and its fresh ledger afterwards. */
  private record CliRun(Outcome outcome, LedgerView after) {}

  private static final LedgerView FRESH = new LedgerView(BigDecimal.ZERO, BigDecimal.ZERO, 0, 0);

  @BeforeAll
  static void data() {
    CSV.put("people", HostileData.people(root.resolve("data"), 600, 42));
    CSV.put("empty", HostileData.emptyPeople(root.resolve("data")));
    CSV.put("unicode", HostileData.unicode(root.resolve("data"), OTHERS));
    CSV.put("whale", HostileData.whale(root.resolve("data"), WHALE_ROWS, WHALE_GROUPS, OTHERS));
    CSV.put("malformed", HostileData.malformed(root.resolve("data")));
    HostileShop.VARIANTS.forEach(v -> CSV.put(v, HostileShop.write(root.resolve("data").resolve("shops"), v, 43)));
    pool = Executors.newFixedThreadPool(2);
  }

  @AfterAll
  static void close() {
    pool.shutdownNow();
    OPEN.values().forEach(Dpq::close);
    OPEN.clear();
  }

  @TestFactory
  Stream<DynamicTest> corpus() {
    List<HostileCase> cases = new ArrayList<>(HostileCase.load(CORPUS));
    cases.addAll(HostileCase.costOracles());
    checkCorpus(cases);
    Map<String, Future<CliRun>> cli = new LinkedHashMap<>();
    for (HostileCase c : cases) {
      if (c.viaCli()) {
        cli.put(c.id(), pool.submit(() -> runCli(c)));
      }
    }
    return cases.stream().map(c -> DynamicTest.dynamicTest(c.family() + ": " + c.id(), () -> {
      if (c.viaCli()) {
        CliRun run = await(cli.get(c.id()));
        check(c, run.outcome(), FRESH, run.after());
      } else {
        runApi(c);
      }
    }));
  }

  private static void checkCorpus(List<HostileCase> cases) {
    assertTrue(cases.size() >= MIN_CASES, "the corpus needs at least " + MIN_CASES + " cases, has " + cases.size());
    Set<String> ids = new HashSet<>();
    Set<String> families = new HashSet<>();
    for (HostileCase c : cases) {
      assertTrue(ids.add(c.id()), "duplicate case id " + c.id());
      assertTrue(HostileCase.FAMILIES.contains(c.family()), c.id() + ": unknown family " + c.family());
      families.add(c.family());
      assertTrue(c.viaCli() || "api".equals(c.via()), c.id() + ": via must be cli or api");
      assertTrue(CSV.containsKey(c.dataset()), c.id() + ": unknown dataset " + c.dataset());
      c.exitCode();
    }
    assertEquals(Set.copyOf(HostileCase.FAMILIES), families, "every family needs cases");
  }

  private static CliRun await(Future<CliRun> f) throws Exception {
    try {
      return f.get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception ex ? ex : e;
    }
  }

  // ---- CLI cases: the real jar, a fresh ledger per case ----

  private static CliRun runCli(HostileCase c) throws IOException {
    Path dir = Files.createDirectories(root.resolve("cases").resolve(c.id()));
    Path yaml = datasetYaml(dir, c);
    List<String> args = new ArrayList<>();
    args.add(c.command());
    args.add("--dataset");
    args.add(yaml.toString());
    args.addAll(c.args());
    boolean json = "query".equals(c.command()) && !c.args().contains("--format");
    if (json) {
      args.add("--format");
      args.add("json");
    }
    args.add(c.stdin() ? "-" : c.text());
    String stdin = c.stdin() ? c.text() : null;
    DpqProcess.Result r = c.inChildJvm() ? DpqProcess.cli(dir, stdin, args) : DpqProcess.inProcess(dir, stdin, args);
    List<String> columns = List.of();
    List<List<Object>> rows = List.of();
    BigDecimal cost = null;
    boolean reused = false;
    if (r.code() == 0 && json) {
      JsonNode node = new ObjectMapper().readTree(r.out());
      columns = new ArrayList<>();
      for (JsonNode col : node.get("columns")) {
        columns.add(col.asText());
      }
      rows = new ArrayList<>();
      for (JsonNode row : node.get("rows")) {
        List<Object> cells = new ArrayList<>();
        for (JsonNode cell : row) {
          cells.add(cell.isNull() ? null : cell.isNumber() ? (Object) cell.doubleValue() : cell.asText());
        }
        rows.add(cells);
      }
      cost = new BigDecimal(node.get("cost").get("epsilon").asText());
      reused = node.get("reused").asBoolean();
    }
    return new CliRun(new Outcome(r.code(), r.out(), r.err(), columns, rows, cost, reused), ledgerAfter(c, yaml));
  }

  /**
   * The ledger of a case's dataset after the case. A case that expects its dataset to be refused (usage) may have a
   * declaration that does not validate: such a dataset never opens, so no query on it can have been charged, and
   * its ledger is the fresh one.
   */
  private static LedgerView ledgerAfter(HostileCase c, Path yaml) {
    try {
      return LedgerView.of(yaml);
    } catch (DatasetValidationException e) {
      if (c.exitCode() != 2) {
        throw e;
      }
      return FRESH;
    }
  }

  private static Path datasetYaml(Path dir, HostileCase c) {
    if (HostileShop.VARIANTS.contains(c.dataset())) {
      return HostileShop.yaml(dir, "hostile", c.dataset(), CSV.get(c.dataset()), c.budget());
    }
    return HostileData.yaml(dir, "hostile", table(c.dataset()), CSV.get(c.dataset()), c.budget(), "1e-3");
  }

  static String table(String dataset) {
    return switch (dataset) {
      case "unicode" -> "uni";
      case "empty" -> "vacant";
      default -> dataset;
    };
  }

  // ---- API cases: one open dataset per (dataset, noise, budget) ----

  private static void runApi(HostileCase c) {
    Dpq dpq = OPEN.computeIfAbsent(c.dataset() + "-" + c.noise() + "-" + c.budget(), key -> {
      Path yaml = datasetYaml(root.resolve("api").resolve(key), c);
      return "zero".equals(c.noise()) ? TestSeams.openWithoutNoise(yaml) : TestSeams.openSeeded(yaml, 20240611L);
    });
    LedgerView before = LedgerView.of(dpq);
    Outcome o;
    try {
      if ("explain".equals(c.command())) {
        String plan = String.valueOf(dpq.explain(c.text(), options(c)));
        o = new Outcome(0, plan, "", List.of(), List.of(), null, false);
      } else {
        QueryResult r = dpq.query(c.text(), options(c));
        List<List<Object>> rows = new ArrayList<>();
        StringBuilder text = new StringBuilder(String.join(",", r.columns())).append('\n');
        for (List<Cell> row : r.rows()) {
          List<Object> values = new ArrayList<>();
          for (Cell cell : row) {
            values.add(cell.value());
            text.append(cell.value()).append(' ').append(cell.ci95()).append(',');
          }
          rows.add(values);
          text.append('\n');
        }
        o = new Outcome(0, text.toString(), "", r.columns(), rows, r.cost().epsilon(), r.reused());
      }
    } catch (QueryRejectedException | InvalidPrivacyParameterException e) {
      o = failure(3, e);
    } catch (BudgetExhaustedException e) {
      o = failure(4, e);
    } catch (BackendException | LedgerException e) {
      o = failure(5, e);
    } catch (DatasetValidationException e) {
      o = failure(2, e);
    } catch (RuntimeException e) {
      o = new Outcome(1, "", "internal error " + e.getClass().getName(), List.of(), List.of(), null, false);
    }
    check(c, o, before, LedgerView.of(dpq));
  }

  private static Outcome failure(int code, RuntimeException e) {
    return new Outcome(code, "", String.valueOf(e.getMessage()), List.of(), List.of(), null, false);
  }

  private static QueryOptions options(HostileCase c) {
    QueryOptions o = QueryOptions.defaults().withAnalyst("hostile");
    List<String> a = c.args();
    for (int i = 0; i + 1 < a.size(); i += 2) {
      switch (a.get(i)) {
        case "--epsilon" -> o = o.withEpsilon(a.get(i + 1));
        case "--delta" -> o = o.withDelta(a.get(i + 1));
        case "--mechanism" -> o = o.withMechanism(MechanismChoice.parse(a.get(i + 1)));
        default -> throw new IllegalArgumentException(c.id() + ": api cases understand --epsilon, --delta and "
            + "--mechanism only");
      }
    }
    return o;
  }

  // ---- the checks every case gets ----

  private static void check(HostileCase c, Outcome o, LedgerView before, LedgerView after) {
    String shown = Leaks.redact(o.all());
    assertEquals(c.exitCode(), o.code(), c.id() + ": wrong outcome\n" + shown);
    assertFalse(Leaks.hasStackTrace(o.all()), c.id() + ": stack trace in the output\n" + shown);
    List<String> leaks = Leaks.found(o.all(), c.input());
    assertTrue(leaks.isEmpty(), c.id() + ": planted data value(s) in the output (" + leaks.size() + " tokens)\n"
        + shown);
    if (c.message() != null) {
      assertTrue(o.err().toLowerCase(Locale.ROOT).contains(c.message().toLowerCase(Locale.ROOT)),
          c.id() + ": the message should mention '" + c.message() + "'\n" + shown);
    }
    ledger(c, before, after, o);
    if (c.exitCode() == 0 && "query".equals(c.command())) {
      answered(c, o);
    }
  }

  private static void ledger(HostileCase c, LedgerView before, LedgerView after, Outcome o) {
    // An identical earlier query (same plan and parameters) is answered from the ledger at no cost.
    boolean charged = c.exitCode() == 0 && "query".equals(c.command()) && !o.reused();
    if (o.reused()) {
      assertEquals(0, o.costEpsilon().signum(), c.id() + ": a stored answer must cost nothing");
    }
    if (!charged || o.code() != 0) {
      assertEquals(0, after.epsilonSince(before).signum(), c.id() + ": a query that was not answered was charged");
      assertEquals(0, after.spentDelta().compareTo(before.spentDelta()), c.id() + ": delta charged");
      assertEquals(0, after.chargesSince(before), c.id() + ": a CHARGE entry for a query that was not answered");
      return;
    }
    assertEquals(1, after.chargesSince(before), c.id() + ": an answer needs exactly one CHARGE entry");
    assertNotNull(o.costEpsilon(), c.id() + ": no cost reported");
    assertEquals(0, after.epsilonSince(before).compareTo(o.costEpsilon()),
        c.id() + ": the ledger's spend differs from the reported cost");
    if (c.costEpsilon() != null) {
      BigDecimal asked = new BigDecimal(c.costEpsilon());
      assertTrue(o.costEpsilon().compareTo(asked) <= 0
              && o.costEpsilon().compareTo(asked.subtract(new BigDecimal("1e-15"))) >= 0,
          c.id() + ": charged epsilon " + o.costEpsilon() + ", expected " + asked);
    }
  }

  private static void answered(HostileCase c, Outcome o) {
    String text = o.all();
    assertFalse(text.contains("NaN") || text.contains("Infinity"), c.id() + ": a released value is not finite\n"
        + Leaks.redact(text));
    for (List<Object> row : o.rows()) {
      for (Object v : row) {
        if (v instanceof Double d) {
          assertTrue(Double.isFinite(d), c.id() + ": a released value is not finite");
        }
      }
    }
    if (c.rows() != null) {
      assertEquals(c.rows().intValue(), o.rows().size(), c.id() + ": released rows");
    }
    if (c.keysWithin() != null) {
      for (List<Object> row : o.rows()) {
        assertTrue(c.keysWithin().contains(String.valueOf(row.get(0))),
            c.id() + ": released a key outside " + c.keysWithin());
      }
    }
    for (HostileCase.CellValue cell : c.cells()) {
      int col = o.columns().indexOf(cell.col());
      assertTrue(col >= 0, c.id() + ": no column " + cell.col() + " in " + o.columns());
      assertTrue(cell.row() < o.rows().size(), c.id() + ": no row " + cell.row());
      Object v = o.rows().get(cell.row()).get(col);
      assertTrue(v instanceof Number, c.id() + ": " + cell.col() + " is not a number");
      expectValue(c, cell, ((Number) v).doubleValue());
    }
    if (c.columnSum() != null) {
      int col = o.columns().indexOf(c.columnSum().col());
      assertTrue(col >= 0, c.id() + ": no column " + c.columnSum().col());
      double sum = 0;
      for (List<Object> row : o.rows()) {
        sum += ((Number) row.get(col)).doubleValue();
      }
      expectValue(c, c.columnSum(), sum);
    }
  }

  private static void expectValue(HostileCase c, HostileCase.CellValue expected, double actual) {
    if (expected.max() == null) {
      if (Double.compare(expected.value(), actual) != 0 && expected.value() != actual) {
        fail(c.id() + ": " + expected.col() + " should be " + expected.value() + " exactly (zero noise), was "
            + Leaks.redact(String.valueOf(actual)));
      }
    } else {
      assertTrue(actual >= expected.value() && actual <= expected.max(), c.id() + ": " + expected.col()
          + " outside [" + expected.value() + ", " + expected.max() + "]");
    }
  }
}
