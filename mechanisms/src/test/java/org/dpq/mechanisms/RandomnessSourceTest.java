package org.dpq.mechanisms;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Invariant 1 as a source scan: no main code of this module may name a non-secure or seedable random
 * source, and nothing in main code may seed a SecureRandom. (The same scan over this test directory would
 * find the seeded seam, which proves the pattern matches.)
 */
class RandomnessSourceTest {
  private static final Pattern FORBIDDEN = Pattern.compile(
      "java\\.util\\.Random\\b|new Random\\(|Math\\.random|ThreadLocalRandom|SplittableRandom|nextGaussian"
          + "|setSeed|RandomGenerator|RandomDataGenerator|Well19937|MersenneTwister");

  @Test
  void mainCodeUsesOnlySecureRandom() throws IOException {
    List<String> hits = scan(Path.of("src/main/java"));
    assertTrue(hits.isEmpty(), "forbidden randomness in main code: " + hits);
  }

  @Test
  void theScanFindsTheSeededSeam() throws IOException {
    List<String> hits = scan(Path.of("src/test/java"));
    assertTrue(hits.stream().anyMatch(h -> h.startsWith("TestRandomBits.java")), "scan pattern is broken: " + hits);
  }

  private static List<String> scan(Path root) throws IOException {
    assertTrue(Files.isDirectory(root), "run from the module directory: " + root.toAbsolutePath());
    List<String> hits = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
        List<String> lines = Files.readAllLines(f);
        for (int i = 0; i < lines.size(); i++) {
          String line = lines.get(i);
          if (FORBIDDEN.matcher(line).find()) {
            hits.add(f.getFileName() + ":" + (i + 1));
          }
        }
      }
    }
    return hits;
  }
}
