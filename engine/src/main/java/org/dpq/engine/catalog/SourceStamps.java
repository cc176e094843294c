package org.dpq.engine.catalog;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A cheap pre-check in front of {@link Fingerprint}'s full hash of a source file: a stamp of the file's metadata
 * (real path, size, modification time, status-change time, inode and device, from the {@code unix} attribute
 * view) stored with the file's last full SHA-256. When the stamp is unchanged the stored hash is reused; when
 * anything in it differs, or no stamp is stored, the file is hashed again and the stamp refreshed.
 *
 * <p>Privacy property owned: the fingerprint that guards the ledger's stored answers stays the hash of the bytes
 * for every change that the file's owner, or a process writing through the file system's ordinary calls, can make:
 * any write changes the status-change time (ctime), which no user can set back; a replaced file has another
 * inode. Only someone able to reset the clock or write the raw device could keep a stamp on changed bytes, and
 * such a person can also rewrite the ledger. A file changed within {@link #RACY_NANOS} of being hashed gets no
 * stamp (a coarse file-system clock could otherwise hide a second write in the same tick). Where there is no
 * {@code unix} view (e.g. Windows) nothing is stamped and every call hashes. {@code dpq datasets validate}
 * always rehashes and stores a fresh stamp ({@link #refreshing}).
 *
 * <p>Stamps live in {@code <cache dir>/stamps/}, one small file per source file, written atomically; an
 * unreadable or malformed stamp counts as none. A stamp holds a hash and file metadata, never data.
 */
public final class SourceStamps {
  /** A change closer than this to the hash is not trusted to show in the stamp (2 s covers FAT/HFS+ clocks). */
  static final long RACY_NANOS = TimeUnit.SECONDS.toNanos(2);
  private static final String ATTRIBUTES = "unix:size,lastModifiedTime,ctime,ino,dev";
  private static final SourceStamps OFF = new SourceStamps(Optional.empty(), true, RACY_NANOS);

  private final Optional<Path> dir;
  private final boolean rehash;
  private final long racyNanos;

  private SourceStamps(Optional<Path> dir, boolean rehash, long racyNanos) {
    this.dir = dir;
    this.rehash = rehash;
    this.racyNanos = racyNanos;
  }

  /** No stamps: every file is hashed in full on every call. */
  public static SourceStamps off() {
    return OFF;
  }

  /** Stamps kept in {@code cache}'s folder (none when the cache is off). */
  public static SourceStamps in(CacheLocation cache) {
    return in(cache, RACY_NANOS);
  }

  /** Test seam: a shorter racy window, so that a test need not wait for a fresh file to age. */
  static SourceStamps in(CacheLocation cache, long racyNanos) {
    return cache.dir().map(d -> new SourceStamps(Optional.of(d.resolve("stamps")), false, racyNanos)).orElse(OFF);
  }

  /** The same folder, but every file is hashed again and its stamp rewritten (for {@code dpq datasets validate}). */
  public SourceStamps refreshing() {
    return dir.isEmpty() ? OFF : new SourceStamps(dir, true, racyNanos);
  }

  /** The file's SHA-256: the stored one when its stamp is unchanged, else {@code hash}'s, then stamped. */
  byte[] digest(Path file, Function<Path, byte[]> hash) {
    if (dir.isEmpty()) {
      return hash.apply(file);
    }
    Path real = realPath(file);
    Optional<Stamp> before = Stamp.of(real);
    if (before.isEmpty()) {
      return hash.apply(file);
    }
    Path stampFile = dir.get().resolve(sha256Hex(real.toString()) + ".stamp");
    if (!rehash) {
      Optional<byte[]> stored = read(stampFile, before.get());
      if (stored.isPresent()) {
        return stored.get();
      }
    }
    long hashedAt = System.currentTimeMillis();
    byte[] digest = hash.apply(file);
    Optional<Stamp> after = Stamp.of(real);
    if (after.equals(before) && !racy(before.get(), hashedAt)) {
      write(stampFile, before.get(), digest);
    }
    return digest;
  }

  private boolean racy(Stamp s, long hashedAtMillis) {
    long now = TimeUnit.MILLISECONDS.toNanos(hashedAtMillis);
    return now - s.ctimeNanos() < racyNanos || now - s.mtimeNanos() < racyNanos;
  }

  private static Optional<byte[]> read(Path stampFile, Stamp current) {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(stampFile, StandardCharsets.UTF_8)) {
      p.load(r);
      if (!current.toProperties().entrySet().stream()
          .allMatch(e -> e.getValue().equals(p.getProperty((String) e.getKey())))) {
        return Optional.empty();
      }
      byte[] digest = HexFormat.of().parseHex(p.getProperty("sha256", ""));
      return digest.length == 32 ? Optional.of(digest) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // no stamp, or a damaged one: hash again
    }
  }

  private static void write(Path stampFile, Stamp stamp, byte[] digest) {
    Properties p = stamp.toProperties();
    p.setProperty("sha256", HexFormat.of().formatHex(digest));
    try {
      CacheLocation.createPrivate(stampFile.getParent());
      Path tmp = Files.createTempFile(stampFile.getParent(), "stamp", ".tmp");
      try {
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
          p.store(w, "dpq source stamp: file metadata and its SHA-256, no data");
        }
        try {
          Files.move(tmp, stampFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, stampFile, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException | UncheckedIOException e) {
      // A stamp is an optimisation only: without it the next call hashes again.
    }
  }

  private static Path realPath(Path file) {
    try {
      return file.toRealPath();
    } catch (IOException e) {
      return file.toAbsolutePath().normalize();
    }
  }

  static String sha256Hex(String text) {
    try {
      return HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }

  /** A file's metadata as compared by the pre-check. */
  record Stamp(String path, long size, long mtimeNanos, long ctimeNanos, long inode, long device) {
    static Optional<Stamp> of(Path real) {
      try {
        Map<String, Object> a = Files.readAttributes(real, ATTRIBUTES);
        return Optional.of(new Stamp(real.toString(), ((Number) a.get("size")).longValue(),
            nanos(a.get("lastModifiedTime")), nanos(a.get("ctime")), ((Number) a.get("ino")).longValue(),
            ((Number) a.get("dev")).longValue()));
      } catch (UnsupportedOperationException | IllegalArgumentException | IOException | ClassCastException
          | NullPointerException e) {
        return Optional.empty();
      }
    }

    private static long nanos(Object time) {
      return ((FileTime) time).to(TimeUnit.NANOSECONDS);
    }

    Properties toProperties() {
      Properties p = new Properties();
      p.setProperty("path", path);
      p.setProperty("size", Long.toString(size));
      p.setProperty("mtime", Long.toString(mtimeNanos));
      p.setProperty("ctime", Long.toString(ctimeNanos));
      p.setProperty("ino", Long.toString(inode));
      p.setProperty("dev", Long.toString(device));
      return p;
    }
  }
}
