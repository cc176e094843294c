package org.dpq.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class that needs the PostgreSQL server named by DPQ_PG_URL (default: the one {@code .ci/postgres-up}
 * starts). Without a reachable server, and unless DPQ_EXPECT_POSTGRES=1 says one must be there, the class is
 * reported as skipped (not as zero tests) and one line per test JVM says how to run it; with DPQ_EXPECT_POSTGRES=1
 * it runs and fails if the server is unreachable. Test-only.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(PostgresCondition.class)
public @interface RequiresPostgres {}
