package org.dpq.engine.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.calcite.sql.SqlDialect;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.Source;
import org.dpq.errors.BackendException;
import org.junit.jupiter.api.Test;

/** Which backend a dataset's source gets, and what is said when there is none. */
class BackendsTest {
  private static final TestTable PUMS = TestTable.pums("PUMS_dup.csv");

  /** A provider that claims Spark sources and records what it was asked to open. */
  private static final class FakeProvider implements BackendProvider {
    Dataset opened;

    @Override
    public boolean supports(Source source) {
      return source instanceof Source.Spark;
    }

    @Override
    public Backend open(Dataset dataset) {
      opened = dataset;
      return new Backend() {
        @Override
        public SqlDialect dialect() {
          return SparkDialect.INSTANCE;
        }

        @Override
        public List<Object[]> execute(String sql) {
          return List.of();
        }

        @Override
        public void close() {}
      };
    }
  }

  @Test
  void csvSourcesRunOnDuckDb() {
    try (Backend b = Backends.open(PUMS.dataset(PUMS.csvSource(), 1, 1), List.of(new FakeProvider()))) {
      assertInstanceOf(DuckDbBackend.class, b);
    }
  }

  @Test
  void otherJdbcUrlsAreRefusedNamingOnlyTheSubprotocol() {
    Dataset mysql = PUMS.dataset("{ jdbc: { url: 'jdbc:mysql://alice:pw-123@db:3306/x', table: pums } }", 1, 1);
    BackendException e = assertThrows(BackendException.class, () -> Backends.open(mysql, List.of()));
    assertTrue(e.getMessage().contains("(jdbc:mysql)"), e.getMessage());
    assertTrue(e.getMessage().contains("jdbc:postgresql:"), e.getMessage());
    assertFalse(e.getMessage().contains("alice") || e.getMessage().contains("pw-123"), e.getMessage());
    assertEquals("jdbc", Backends.subprotocol("alice:pw@host"));
  }

  @Test
  void sparkSourcesGoToAProviderAndWithoutOneTheMessageSaysWhatToAdd() {
    Dataset spark = PUMS.dataset("{ spark: { table: warehouse.pums } }", 1, 1);
    FakeProvider provider = new FakeProvider();
    try (Backend b = Backends.open(spark, List.of(provider))) {
      assertSame(SparkDialect.INSTANCE, b.dialect());
      assertSame(spark, provider.opened);
    }
    BackendException e = assertThrows(BackendException.class, () -> Backends.open(spark, List.of()));
    assertTrue(e.getMessage().contains("has a spark source, but no backend for it is on the class path"),
        e.getMessage());
  }
}
