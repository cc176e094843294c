package org.dpq.engine.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.dpq.engine.Cell;
import org.dpq.engine.LegacyReleaseKey;
import org.dpq.engine.PumsFiles;
import org.dpq.engine.TestSeams;
import org.dpq.engine.analysis.Analyzer;
import org.dpq.engine.analysis.DpPlan;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.DatasetLoader;
import org.dpq.engine.execution.Backend;
import org.dpq.engine.execution.Backends;
import org.dpq.engine.rewrite.Rewriter;
import org.dpq.errors.QueryRejectedException;
import org.dpq.mechanisms.MechanismChoice;
import org.dpq.mechanisms.PrivacyLoss;

/**
 * The stored-answer key separates releases (issue 12, item 5). Over generated pairs of queries that differ in
 * one aspect (an aggregate's function or column, VARIANCE vs STDDEV, arithmetic on it, its alias, the group key,
 * WHERE, HAVING, ORDER BY, LIMIT/OFFSET, epsilon, delta, mechanism), whenever their zero-noise releases differ
 * (column names, values or intervals, computed on PUMS_dup by the real analyser, rewrite, DuckDB and releaser),
 * their keys differ; and a query respelled (whitespace, keyword and identifier casing, the loss as 0.50 for 0.5)
 * keeps its key.
 *
 * <p>Broken variant: the same pairs are also keyed with the old key ({@link LegacyReleaseKey}); the container
 * fails unless the old key merged at least one pair of different releases, so this property would catch it.
 */
class ReleaseKeyProperties {
  private static final List<String> FUNCTIONS = List.of("COUNT(*)", "COUNT(DISTINCT pid)", "COUNT", "SUM", "AVG",
      "VARIANCE", "STDDEV", "VAR_POP", "STDDEV_POP", "VAR_SAMP", "STDDEV_SAMP");
  private static final AtomicInteger LEGACY_COLLISIONS = new AtomicInteger();
  private static final AtomicInteger DIFFERENT_PAIRS = new AtomicInteger();

  private static final Analyzer ANALYZER = new Analyzer();

  private static Dataset dataset;
  private static Backend backend;
  private static Path dir;

  @BeforeContainer
  static void open() throws Exception {
    dir = Files.createTempDirectory("dpq-release-key");
    dataset = DatasetLoader.load(PumsFiles.pumsYaml(dir, "PUMS_dup.csv", "pid", 2, 2, "10"));
    backend = Backends.open(dataset);
  }

  @AfterContainer
  static void close() {
    backend.close();
    assertTrue(DIFFERENT_PAIRS.get() > 20, "too few pairs with different releases: " + DIFFERENT_PAIRS.get());
    assertTrue(LEGACY_COLLISIONS.get() > 0, "the old key never merged two different releases, so this property "
        + "could not tell it from the fixed one (pairs with different releases: " + DIFFERENT_PAIRS.get() + ")");
  }

  /** One aggregate in the SELECT list: function, column, arithmetic around it ({@code %s}), alias. */
  record Agg(String function, String column, String arithmetic, String alias) {
    String sql() {
      String call = function.contains("(") ? function : function + "(" + column + ")";
      return arithmetic.formatted(call);
    }
  }

  /** A generated query and its parameters. */
  record Query(String key, List<Agg> aggs, String where, String having, String order, String limit, String epsilon,
      String delta, MechanismChoice mechanism) {
    String sql() {
      List<String> select = new ArrayList<>();
      if (!key.isEmpty()) {
        select.add(key);
      }
      for (Agg a : aggs) {
        select.add(a.sql() + " AS " + a.alias());
      }
      StringBuilder s = new StringBuilder("SELECT " + String.join(", ", select) + " FROM pums");
      if (!where.isEmpty()) {
        s.append(" WHERE ").append(where);
      }
      if (!key.isEmpty()) {
        s.append(" GROUP BY ").append(key);
      }
      if (!having.isEmpty()) {
        s.append(" HAVING ").append(having);
      }
      if (!order.isEmpty()) {
        s.append(" ORDER BY ").append(order.equals("key") ? (key.isEmpty() ? aggs.get(0).alias() : key)
            : order.replace("first", aggs.get(0).alias()).replace("last", aggs.get(aggs.size() - 1).alias()));
      }
      if (!limit.isEmpty()) {
        s.append(" LIMIT ").append(limit);
      }
      return s.toString();
    }

    PrivacyLoss loss() {
      return PrivacyLoss.parse(epsilon, delta);
    }

    /** This query with aspect {@code aspect} taken from {@code other}. */
    Query with(int aspect, Query other) {
      List<Agg> a = new ArrayList<>(aggs);
      Agg mine = a.get(0);
      Agg theirs = other.aggs.get(0);
      return switch (aspect) {
        case 0 -> agg(a, new Agg(theirs.function(), mine.column(), mine.arithmetic(), mine.alias()));
        case 1 -> agg(a, new Agg(mine.function(), theirs.column(), mine.arithmetic(), mine.alias()));
        case 2 -> agg(a, new Agg(mine.function(), mine.column(), theirs.arithmetic(), mine.alias()));
        case 3 -> agg(a, new Agg(mine.function(), mine.column(), mine.arithmetic(), theirs.alias()));
        case 4 -> new Query(other.key, aggs, where, having, order, limit, epsilon, delta, mechanism);
        case 5 -> new Query(key, aggs, other.where, having, order, limit, epsilon, delta, mechanism);
        case 6 -> new Query(key, aggs, where, other.having, order, limit, epsilon, delta, mechanism);
        case 7 -> new Query(key, aggs, where, having, other.order, limit, epsilon, delta, mechanism);
        case 8 -> new Query(key, aggs, where, having, order, other.limit, epsilon, delta, mechanism);
        case 9 -> new Query(key, aggs, where, having, order, limit, other.epsilon, delta, mechanism);
        case 10 -> new Query(key, aggs, where, having, order, limit, epsilon, other.delta, mechanism);
        case 11 -> new Query(key, aggs, where, having, order, limit, epsilon, delta, other.mechanism);
        default -> {
          // the old channel: the variance and the standard deviation of the same column
          String f = switch (mine.function()) {
            case "VARIANCE" -> "STDDEV";
            case "STDDEV" -> "VARIANCE";
            case "VAR_POP" -> "STDDEV_POP";
            case "STDDEV_POP" -> "VAR_POP";
            case "VAR_SAMP" -> "STDDEV_SAMP";
            default -> "VARIANCE";
          };
          yield agg(a, new Agg(f, mine.column(), mine.arithmetic(), mine.alias()));
        }
      };
    }

    /** This query with its first aggregate replaced. */
    private Query agg(List<Agg> a, Agg first) {
      a.set(0, first);
      return new Query(key, a, where, having, order, limit, epsilon, delta, mechanism);
    }
  }

  /** The zero-noise release and the keys of one query; null when dpq rejects the query. */
  record Keyed(Releaser.Released release, String key, String legacyKey) {}

  @Provide
  Arbitrary<Query> queries() {
    Arbitrary<String> aliases = Arbitraries.of("v", "w", "total");
    Arbitrary<Agg> agg = Combinators.combine(Arbitraries.of(FUNCTIONS), Arbitraries.of("age", "income"),
        Arbitraries.of("%s", "%s", "%s * 2", "%s + 1", "%s / 4", "-%s", "CAST(%s AS INTEGER)"), aliases)
        .as(Agg::new);
    Arbitrary<List<Agg>> aggs = Combinators.combine(agg, agg.list().ofMaxSize(2))
        .as((first, more) -> {
          List<Agg> all = new ArrayList<>();
          all.add(first);
          for (int i = 0; i < more.size(); i++) {
            Agg m = more.get(i);
            all.add(new Agg(m.function(), m.column(), m.arithmetic(), "x" + i));
          }
          return all;
        });
    Arbitrary<String> keys = Arbitraries.of("", "", "sex", "married", "educ");
    Arbitrary<String> wheres = Arbitraries.of("", "age > 30", "age > 60", "income < 20000", "sex = '1'",
        "educ IN ('9', '13')");
    Arbitrary<String> havings = Arbitraries.of("", "", "COUNT(*) > 50", "COUNT(*) > 400", "SUM(age) > 10000");
    Arbitrary<String> orders = Arbitraries.of("", "first", "first DESC", "last DESC", "key");
    Arbitrary<String> limits = Arbitraries.of("", "", "1", "2", "1 OFFSET 1");
    Arbitrary<String> epsilons = Arbitraries.of("1", "0.5", "2");
    Arbitrary<String> deltas = Arbitraries.of("1e-7", "1e-6");
    Arbitrary<MechanismChoice> mechanisms = Arbitraries.of(MechanismChoice.class);
    return Combinators.combine(keys, aggs, wheres, havings, orders, limits, epsilons, deltas)
        .as((k, a, w, h, o, l, e, d) -> new Query(k, a, w, h, o, l, e, d, MechanismChoice.AUTO))
        .flatMap(q -> mechanisms.map(m -> new Query(q.key(), q.aggs(), q.where(), q.having(), q.order(), q.limit(),
            q.epsilon(), q.delta(), m)));
  }

  @Property(tries = 150, seed = "20261204")
  void differentReleasesHaveDifferentKeys(@ForAll("queries") Query base, @ForAll("queries") Query other,
      @ForAll("aspects") int aspect) {
    Query changed = base.with(aspect, other);
    Keyed a = keyed(base);
    Keyed b = keyed(changed);
    Assume.that(a != null && b != null);
    if (same(a.release(), b.release())) {
      return;
    }
    DIFFERENT_PAIRS.incrementAndGet();
    if (a.legacyKey().equals(b.legacyKey())) {
      LEGACY_COLLISIONS.incrementAndGet();
    }
    assertNotEquals(a.key(), b.key(), () -> "different releases share a key:\n  " + base.sql() + " " + base.loss()
        + " " + base.mechanism() + "\n  " + changed.sql() + " " + changed.loss() + " " + changed.mechanism());
  }

  @Provide
  Arbitrary<Integer> aspects() {
    // 0-11: one aspect from the other query; 12 (a quarter of the pairs): VARIANCE <-> STDDEV of the same column
    return Arbitraries.integers().between(0, 15).map(i -> Math.min(i, 12));
  }

  @Property(tries = 60, seed = "20261205")
  void aRespelledQueryKeepsItsKey(@ForAll("queries") Query q, @ForAll long spellingSeed) {
    Keyed a = keyed(q);
    Assume.that(a != null);
    String respelled = respell(q.sql(), new Random(spellingSeed));
    // the same loss written otherwise: 1 as 1.0, 0.5 as 0.50
    Query sameLoss = new Query(q.key(), q.aggs(), q.where(), q.having(), q.order(), q.limit(),
        q.epsilon() + (q.epsilon().contains(".") ? "0" : ".0"), q.delta(), q.mechanism());
    Keyed b = keyed(sameLoss, respelled);
    assertEquals(a.key(), b.key(), () -> q.sql() + "\n" + respelled);
  }

  @Example
  void varianceAndStddevHaveDifferentKeysButTheOldKeyMergesThem() {
    Query variance = new Query("", List.of(new Agg("VARIANCE", "age", "%s", "v")), "", "", "", "", "1", "1e-7",
        MechanismChoice.AUTO);
    Query stddev = variance.with(0, new Query("", List.of(new Agg("STDDEV", "age", "%s", "v")), "", "", "", "",
        "1", "1e-7", MechanismChoice.AUTO));
    Keyed a = keyed(variance);
    Keyed b = keyed(stddev);
    assertTrue(!same(a.release(), b.release()));
    assertNotEquals(a.key(), b.key());
    assertEquals(a.legacyKey(), b.legacyKey(), "the old key is the broken variant this property must catch");
  }

  private static Keyed keyed(Query q) {
    return keyed(q, q.sql());
  }

  private static Keyed keyed(Query q, String sql) {
    DpPlan plan;
    NoisePlan noisePlan;
    try {
      plan = ANALYZER.analyze(dataset, sql);
      Releaser.check(plan);
      noisePlan = new BudgetAllocator().allocate(plan, q.loss(), q.mechanism());
    } catch (QueryRejectedException e) {
      return null;
    }
    List<Object[]> rows = backend.execute(new Rewriter().rewrite(plan, backend.dialect(), 0L).sql());
    Releaser.Released release = new Releaser().release(plan, noisePlan, rows, TestSeams.ZERO_NOISE);
    return new Keyed(release, ReleaseKey.CANONICAL.key(plan, noisePlan, q.loss(), q.mechanism()),
        LegacyReleaseKey.SCHEME.key(plan, noisePlan, q.loss(), q.mechanism()));
  }

  /** Equal column names, values and intervals (doubles compared exactly, as stored answers would be). */
  private static boolean same(Releaser.Released a, Releaser.Released b) {
    return a.columns().equals(b.columns()) && cells(a).equals(cells(b));
  }

  private static List<List<String>> cells(Releaser.Released r) {
    return r.rows().stream().map(row -> row.stream().map(ReleaseKeyProperties::cell).toList()).toList();
  }

  private static String cell(Cell c) {
    Object v = c.value();
    String value = v == null ? "null" : v.getClass().getSimpleName() + ":" + v;
    return value + (c.ci95() == null ? "" : " [" + c.ci95().low() + ", " + c.ci95().high() + "]");
  }

  /**
   * Random keyword, function and column casing, extra whitespace and newlines; aliases, bare key columns (their
   * spelling is the output name) and string literals untouched.
   */
  private static String respell(String sql, Random random) {
    StringBuilder out = new StringBuilder();
    String[] tokens = sql.split(" ");
    for (String token : tokens) {
      boolean protectedToken = token.contains("'") || token.matches("(v|w|total|x\\d|sex|married|educ),?");
      String t = protectedToken ? token
          : random.nextBoolean() ? token.toLowerCase(Locale.ROOT) : token.toUpperCase(Locale.ROOT);
      if (out.length() > 0) {
        out.append(random.nextInt(4) == 0 ? "\n  " : random.nextBoolean() ? "  " : " ");
      }
      out.append(t);
    }
    return out.toString();
  }
}
