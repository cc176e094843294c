package org.dpq.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Enables {@link RequiresPostgres} classes when a PostgreSQL server answers at DPQ_PG_URL or DPQ_EXPECT_POSTGRES=1,
 * and disables them otherwise, printing once per JVM how to run them. Test-only.
 */
public final class PostgresCondition implements ExecutionCondition {
  /** The server {@code .ci/postgres-up} starts. */
  public static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/dpq?user=dpq&password=dpq";

  /** How to run the PostgreSQL suites, printed once when they are skipped. */
  static final String HOW_TO_RUN = "PostgreSQL suites skipped: no server answers at DPQ_PG_URL (default "
      + "127.0.0.1:5432). To run them: .ci/postgres-up, then DPQ_EXPECT_POSTGRES=1 "
      + "DPQ_PG_URL='" + DEFAULT_URL + "' mvn -B -ntp verify";

  private static Boolean reachable;
  private static boolean told;

  /** The server's URL: DPQ_PG_URL or the default. */
  public static String url() {
    return System.getenv().getOrDefault("DPQ_PG_URL", DEFAULT_URL);
  }

  /** True when CI promised a server (then an unreachable one is a failure, not a skip). */
  public static boolean expected() {
    return "1".equals(System.getenv("DPQ_EXPECT_POSTGRES"));
  }

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    if (expected()) {
      return ConditionEvaluationResult.enabled("DPQ_EXPECT_POSTGRES=1: the PostgreSQL suites must run");
    }
    if (reachable()) {
      return ConditionEvaluationResult.enabled("PostgreSQL answers at DPQ_PG_URL");
    }
    tellOnce();
    return ConditionEvaluationResult.disabled("PostgreSQL is not reachable at DPQ_PG_URL; run .ci/postgres-up and "
        + "set DPQ_EXPECT_POSTGRES=1 and DPQ_PG_URL to run this suite");
  }

  private static synchronized boolean reachable() {
    if (reachable == null) {
      DriverManager.setLoginTimeout(10);
      try (Connection c = DriverManager.getConnection(url())) {
        reachable = c.isValid(10);
      } catch (SQLException e) {
        reachable = false;
      }
    }
    return reachable;
  }

  private static synchronized void tellOnce() {
    if (!told) {
      told = true;
      System.out.println(HOW_TO_RUN);
    }
  }
}
