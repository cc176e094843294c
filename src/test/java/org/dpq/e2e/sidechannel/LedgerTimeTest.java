package org.dpq.e2e.sidechannel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.dpq.budget.LedgerEntry;
import org.dpq.e2e.hostile.HostileData;
import org.dpq.engine.Dpq;
import org.dpq.engine.QueryOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ledger as a stopwatch: CHARGE and RELEASE/ABANDON entries used to carry sub-second times, so anyone reading
 * the history saw each query's latency without timing it. Times are now whole seconds, and a closing entry carries
 * its charge's time, so the history measures no query's duration. The broken variant (the old entries' times)
 * fails the same check.
 */
class LedgerTimeTest {
  /** One entry's kind, time and the charge it closes (0 for none). */
  record Stamp(String kind, Instant time, long sequence, long refersTo) {}

  /** A description of what the history reveals about latency or sub-second timing, or empty. */
  static Optional<String> latencyVisible(List<Stamp> stamps) {
    Map<Long, Instant> charges = new HashMap<>();
    for (Stamp s : stamps) {
      if (s.time().getNano() != 0) {
        return Optional.of("entry " + s.sequence() + " has a sub-second time");
      }
      if ("CHARGE".equals(s.kind())) {
        charges.put(s.sequence(), s.time());
      }
      if (("RELEASE".equals(s.kind()) || "ABANDON".equals(s.kind())) && charges.containsKey(s.refersTo())
          && !charges.get(s.refersTo()).equals(s.time())) {
        return Optional.of("entry " + s.sequence() + " closes its charge "
            + Duration.between(charges.get(s.refersTo()), s.time()) + " later");
      }
    }
    return Optional.empty();
  }

  private static List<Stamp> stamps(List<LedgerEntry> history) {
    return history.stream().map(e -> new Stamp(e.kind(), e.time(), e.sequence(),
        e.refersTo() == null ? 0 : e.refersTo())).toList();
  }

  @Test
  void theHistoryMeasuresNoQuerysDuration(@TempDir Path dir) {
    Path csv = HostileData.people(dir.resolve("data"), 40, 7);
    try (Dpq dpq = Dpq.open(HostileData.yaml(dir, "times", "people", csv, "10", "1e-5"))) {
      for (String e : List.of("0.5", "0.25", "0.125")) {
        dpq.query("SELECT grp, COUNT(*) AS n FROM people GROUP BY grp", QueryOptions.defaults().withEpsilon(e)
            .withDelta("1e-7"));
      }
      List<Stamp> stamps = stamps(dpq.history());
      assertTrue(stamps.stream().anyMatch(s -> s.kind().equals("RELEASE")));
      assertEquals(Optional.empty(), latencyVisible(stamps));
    }
  }

  @Test
  void theOldEntriesWouldFailTheSameCheck() {
    Instant charged = Instant.parse("2026-12-04T16:00:00.123456Z");
    List<Stamp> old = List.of(new Stamp("CHARGE", charged, 2, 0),
        new Stamp("RELEASE", charged.plusMillis(3_412), 3, 2));
    assertFalse(latencyVisible(old).isEmpty());
    Instant whole = Instant.parse("2026-12-04T16:00:00Z");
    assertFalse(latencyVisible(List.of(new Stamp("CHARGE", whole, 2, 0), new Stamp("RELEASE", whole.plusSeconds(3),
        3, 2))).isEmpty(), "whole seconds alone would still show a 3-second query");
  }
}
