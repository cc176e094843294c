package org.dpq.server.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Session secrets, expiry and CSRF comparison, on a clock the test moves. */
class SessionsTest {
  final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
  final Sessions sessions = new Sessions(now::get);

  void advance(Duration d) {
    now.set(now.get().plus(d));
  }

  @Test
  void idsAndCsrfTokensAre256RandomBitsAndDistinct() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      Sessions.Created c = sessions.create("digest", "alice").orElseThrow();
      assertEquals(32, Base64.getUrlDecoder().decode(c.id()).length);
      assertEquals(32, Base64.getUrlDecoder().decode(c.session().csrf()).length);
      assertNotEquals(c.id(), c.session().csrf());
      assertTrue(seen.add(c.id()) && seen.add(c.session().csrf()));
    }
  }

  @Test
  void aSessionIsFoundByItsIdOnly() {
    Sessions.Created c = sessions.create("digest", "alice").orElseThrow();
    assertEquals("alice", sessions.find(c.id()).orElseThrow().principal());
    assertTrue(sessions.find(c.id().substring(1)).isEmpty());
    assertTrue(sessions.find(c.session().csrf()).isEmpty());
    assertTrue(sessions.find(null).isEmpty());
    sessions.remove(c.id());
    assertTrue(sessions.find(c.id()).isEmpty());
  }

  @Test
  void anIdleSessionExpiresAndUseKeepsItAliveUpToTheAbsoluteLimit() {
    Sessions.Created idle = sessions.create("d1", "alice").orElseThrow();
    Sessions.Created used = sessions.create("d2", "bob").orElseThrow();
    advance(Sessions.IDLE.minusSeconds(1));
    assertTrue(sessions.find(used.id()).isPresent());
    advance(Duration.ofSeconds(1));
    assertTrue(sessions.find(idle.id()).isEmpty(), "idle for IDLE");
    assertTrue(sessions.find(used.id()).isPresent(), "used IDLE-1s ago");
    Instant start = used.session().created();
    while (now.get().plus(Sessions.IDLE.dividedBy(2)).isBefore(start.plus(Sessions.ABSOLUTE))) {
      advance(Sessions.IDLE.dividedBy(2));
      assertTrue(sessions.find(used.id()).isPresent());
    }
    now.set(start.plus(Sessions.ABSOLUTE));
    assertTrue(sessions.find(used.id()).isEmpty(), "past the absolute limit although in use");
  }

  @Test
  void csrfMustMatchExactly() {
    Sessions.Session s = sessions.create("d", "alice").orElseThrow().session();
    assertTrue(Sessions.csrfMatches(s, s.csrf()));
    assertFalse(Sessions.csrfMatches(s, null));
    assertFalse(Sessions.csrfMatches(s, ""));
    assertFalse(Sessions.csrfMatches(s, s.csrf() + "x"));
    assertFalse(Sessions.csrfMatches(s, s.csrf().substring(0, 42) + (s.csrf().endsWith("A") ? "B" : "A")));
  }

  @Test
  void theNumberOfLiveSessionsIsCappedAndExpiredOnesMakeRoom() {
    for (int i = 0; i < Sessions.MAX; i++) {
      assertTrue(sessions.create("d", "alice").isPresent());
    }
    assertTrue(sessions.create("d", "alice").isEmpty());
    advance(Sessions.IDLE);
    assertTrue(sessions.create("d", "alice").isPresent());
    assertEquals(1, sessions.size());
  }
}
