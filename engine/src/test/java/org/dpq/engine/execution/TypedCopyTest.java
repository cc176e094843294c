package org.dpq.engine.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.dpq.engine.catalog.CacheLocation;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.DatasetLoader;
import org.dpq.engine.catalog.Fingerprint;
import org.dpq.errors.BackendException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The typed local copy: used only when whole and of the same data, rebuilt otherwise, one writer at a time. */
class TypedCopyTest {
  @TempDir Path tmp;

  private Dataset dataset(String content, String options) throws IOException {
    Files.writeString(tmp.resolve("t.csv"), content);
    return DatasetLoader.parse("""
        name: t
        table: t
        source: { csv: t.csv%s }
        privacy_unit: row
        budget: { epsilon: 1, delta: 0 }
        defaults: { epsilon: 0.5, delta: 0 }
        columns:
          id: { type: int }
          x: { type: double, lower: 0, upper: 100 }
          d: { type: date }
        """.formatted(options), tmp);
  }

  private Dataset dataset() throws IOException {
    return dataset("id,x,d\n1,1.5,2024-01-02\n2,,2024-02-03\n3,2.5,\n", "");
  }

  private Optional<TypedCopy> copy(Dataset d) {
    return TypedCopy.of(CacheLocation.at(tmp.resolve("cache")), d.name(), Fingerprint.of(d));
  }

  private static String summary(Backend b) {
    Object[] r = b.execute("SELECT COUNT(*), COUNT(x), SUM(x), COUNT(d), MAX(d) FROM t").get(0);
    return r[0] + "," + r[1] + "," + r[2] + "," + r[3] + "," + r[4];
  }

  private List<Path> cacheFiles() throws IOException {
    try (Stream<Path> s = Files.list(tmp.resolve("cache"))) {
      return s.filter(p -> !p.getFileName().toString().endsWith(".lock")).toList();
    }
  }

  @Test
  void theFirstOpenWritesTheCopyAndLaterOnesReadItInsteadOfTheSource() throws IOException {
    Dataset d = dataset();
    Optional<TypedCopy> copy = copy(d);
    String fromSource;
    try (DuckDbBackend b = DuckDbBackend.open(d, copy)) {
      fromSource = summary(b);
    }
    assertEquals("3,2,4.0,2,2024-02-03", fromSource);
    assertEquals(List.of(copy.get().file()), cacheFiles());
    assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
        Files.getPosixFilePermissions(tmp.resolve("cache")))); // row-level data: the owner's only
    // Same fingerprint key, other bytes in the file: what is read is the copy, not the source.
    Files.writeString(tmp.resolve("t.csv"), "id,x,d\n9,9,2020-01-01\n");
    try (DuckDbBackend b = DuckDbBackend.open(d, copy)) {
      assertEquals(fromSource, summary(b));
    }
  }

  @Test
  void theCopyKeepsTheUnparsableCountsAndTheThreshold() throws IOException {
    Dataset d = dataset("id,x,d\n1,abc,2024-01-02\n2,3,2024-02-03\n", ", max_unparsable_fraction: 0.5");
    Optional<TypedCopy> copy = copy(d);
    List<UnparsableCells> first;
    try (DuckDbBackend b = DuckDbBackend.open(d, copy)) {
      first = b.unparsableCells();
    }
    try (DuckDbBackend b = DuckDbBackend.open(d, copy)) {
      assertEquals(first, b.unparsableCells());
      assertEquals(1, b.unparsableCells().stream().filter(c -> c.column().equals("x")).findFirst().orElseThrow()
          .unparsable());
    }
    Dataset strict = dataset("id,x,d\n1,abc,2024-01-02\n2,3,2024-02-03\n", "");
    Optional<TypedCopy> strictCopy = copy(strict);
    assertEquals(copy.get().file(), strictCopy.get().file()); // the threshold is not part of the data
    BackendException e = assertThrows(BackendException.class, () -> DuckDbBackend.open(strict, strictCopy));
    assertTrue(e.getMessage().contains("max_unparsable_fraction"), e.getMessage());
    assertFalse(e.getMessage().contains("abc"), e.getMessage());
  }

  @Test
  void aCorruptCopyIsRebuiltNotTrusted() throws IOException {
    Dataset d = dataset();
    Optional<TypedCopy> copy = copy(d);
    Files.createDirectories(copy.get().file().getParent());
    Files.write(copy.get().file(), new byte[8192]); // zeros: not a DuckDB database
    try (DuckDbBackend b = DuckDbBackend.open(d, copy)) {
      assertEquals("3,2,4.0,2,2024-02-03", summary(b));
    }
    assertEquals(Optional.of(Fingerprint.of(d)), storedFingerprint(copy.get().file()));
  }

  @Test
  void aCopyOfOtherDataUnderThisNameIsRebuilt() throws IOException {
    Dataset other = dataset("id,x,d\n7,50,2021-01-01\n", "");
    Optional<TypedCopy> otherCopy = copy(other);
    try (DuckDbBackend b = DuckDbBackend.open(other, otherCopy)) {
      assertEquals("1,1,50.0,1,2021-01-01", summary(b));
    }
    Dataset d = dataset();
    Optional<TypedCopy> copy = copy(d);
    Files.move(otherCopy.get().file(), copy.get().file()); // a whole copy, but of other data
    try (DuckDbBackend b = DuckDbBackend.open(d, copy)) {
      assertEquals("3,2,4.0,2,2024-02-03", summary(b));
    }
    assertEquals(Optional.of(Fingerprint.of(d)), storedFingerprint(copy.get().file()));
  }

  /** A changed source gets a new copy, and the dataset's copy of the old data is deleted (no growth per change). */
  @Test
  void aCopyOfNewDataReplacesTheDatasetsOlderCopy() throws IOException {
    Dataset before = dataset();
    DuckDbBackend.open(before, copy(before)).close();
    Dataset after = dataset("id,x,d\n1,7,2024-01-02\n", "");
    Optional<TypedCopy> copy = copy(after);
    try (DuckDbBackend b = DuckDbBackend.open(after, copy)) {
      assertEquals("1,1,7.0,1,2024-01-02", summary(b));
    }
    assertEquals(List.of(copy.get().file()), cacheFiles());
    assertTrue(copy.get().file().getFileName().toString().startsWith("t."), copy.get().file().toString());
  }

  @Test
  void concurrentOpensBuildOneValidCopy() throws Exception {
    Dataset d = dataset();
    Optional<TypedCopy> copy = copy(d);
    int threads = 4;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      Callable<String> open = () -> {
        start.await();
        try (DuckDbBackend b = DuckDbBackend.open(d, copy)) {
          return summary(b);
        }
      };
      List<Future<String>> results = Stream.generate(() -> pool.submit(open)).limit(threads).toList();
      start.countDown();
      for (Future<String> f : results) {
        assertEquals("3,2,4.0,2,2024-02-03", f.get());
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(List.of(copy.get().file()), cacheFiles()); // no temporary file left, one copy
    assertEquals(Optional.of(Fingerprint.of(d)), storedFingerprint(copy.get().file()));
  }

  /** The copy is attached read-only and the database locked down: SQL can neither change it nor read a file. */
  @Test
  void theAttachedCopyCannotBeWrittenNorUsedToReachFiles() throws IOException {
    Dataset d = dataset();
    Optional<TypedCopy> copy = copy(d);
    DuckDbBackend.open(d, copy).close();
    try (DuckDbBackend b = DuckDbBackend.open(d, copy)) {
      assertThrows(BackendException.class, () -> b.execute("DELETE FROM " + TypedCopy.ATTACHED + ".main.dpq_data"));
      assertThrows(BackendException.class,
          () -> b.execute("SELECT * FROM read_csv('" + tmp.resolve("t.csv") + "')"));
      assertThrows(BackendException.class, () -> b.execute("ATTACH '" + tmp.resolve("x.duckdb") + "' AS x"));
      assertEquals("3,2,4.0,2,2024-02-03", summary(b));
    }
  }

  @Test
  void aParquetSourceIsCopiedTooAndAMistypedOneNever() throws Exception {
    Path file = tmp.resolve("t.parquet");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("COPY (SELECT CAST(i AS BIGINT) AS id, i * 0.5 AS x, DATE '2024-01-01' + CAST(i AS INTEGER) AS d "
          + "FROM range(10) r(i)) TO '" + file + "' (FORMAT parquet)");
    }
    String yaml = """
        name: p
        table: t
        source: { parquet: t.parquet }
        privacy_unit: row
        budget: { epsilon: 1, delta: 0 }
        defaults: { epsilon: 0.5, delta: 0 }
        columns:
          id: { type: %s }
          x: { type: double, lower: 0, upper: 100 }
          d: { type: date }
        """;
    Dataset d = DatasetLoader.parse(yaml.formatted("long"), tmp);
    Optional<TypedCopy> copy = copy(d);
    try (DuckDbBackend b = DuckDbBackend.open(d, copy)) {
      assertEquals("10,10,22.5,10,2024-01-10", summary(b));
    }
    assertTrue(Files.exists(copy.get().file()));
    try (DuckDbBackend b = DuckDbBackend.open(d, copy)) {
      assertEquals("10,10,22.5,10,2024-01-10", summary(b));
    }
    Dataset mistyped = DatasetLoader.parse(yaml.formatted("long").replace("x: { type: double", "x: { type: int"), tmp);
    Optional<TypedCopy> mistypedCopy = copy(mistyped);
    assertThrows(BackendException.class, () -> DuckDbBackend.open(mistyped, mistypedCopy));
    assertFalse(Files.exists(mistypedCopy.get().file()));
  }

  @Test
  void offWritesNothing() throws IOException {
    Dataset d = dataset();
    assertEquals(Optional.empty(), TypedCopy.of(CacheLocation.OFF, d.name(), Fingerprint.of(d)));
    try (DuckDbBackend b = DuckDbBackend.open(d, Optional.empty())) {
      assertEquals("3,2,4.0,2,2024-02-03", summary(b));
    }
    assertFalse(Files.exists(tmp.resolve("cache")));
  }

  private static Optional<String> storedFingerprint(Path file) {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("ATTACH '" + file + "' AS f (READ_ONLY)");
      try (ResultSet r = s.executeQuery("SELECT value FROM f.main.dpq_meta WHERE key = 'fingerprint'")) {
        return r.next() ? Optional.of(r.getString(1)) : Optional.empty();
      }
    } catch (Exception e) {
      return Optional.empty();
    }
  }
}
