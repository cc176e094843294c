package org.dpq.engine.catalog;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cheap pre-check in front of the full hash: reuse only while size, times, inode and device are unchanged. */
class SourceStampsTest {
  /**
   * A short racy window (the default is 2 s), with every file aged past it before its first hash: Linux stamps
   * files with a coarse clock (one tick is 1-10 ms), so a rewrite within one tick would keep the ctime, which is
   * exactly what the window guards against.
   */
  private static final long RACY_WINDOW = TimeUnit.MILLISECONDS.toNanos(20);

  @TempDir Path tmp;
  private Path file;
  private SourceStamps stamps;
  private final AtomicInteger hashed = new AtomicInteger();

  @BeforeEach
  void setUp() throws IOException {
    file = Files.writeString(tmp.resolve("data.csv"), "id,x\n1,10\n2,20\n");
    stamps = SourceStamps.in(CacheLocation.at(tmp.resolve("cache")), RACY_WINDOW);
    age(file);
  }

  /** Waits until the file's last change is older than the racy window (a few tens of milliseconds at most). */
  private static void age(Path p) throws IOException {
    long ctime = ((FileTime) Files.getAttribute(p, "unix:ctime")).to(TimeUnit.MILLISECONDS);
    long until = ctime + 2 * TimeUnit.NANOSECONDS.toMillis(RACY_WINDOW);
    while (System.currentTimeMillis() < until) {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** The real SHA-256 of the file, counting how often the full hash ran. */
  private final Function<Path, byte[]> sha256 = p -> {
    hashed.incrementAndGet();
    try {
      return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  };

  @Test
  void anUnchangedFileIsHashedOnceThenItsStampIsReused() {
    byte[] first = stamps.digest(file, sha256);
    byte[] second = stamps.digest(file, sha256);
    assertArrayEquals(first, second);
    assertEquals(1, hashed.get());
  }

  /** The attack a stamp of size and mtime alone would miss: same size, mtime set back. ctime still moves. */
  @Test
  void aSameSizeRewriteWithTheOldModificationTimeIsRehashed() throws IOException {
    byte[] before = stamps.digest(file, sha256);
    FileTime mtime = Files.getLastModifiedTime(file);
    Files.writeString(file, "id,x\n1,90\n2,20\n");
    Files.setLastModifiedTime(file, mtime);
    byte[] after = stamps.digest(file, sha256);
    assertEquals(2, hashed.get());
    assertNotEquals(java.util.HexFormat.of().formatHex(before), java.util.HexFormat.of().formatHex(after));
  }

  @Test
  void aTouchedFileIsRehashed() throws IOException {
    stamps.digest(file, sha256);
    Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() - 60_000));
    stamps.digest(file, sha256);
    assertEquals(2, hashed.get());
  }

  @Test
  void aFileReplacedByRenameIsRehashed() throws IOException {
    stamps.digest(file, sha256);
    Path other = Files.writeString(tmp.resolve("other.csv"), "id,x\n1,10\n2,21\n");
    Files.setLastModifiedTime(other, Files.getLastModifiedTime(file));
    Files.move(other, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    byte[] after = stamps.digest(file, sha256);
    assertEquals(2, hashed.get());
    assertArrayEquals(sha256.apply(file), after);
  }

  @Test
  void aFileChangedWithinTheRacyWindowIsNotStamped() {
    SourceStamps cautious = SourceStamps.in(CacheLocation.at(tmp.resolve("cache2")));
    cautious.digest(file, sha256); // written a moment ago: well within 2 s
    cautious.digest(file, sha256);
    assertEquals(2, hashed.get());
  }

  @Test
  void refreshingAlwaysRehashesAndRewritesTheStamp() {
    stamps.digest(file, sha256);
    stamps.refreshing().digest(file, sha256);
    stamps.refreshing().digest(file, sha256);
    assertEquals(3, hashed.get());
    stamps.digest(file, sha256);
    assertEquals(3, hashed.get());
  }

  @Test
  void aDamagedStampIsIgnored() throws IOException {
    stamps.digest(file, sha256);
    try (Stream<Path> s = Files.list(tmp.resolve("cache").resolve("stamps"))) {
      for (Path p : s.toList()) {
        String text = Files.readString(p, StandardCharsets.UTF_8);
        Files.writeString(p, text.replaceAll("sha256=[0-9a-f]+", "sha256=zz"));
      }
    }
    byte[] again = stamps.digest(file, sha256);
    assertEquals(2, hashed.get());
    assertArrayEquals(sha256.apply(file), again);
  }

  @Test
  void offAlwaysHashesAndWritesNothing() {
    SourceStamps.in(CacheLocation.OFF).digest(file, sha256);
    SourceStamps.in(CacheLocation.OFF).digest(file, sha256);
    assertEquals(2, hashed.get());
    assertEquals(false, Files.exists(tmp.resolve("cache")));
  }

  /** The fingerprint itself: a stamped file gives the same fingerprint as the full hash, and follows changes. */
  @Test
  void fingerprintsWithStampsEqualTheFullHash() throws IOException {
    String yaml = """
        name: t
        table: t
        source: { csv: data.csv }
        privacy_unit: row
        budget: { epsilon: 1, delta: 0 }
        defaults: { epsilon: 0.5, delta: 0 }
        columns:
          id: { type: int }
          x: { type: int, lower: 0, upper: 100 }
        """;
    Dataset d = DatasetLoader.parse(yaml, tmp);
    assertEquals(Fingerprint.of(d), Fingerprint.of(d, stamps));
    assertEquals(Fingerprint.of(d), Fingerprint.of(d, stamps));
    FileTime mtime = Files.getLastModifiedTime(file);
    Files.writeString(file, "id,x\n1,11\n2,20\n");
    Files.setLastModifiedTime(file, mtime);
    assertEquals(Fingerprint.of(d), Fingerprint.of(d, stamps));
    age(file);
    assertEquals(Fingerprint.of(d), Fingerprint.of(d, stamps)); // stamped now
    assertEquals(Fingerprint.of(d), Fingerprint.of(d, stamps)); // and reused
  }

  @Test
  void theDefaultFolderIsBesideTheLedger() {
    Dataset d = DatasetLoader.parse("""
        name: t
        table: t
        source: { csv: data.csv }
        privacy_unit: row
        ledger: sub/t.ledger.db
        budget: { epsilon: 1, delta: 0 }
        defaults: { epsilon: 0.5, delta: 0 }
        columns:
          id: { type: int }
        """, tmp);
    String saved = System.getProperty(CacheLocation.PROPERTY);
    try {
      System.setProperty(CacheLocation.PROPERTY, "off");
      assertEquals(CacheLocation.OFF, CacheLocation.of(d));
      System.setProperty(CacheLocation.PROPERTY, tmp.resolve("elsewhere").toString());
      assertEquals(tmp.resolve("elsewhere"), CacheLocation.of(d).dir().orElseThrow());
    } finally {
      if (saved == null) {
        System.clearProperty(CacheLocation.PROPERTY);
      } else {
        System.setProperty(CacheLocation.PROPERTY, saved);
      }
    }
    assertEquals(tmp.resolve("sub").resolve("dpq-cache"), CacheLocation.defaultFolder(d).orElseThrow());
  }
}
