package org.dpq.engine.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.dpq.engine.catalog.DatasetLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DuckDB's memory cap and spill folder reach the database before the source is loaded, and a query that needs
 * more than the cap answers by spilling to the backend's own folder instead of failing.
 */
class DuckDbMemoryTest {
  private static DuckDbBackend open(Path dir, String limits) throws Exception {
    Path csv = Files.writeString(dir.resolve("t.csv"), "uid,x\n1,2\n2,3\n");
    String yaml = """
        name: t
        table: t
        source: { csv: t.csv }
        privacy_unit: uid
        max_groups_contributed: 1
        max_rows_per_group: 1
        budget: { epsilon: 1, delta: 1.0e-6 }
        defaults: { epsilon: 0.5, delta: 1.0e-7 }
        %s
        columns:
          uid: { type: int }
          x:   { type: int, lower: 0, upper: 10 }
        """.formatted(limits);
    return DuckDbBackend.open(DatasetLoader.parse(yaml, dir));
  }

  private static String setting(DuckDbBackend backend, String name) {
    return String.valueOf(backend.execute("SELECT current_setting('" + name + "')").get(0)[0]);
  }

  /** DuckDB's "91.5 MiB" or "11.7 GiB" as bytes. */
  private static double bytes(String setting) {
    String[] parts = setting.split(" ");
    int power = List.of("bytes", "KiB", "MiB", "GiB", "TiB").indexOf(parts[1]);
    assertTrue(power >= 0, "unexpected unit: " + setting);
    return Double.parseDouble(parts[0]) * Math.pow(1024, power);
  }

  @Test
  void theDeclaredMemoryCapAndAnOwnerOnlySpillFolderReachDuckDb(@TempDir Path dir) throws Exception {
    String parent = System.getProperty(DuckDbBackend.SPILL_PARENT_PROPERTY);
    Path spills = Files.createDirectories(dir.resolve("spills"));
    System.setProperty(DuckDbBackend.SPILL_PARENT_PROPERTY, spills.toString());
    Path folder;
    try (DuckDbBackend backend = open(dir, "limits: { memory_mb: 96, threads: 1 }")) {
      // DuckDB reports the cap rounded, in binary units: 96 MB = 96 * 10^6 bytes = 91.55 MiB
      assertEquals(96e6, bytes(setting(backend, "memory_limit")), 0.1 * (1 << 20));
      assertEquals("1", setting(backend, "threads"));
      folder = Path.of(setting(backend, "temp_directory"));
      assertEquals(spills, folder.getParent(), "the spill folder lies under -D" + DuckDbBackend.SPILL_PARENT_PROPERTY);
      assertTrue(folder.getFileName().toString().startsWith("dpq-duckdb-spill-"), folder.toString());
      assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(folder)));
      // ~4M distinct groups need far more than 96 MB of hash table: answered by spilling, not refused
      List<Object[]> rows = backend.execute("SELECT COUNT(*), SUM(c) FROM (SELECT i % 4000000 AS k, COUNT(*) AS c "
          + "FROM range(8000000) r(i) GROUP BY k) g");
      assertEquals(4_000_000L, ((Number) rows.get(0)[0]).longValue());
      assertEquals(8_000_000L, ((Number) rows.get(0)[1]).longValue());
    } finally {
      if (parent == null) {
        System.clearProperty(DuckDbBackend.SPILL_PARENT_PROPERTY);
      } else {
        System.setProperty(DuckDbBackend.SPILL_PARENT_PROPERTY, parent);
      }
    }
    assertFalse(Files.exists(folder), "close deletes the spill folder");
  }

  @Test
  void withoutADeclaredCapDuckDbGetsHalfOfTheMachinesMemory(@TempDir Path dir) throws Exception {
    try (DuckDbBackend backend = open(dir, "")) {
      long machineMb = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
          .getOperatingSystemMXBean()).getTotalMemorySize() >> 20;
      double expected = Math.max(256, machineMb / 2) * 1e6;
      double cap = bytes(setting(backend, "memory_limit"));
      assertEquals(expected, cap, 0.01 * expected, "half of " + machineMb + " MB");
      assertTrue(Path.of(setting(backend, "temp_directory")).getFileName().toString().startsWith("dpq-duckdb-spill-"));
    }
  }
}
