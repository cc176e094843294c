package org.dpq.engine.catalog;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Where dpq keeps what it derives from a dataset's source files to avoid re-reading them on every call: the
 * source stamps ({@link SourceStamps}), the typed local copies and, beside them, the group-limit order each query
 * shape chose. Chosen by the {@code dpq.cache.dir} system property, else the {@code DPQ_CACHE_DIR} environment
 * variable, else a {@code dpq-cache} folder beside the ledger file (beside the first source file when the ledger is
 * in PostgreSQL); the value {@code off} disables all of them (every call then hashes and reads the source again).
 *
 * <p>Owns no privacy property itself: the folder holds row-level data (the typed copy) and must be as private as
 * the source; whoever can write it can change what later queries read, exactly as whoever can write the source.
 *
 * @param dir the folder, or empty when caching is off
 */
public record CacheLocation(Optional<Path> dir) {
  /** The system property naming the cache folder, or {@code off}. */
  public static final String PROPERTY = "dpq.cache.dir";
  /** The environment variable naming the cache folder, or {@code off}, read when the property is not set. */
  public static final String ENV = "DPQ_CACHE_DIR";
  /** Caching disabled. */
  public static final CacheLocation OFF = new CacheLocation(Optional.empty());

  /** The cache folder for {@code dataset}, from the property, the environment or the ledger's folder. */
  public static CacheLocation of(Dataset dataset) {
    String configured = System.getProperty(PROPERTY);
    if (configured == null || configured.isBlank()) {
      configured = System.getenv(ENV);
    }
    if (configured != null && !configured.isBlank()) {
      return configured.strip().toLowerCase(Locale.ROOT).equals("off")
          ? OFF : new CacheLocation(Optional.of(Path.of(configured.strip()).toAbsolutePath().normalize()));
    }
    return new CacheLocation(defaultFolder(dataset));
  }

  /** A cache in {@code dir} (tests and embedding applications). */
  public static CacheLocation at(Path dir) {
    return new CacheLocation(Optional.of(dir.toAbsolutePath().normalize()));
  }

  /**
   * Creates {@code dir} (and missing parents) readable by the owner only where POSIX permissions exist: the cache
   * holds row-level data. An existing folder is left as it is.
   */
  public static void createPrivate(Path dir) throws java.io.IOException {
    if (java.nio.file.Files.isDirectory(dir)) {
      return;
    }
    try {
      java.nio.file.Files.createDirectories(dir, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
          java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
    } catch (UnsupportedOperationException e) {
      java.nio.file.Files.createDirectories(dir);
    }
  }

  /** Whether caching is on. */
  public boolean enabled() {
    return dir.isPresent();
  }

  /** The folder used when neither the property nor the environment names one. */
  static Optional<Path> defaultFolder(Dataset d) {
    Path beside = null;
    if (!d.ledger().startsWith("jdbc:")) {
      beside = Path.of(d.ledger()).toAbsolutePath().getParent();
    } else if (d.source() instanceof Source.Csv csv) {
      beside = csv.path().toAbsolutePath().getParent();
    } else if (d.source() instanceof Source.Parquet p) {
      beside = p.path().toAbsolutePath().getParent();
    }
    return Optional.ofNullable(beside).map(p -> p.resolve("dpq-cache").normalize());
  }
}
