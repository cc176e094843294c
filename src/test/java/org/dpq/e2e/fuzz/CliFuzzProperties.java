package org.dpq.e2e.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.dpq.e2e.hostile.DpqProcess;
import org.dpq.e2e.hostile.HostileData;
import org.dpq.e2e.hostile.Leaks;
import org.dpq.e2e.hostile.LedgerView;

/**
 * A sample of the fuzzer's requests through the real CLI (a JVM per request, so only a few per run): each exits
 * 0 (answered and charged once), 3 (rejected, nothing charged) or 2 (e.g. a mutation left the query empty),
 * never 1 (internal) or 5 (a failure the data could trigger), and prints no stack trace and no planted value the
 * request did not contain.
 */
class CliFuzzProperties {
  private static final int TRIES = 10;

  private static Path dir;
  private static Path yaml;

  @BeforeContainer
  static void dataset() throws IOException {
    dir = Files.createTempDirectory("dpq-cli-fuzz");
    yaml = HostileData.yaml(dir, "clifuzz", "people", HostileData.people(dir, 300, 5), "1e9", "0.9");
  }

  @AfterContainer
  static void delete() throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  @Property(tries = TRIES)
  void theCliAnswersOrRejectsCleanly(@ForAll("mixed") SqlArbitraries.Request r) {
    LedgerView before = LedgerView.of(yaml);
    List<String> args = List.of("query", "--dataset", yaml.toString(), "--epsilon", r.epsilon(), "--delta",
        r.delta(), "--mechanism", r.mechanism().name().toLowerCase(java.util.Locale.ROOT), "--format", "json", "-");
    DpqProcess.Result result = DpqProcess.cli(dir, r.sql(), args);
    String shown = Leaks.redact(result.toString());
    assertTrue(result.code() == 0 || result.code() == 3 || result.code() == 2,
        "neither answered nor rejected:\n" + shown);
    assertFalse(Leaks.hasStackTrace(result.all()), "stack trace:\n" + shown);
    assertTrue(Leaks.found(result.err(), r.sql()).isEmpty(), "a planted value in the messages:\n" + shown);
    LedgerView after = LedgerView.of(yaml);
    assertEquals(result.code() == 0 && !result.out().contains("\"reused\":true") ? 1 : 0, after.chargesSince(before),
        "a charge for each answer, none for a rejection:\n" + shown);
  }

  @Provide
  Arbitrary<SqlArbitraries.Request> mixed() {
    return Arbitraries.oneOf(SqlArbitraries.requests(), SqlArbitraries.nearMisses());
  }
}
