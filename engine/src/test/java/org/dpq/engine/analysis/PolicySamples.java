package org.dpq.engine.analysis;

import java.util.LinkedHashMap;
import java.util.Map;
import org.dpq.errors.QueryRejectedException;

/**
 * One WHERE condition per rule of {@link ExpressionPolicy}, over a table {@code people} with {@code pid} (int),
 * {@code name} (text), {@code age} (int) and {@code income} (double), run on every backend to show that each
 * allowed function is spelled so that the backend knows it. A rule without a sample fails
 * {@code ExpressionPolicyTest}.
 */
public final class PolicySamples {
  private PolicySamples() {}

  /**
   * The samples of every rule that never fails, joined with AND into one condition (one query checks them all on
   * a slow backend), and then each other sample alone: rule name, or "never failing", to its condition.
   */
  public static Map<String, String> batched() {
    Map<String, String> batched = new LinkedHashMap<>();
    java.util.List<String> never = new java.util.ArrayList<>();
    for (var e : all().entrySet()) {
      if (ExpressionPolicy.rule(e.getKey()).orElseThrow().failure() == ExpressionPolicy.Failure.NEVER) {
        never.add("(" + e.getValue() + ")");
      }
    }
    batched.put("never failing", String.join(" AND ", never));
    for (var e : all().entrySet()) {
      if (ExpressionPolicy.rule(e.getKey()).orElseThrow().failure() != ExpressionPolicy.Failure.NEVER) {
        batched.put(e.getKey(), e.getValue());
      }
    }
    return batched;
  }

  /** True when {@code key} of {@link #batched()} may be refused on a backend without TRY (it can fail on a row). */
  public static boolean mayBeRefused(String key) {
    return !"never failing".equals(key)
        && ExpressionPolicy.rule(key).orElseThrow().failure() != ExpressionPolicy.Failure.NEVER;
  }

  /**
   * Runs every sample of {@link #batched()} through {@code count} (the value of {@code COUNT(*) AS n} of the query
   * it is given) on a backend without TRY: each must be answered, or, for a function that can fail on some rows,
   * refused before the charge as such.
   */
  public static void checkOn(String backend, java.util.function.Function<String, Object> count) {
    for (var sample : batched().entrySet()) {
      String sql = "SELECT COUNT(*) AS n FROM people WHERE " + sample.getValue();
      try {
        Object n = count.apply(sql);
        if (!(n instanceof Long)) {
          throw new AssertionError(backend + ", " + sample.getKey() + ": a count that is not a Long");
        }
      } catch (QueryRejectedException e) {
        if (!(mayBeRefused(sample.getKey()) && e.getMessage().contains("could fail"))) {
          throw new AssertionError(backend + ", " + sample.getKey() + ": " + e.getMessage());
        }
      }
    }
  }

  /** Rule name to a condition that uses it. */
  public static Map<String, String> all() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("AND", "age > 1 AND age < 90");
    m.put("OR", "age < 1 OR age > 20");
    m.put("NOT", "NOT (age > 200)");
    m.put("IS NULL", "name IS NULL OR age > 0");
    m.put("IS NOT NULL", "name IS NOT NULL");
    m.put("IS TRUE", "(age > 1) IS TRUE");
    m.put("IS NOT TRUE", "(age > 200) IS NOT TRUE");
    m.put("IS FALSE", "(age > 200) IS FALSE");
    m.put("IS NOT FALSE", "(age > 1) IS NOT FALSE");
    m.put("=", "name = 'n1' OR age > 0");
    m.put("<>", "name <> 'zz'");
    m.put("<", "age < 200");
    m.put("<=", "age <= 200");
    m.put(">", "age > 0");
    m.put(">=", "age >= 0");
    m.put("IS DISTINCT FROM", "name IS DISTINCT FROM 'zz'");
    m.put("IS NOT DISTINCT FROM", "name IS NOT DISTINCT FROM name");
    m.put("IN / BETWEEN (SEARCH)", "age IN (1, 2, 3) OR age BETWEEN 5 AND 200");
    m.put("CASE", "CASE WHEN age > 1 THEN TRUE ELSE FALSE END");
    m.put("COALESCE", "COALESCE(name, 'x') <> 'zz'");
    m.put("NULLIF", "NULLIF(name, 'zz') IS NOT NULL");
    m.put("LEAST", "LEAST(age, 150) > 0");
    m.put("GREATEST", "GREATEST(age, 0) >= 0");
    m.put("LIKE", "name LIKE 'n%'");
    m.put("CAST", "CAST(age AS BIGINT) > 0");
    m.put("+", "age + 1 > 0");
    m.put("-", "age - 1 > -5");
    m.put("*", "age * 2 > 0");
    m.put("/", "age / 2 >= 0");
    m.put("MOD", "MOD(age, 7) >= 0");
    m.put("unary -", "-age < 0");
    m.put("unary +", "+age > 0");
    m.put("ABS", "ABS(income) >= 0");
    m.put("FLOOR", "FLOOR(income) >= 0");
    m.put("CEIL", "CEIL(income) >= 0");
    m.put("SIGN", "SIGN(income) >= 0");
    m.put("ROUND", "ROUND(income, 1) >= 0");
    m.put("TRUNCATE", "TRUNCATE(income, 1) >= 0");
    m.put("SQRT", "SQRT(income) >= 0");
    m.put("LN", "LN(income + 1) >= 0");
    m.put("EXP", "EXP(age / 100) >= 1");
    m.put("POWER", "POWER(age, 2) >= 0");
    // people has no date column: a date that depends on the row (so that no backend folds it away)
    String day = "CASE WHEN age > 30 THEN DATE '2021-05-17' ELSE DATE '2019-11-02' END";
    m.put("EXTRACT", "EXTRACT(YEAR FROM " + day + ") > 2000 AND EXTRACT(QUARTER FROM " + day + ") >= 1 "
        + "AND EXTRACT(MONTH FROM " + day + ") <= 12 AND EXTRACT(DAY FROM " + day + ") >= 1");
    m.put(ExpressionPolicy.TIME_FLOOR, "FLOOR(" + day + " TO MONTH) >= DATE '2019-01-01' AND FLOOR(" + day
        + " TO QUARTER) >= DATE '2019-01-01' AND FLOOR(" + day + " TO YEAR) >= DATE '2019-01-01' "
        + "AND FLOOR(" + day + " TO WEEK) >= DATE '2019-01-01' AND FLOOR(" + day + " TO DAY) >= DATE '2019-01-01'");
    m.put("||", "name || 'x' <> 'zz'");
    m.put("UPPER", "UPPER(name) <> 'zz'");
    m.put("LOWER", "LOWER(name) <> 'zz'");
    m.put("TRIM", "TRIM(name) <> 'zz'");
    m.put("CHAR_LENGTH", "CHAR_LENGTH(name) > 0");
    m.put("CHARACTER_LENGTH", "CHARACTER_LENGTH(name) > 0");
    m.put("SUBSTRING", "SUBSTRING(name FROM 1 FOR 2) <> 'zz'");
    m.put("POSITION", "POSITION('n' IN name) >= 0");
    return m;
  }
}
