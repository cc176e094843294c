package org.dpq.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDirFactory;

/**
 * Temporary folders in memory ({@code /dev/shm} where the machine has one, the default temporary folder otherwise),
 * for suites that run thousands of queries against one ledger and check what the ledger records, not that it
 * survives a power cut: the SQLite ledger syncs every charge and every release to disk (WAL, synchronous=FULL),
 * about 3 ms per sync on a shared 2-core machine, two or more per query. In memory a sync costs nothing and
 * everything else (the charges, the hash chain, the stored answers, what each test asserts) is the same. Suites
 * about durability, restarts or time (e.g. the side-channel and race suites) keep the default folder.
 *
 * <p>Use as {@code @TempDir(factory = MemoryTempDir.class)}, or {@link #create(String)} where a suite makes its own.
 */
public final class MemoryTempDir implements TempDirFactory {
  private static final Path SHM = Path.of("/dev/shm");

  @Override
  public Path createTempDirectory(AnnotatedElementContext elementContext, ExtensionContext extensionContext)
      throws IOException {
    return create("junit");
  }

  /** A new empty folder named {@code prefix...}, in memory if the machine has {@code /dev/shm}. */
  public static Path create(String prefix) throws IOException {
    if (Files.isDirectory(SHM) && Files.isWritable(SHM)) {
      return Files.createTempDirectory(SHM, prefix);
    }
    return Files.createTempDirectory(prefix);
  }
}
