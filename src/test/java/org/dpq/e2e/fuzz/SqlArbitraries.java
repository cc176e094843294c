package org.dpq.e2e.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCases;
import net.jqwik.api.ExhaustiveGenerator;
import net.jqwik.api.RandomGenerator;
import net.jqwik.api.Tuple;
import org.dpq.mechanisms.MechanismChoice;

/**
 * Generators of SQL over the people table of the hostile suites ({@link org.dpq.e2e.hostile.HostileData}): queries
 * in dpq's supported grammar (keys, aggregates, WHERE trees with functions, casts and hostile literals, HAVING,
 * ORDER BY, LIMIT) with random privacy parameters, and near-misses made by mutating them (joins, subqueries,
 * windows, unsupported aggregates, several statements, hints, deleted or inserted characters).
 */
final class SqlArbitraries {
  /** One generated request. */
  record Request(String sql, String epsilon, String delta, MechanismChoice mechanism) {
    @Override
    public String toString() {
      return sql + "  [epsilon " + epsilon + ", delta " + delta + ", " + mechanism + "]";
    }
  }

  private static final List<String> BOUNDED = List.of("age", "income", "big");
  private static final List<String> NUMERIC = List.of("age", "income", "big", "score", "wide", "pid");
  private static final List<String> STRINGS = List.of("name", "grp", "city", "code", "tag");
  private static final List<String> KEYS = List.of("city", "grp", "tag", "age", "name");

  private SqlArbitraries() {}

  /** Requests in the supported grammar (some still rejected, e.g. grouping without delta). */
  static Arbitrary<Request> requests() {
    return identity(Combinators.combine(select(), epsilon(), delta(), Arbitraries.of(MechanismChoice.class))
        .as(Request::new));
  }

  /** Requests mutated into near-misses of the grammar. */
  static Arbitrary<Request> nearMisses() {
    return identity(Combinators.combine(select(), mutation(), Arbitraries.integers().between(0, 10_000), epsilon(),
        delta(), Arbitraries.of(MechanismChoice.class))
        .as((sql, mutation, at, eps, delta, mech) -> new Request(mutation.apply(sql, at), eps, delta, mech)));
  }

  private static Arbitrary<String> epsilon() {
    return Arbitraries.of("0.1", "0.5", "1", "2", "0.001");
  }

  private static Arbitrary<String> delta() {
    return Arbitraries.of("0", "1e-7", "1e-5");
  }

  // ---- SELECT ----

  private static Arbitrary<String> select() {
    Arbitrary<List<String>> keys = Arbitraries.of(KEYS).list().ofMaxSize(2).uniqueElements();
    Arbitrary<List<String>> aggregates = aggregate().list().ofMinSize(1).ofMaxSize(3);
    Arbitrary<String> where = Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just("")),
        Tuple.of(3, condition(3).map(c -> " WHERE " + c)));
    Arbitrary<String> having = Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.just("")),
        Tuple.of(1, Arbitraries.of(" HAVING COUNT(*) > 5", " HAVING SUM(income) > 1000",
            " HAVING AVG(age) BETWEEN 20 AND 60", " HAVING COUNT(*) / 0 > 1", " HAVING COUNT(*) > 987654.321")));
    Arbitrary<String> order = Arbitraries.of("", "", "", " ORDER BY 1", " ORDER BY 1 DESC LIMIT 2", " LIMIT 3",
        " ORDER BY 2 DESC", " LIMIT 0", " ORDER BY 1 LIMIT 1 OFFSET 1");
    return identity(Combinators.combine(keys, aggregates, where, having, order).as((k, a, w, h, o) -> {
      List<String> items = new ArrayList<>(k);
      for (int i = 0; i < a.size(); i++) {
        items.add(a.get(i) + (i % 2 == 0 ? "" : " AS m" + i));
      }
      String group = k.isEmpty() ? "" : " GROUP BY " + String.join(", ", k);
      String post = k.isEmpty() && !h.isEmpty() ? "" : h;
      return "SELECT " + String.join(", ", items) + " FROM people" + w + group + post + o;
    }));
  }

  private static Arbitrary<String> aggregate() {
    Arbitrary<String> plain = identity(Arbitraries.oneOf(
        Arbitraries.of("COUNT(*)", "COUNT(DISTINCT pid)", "COUNT(1)"),
        Arbitraries.of(NUMERIC).map(c -> "COUNT(" + c + ")"),
        Arbitraries.of(STRINGS).map(c -> "COUNT(" + c + ")"),
        Combinators.combine(Arbitraries.of("SUM", "AVG", "VAR_POP", "STDDEV", "VARIANCE", "STDDEV_POP"),
            Arbitraries.of(BOUNDED)).as((f, c) -> f + "(" + c + ")")));
    return identity(Arbitraries.frequencyOf(Tuple.of(6, plain),
        Tuple.of(1, plain.map(a -> "2 * " + a)),
        Tuple.of(1, plain.map(a -> a + " / COUNT(*)")),
        Tuple.of(1, plain.map(a -> "ROUND(" + a + ", 1)")),
        Tuple.of(1, plain.map(a -> "CAST(" + a + " AS INTEGER)"))));
  }

  // ---- WHERE ----

  private static Arbitrary<String> condition(int depth) {
    if (depth == 0) {
      return atom();
    }
    Arbitrary<String> sub = condition(depth - 1);
    return identity(Arbitraries.frequencyOf(
        Tuple.of(4, atom()),
        Tuple.of(1, Combinators.combine(sub, sub).as((a, b) -> "(" + a + " AND " + b + ")")),
        Tuple.of(1, Combinators.combine(sub, sub).as((a, b) -> "(" + a + " OR " + b + ")")),
        Tuple.of(1, sub.map(a -> "NOT (" + a + ")")),
        Tuple.of(1, Combinators.combine(sub, sub, sub)
            .as((a, b, c) -> "CASE WHEN " + a + " THEN " + b + " ELSE " + c + " END"))));
  }

  private static Arbitrary<String> atom() {
    Arbitrary<String> cmp = Arbitraries.of("=", "<>", "<", "<=", ">", ">=");
    Arbitrary<String> numeric = Combinators.combine(number(1), cmp, number(1)).as((a, op, b) -> a + " " + op + " " + b);
    Arbitrary<String> text = Combinators.combine(string(), cmp, stringLiteral()).as((a, op, b) -> a + " " + op + " " + b);
    Arbitrary<String> like = Combinators.combine(string(), Arbitraries.of("LIKE", "NOT LIKE", "SIMILAR TO"),
        Arbitraries.of("'Zyx%'", "'%a_'", "'g%'", "'%'", "'a!%b' ESCAPE '!'", "'('", "'[a-'", "''"))
        .as((a, op, p) -> a + " " + op + " " + p);
    Arbitrary<String> in = Combinators.combine(Arbitraries.of(STRINGS), stringLiteral().list().ofMinSize(1)
        .ofMaxSize(4)).as((c, l) -> c + " IN (" + String.join(", ", l) + ")");
    Arbitrary<String> between = Combinators.combine(Arbitraries.of(NUMERIC), numberLiteral(), numberLiteral())
        .as((c, a, b) -> c + " BETWEEN " + a + " AND " + b);
    Arbitrary<String> isNull = Combinators.combine(Arbitraries.of(concat(NUMERIC, STRINGS)),
        Arbitraries.of(" IS NULL", " IS NOT NULL")).as((c, t) -> c + t);
    return identity(Arbitraries.frequencyOf(Tuple.of(4, numeric), Tuple.of(3, text), Tuple.of(1, like),
        Tuple.of(1, in), Tuple.of(1, between), Tuple.of(1, isNull),
        Tuple.of(1, Arbitraries.of("TRUE", "FALSE", "1 = 1"))));
  }

  private static Arbitrary<String> number(int depth) {
    Arbitrary<String> leaf = Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.of(NUMERIC)),
        Tuple.of(2, numberLiteral()),
        Tuple.of(1, Arbitraries.of("CAST(code AS INTEGER)", "CAST(name AS DOUBLE)", "CHAR_LENGTH(name)",
            "CAST(income AS INTEGER)", "CAST(big AS SMALLINT)", "POSITION('a' IN name)")));
    if (depth == 0) {
      return identity(leaf);
    }
    Arbitrary<String> sub = number(depth - 1);
    return identity(Arbitraries.frequencyOf(Tuple.of(3, leaf),
        Tuple.of(2, Combinators.combine(sub, Arbitraries.of("+", "-", "*", "/"), sub)
            .as((a, op, b) -> "(" + a + " " + op + " " + b + ")")),
        Tuple.of(1, Combinators.combine(Arbitraries.of("ABS", "FLOOR", "CEIL", "SQRT", "LN", "EXP", "SIGN"), sub)
            .as((f, a) -> f + "(" + a + ")")),
        Tuple.of(1, Combinators.combine(sub, sub).as((a, b) -> "MOD(" + a + ", " + b + ")")),
        Tuple.of(1, Combinators.combine(sub, sub).as((a, b) -> "POWER(" + a + ", " + b + ")")),
        Tuple.of(1, Combinators.combine(sub, sub).as((a, b) -> "COALESCE(" + a + ", " + b + ")"))));
  }

  private static Arbitrary<String> numberLiteral() {
    return Arbitraries.of("0", "1", "-1", "30", "1000", "0.5", "987654.321", "1e308", "-0.0", "9223372036854775807",
        "-9223372036854775808", "2147483648", "1e-300", "7654321");
  }

  private static Arbitrary<String> string() {
    return identity(Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.of(STRINGS)),
        Tuple.of(1, Combinators.combine(Arbitraries.of("UPPER", "LOWER", "TRIM"), Arbitraries.of(STRINGS))
            .as((f, c) -> f + "(" + c + ")")),
        Tuple.of(1, Combinators.combine(Arbitraries.of(STRINGS), number(0), number(0))
            .as((c, a, b) -> "SUBSTRING(" + c + " FROM " + a + " FOR " + b + ")")),
        Tuple.of(1, Combinators.combine(Arbitraries.of(STRINGS), Arbitraries.of(STRINGS))
            .as((a, b) -> a + " || " + b)),
        Tuple.of(1, Arbitraries.of(NUMERIC).map(c -> "CAST(" + c + " AS VARCHAR)"))));
  }

  private static Arbitrary<String> stringLiteral() {
    return Arbitraries.of("'north'", "'g1'", "'Zyxwvut-Qopmarn'", "''", "'x''y'", "'%'", "'caf\u00e9'", "'secret'",
        "'12'", "'NaN'", "'Infinity'", "'ab'", "' north'");
  }

  // ---- near-misses ----

  /** A mutation of a valid query at a position (taken modulo the text's length). */
  interface Mutation {
    String apply(String sql, int at);
  }

  private static Arbitrary<Mutation> mutation() {
    List<Mutation> m = List.of(
        (s, at) -> s.replace("FROM people", "FROM people a JOIN people b ON a.pid = b.pid"),
        (s, at) -> s.replace("FROM people", "FROM (SELECT * FROM people) AS t"),
        (s, at) -> s.replace("FROM people", "FROM people, people AS other"),
        (s, at) -> s.replace("FROM people", "FROM information_schema.tables"),
        (s, at) -> s.replace("FROM people", "FROM read_csv('/etc/passwd')"),
        (s, at) -> s + " UNION ALL SELECT COUNT(*) FROM people",
        (s, at) -> s.replaceFirst("SELECT ", "SELECT DISTINCT "),
        (s, at) -> s.replaceFirst("SELECT ", "SELECT /*+ no_noise */ "),
        (s, at) -> s.replaceFirst("SELECT ", "SELECT name, "),
        (s, at) -> s.replaceFirst("SELECT ", "SELECT MAX(income), "),
        (s, at) -> s.replaceFirst("SELECT ", "SELECT MEDIAN(age), "),
        (s, at) -> s.replaceFirst("SELECT ", "SELECT COUNT(*) OVER (), "),
        (s, at) -> s.replaceFirst("SELECT ", "SELECT SUM(age * 1000), "),
        (s, at) -> s.replaceFirst("SELECT ", "SELECT SUM(score), "),
        (s, at) -> s.replaceFirst("SELECT ", "SELECT (SELECT COUNT(*) FROM people), "),
        (s, at) -> s.replace(" FROM people", " FROM people WHERE pid IN (SELECT pid FROM people)")
            .replace(" WHERE pid IN (SELECT pid FROM people) WHERE ", " WHERE pid IN (SELECT pid FROM people) AND "),
        (s, at) -> s + "; DROP TABLE people",
        (s, at) -> s + "; SELECT name FROM people",
        (s, at) -> s + " -- ; DELETE FROM people",
        (s, at) -> s.contains("GROUP BY") ? s.replace("GROUP BY ", "GROUP BY pid, ") : s + " GROUP BY pid",
        (s, at) -> s.contains("GROUP BY") ? s.replace("GROUP BY ", "GROUP BY income, ") : s + " GROUP BY income",
        (s, at) -> s.replace("COUNT(*)", "COUNT(DISTINCT name)"),
        (s, at) -> s.replace("(", "(("),
        (s, at) -> deleteAt(s, at),
        (s, at) -> insertAt(s, at, "'"),
        (s, at) -> insertAt(s, at, "("),
        (s, at) -> insertAt(s, at, ";"),
        (s, at) -> insertAt(s, at, "\u0000"),
        (s, at) -> insertAt(s, at, " , "),
        (s, at) -> insertAt(s, at, " people "),
        (s, at) -> s.substring(0, at % (s.length() + 1)),
        (s, at) -> s.toLowerCase(java.util.Locale.ROOT).replace("from people", "FROM \"PEOPLE\""),
        (s, at) -> "EXPLAIN PLAN FOR " + s,
        (s, at) -> "WITH t AS (SELECT * FROM people) " + s.replace("FROM people", "FROM t"),
        (s, at) -> s.replace("SELECT", "DELETE FROM people WHERE pid IN (SELECT")) ;
    return Arbitraries.of(m);
  }

  private static String deleteAt(String s, int at) {
    if (s.isEmpty()) {
      return s;
    }
    int i = at % s.length();
    return s.substring(0, i) + s.substring(i + 1);
  }

  private static String insertAt(String s, int at, String text) {
    int i = at % (s.length() + 1);
    return s.substring(0, i) + text + s.substring(i);
  }

  /**
   * {@code arbitrary} with identity equality. jqwik memoizes generators per arbitrary in a hash map, and its
   * arbitraries hash their whole tree of nested arbitraries; over these recursive SQL trees that hashing took about
   * a third of the fuzzer's CPU time (it happens for every try). Each arbitrary here is built once, so identity is
   * the equality memoization needs; what is generated, and from which seed, does not change.
   */
  static <T> Arbitrary<T> identity(Arbitrary<T> arbitrary) {
    return new Arbitrary<>() {
      @Override
      public RandomGenerator<T> generator(int genSize) {
        return arbitrary.generator(genSize);
      }

      @Override
      public RandomGenerator<T> generatorWithEmbeddedEdgeCases(int genSize) {
        return arbitrary.generatorWithEmbeddedEdgeCases(genSize);
      }

      @Override
      public EdgeCases<T> edgeCases(int maxEdgeCases) {
        return arbitrary.edgeCases(maxEdgeCases);
      }

      @Override
      public Optional<ExhaustiveGenerator<T>> exhaustive(long maxNumberOfSamples) {
        return arbitrary.exhaustive(maxNumberOfSamples);
      }

      @Override
      public boolean isGeneratorMemoizable() {
        return arbitrary.isGeneratorMemoizable();
      }
    };
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
