package org.dpq.server.console;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.dpq.server.Tokens;

/**
 * The console's server-side sessions. Owns the session secrets: an id and a CSRF token of 256 random bits each
 * from {@link SecureRandom}, the id kept only as its SHA-256 (a leaked heap dump or log line cannot be replayed),
 * an idle and an absolute expiry, and a cap on how many live at once. A session remembers its login token's
 * digest, not the principal: each request re-admits that digest, so revoking or rotating the token ends it.
 */
final class Sessions {
  /** A live session: whose token logged in, the CSRF token its writes must carry, when it began and was last used. */
  record Session(String tokenSha256, String principal, String csrf, Instant created, Instant lastUsed) {}

  /** A new session and the id for its cookie (only the id's digest is kept). */
  record Created(String id, Session session) {}

  static final Duration IDLE = Duration.ofMinutes(30);
  static final Duration ABSOLUTE = Duration.ofHours(12);
  static final int MAX = 10_000;

  private static final SecureRandom RANDOM = new SecureRandom();
  private final Map<String, Session> byIdDigest = new ConcurrentHashMap<>();
  private final Supplier<Instant> clock;

  Sessions(Supplier<Instant> clock) {
    this.clock = clock;
  }

  /** Starts a session; refused (empty) when {@link #MAX} sessions are live, so logins cannot exhaust memory. */
  Optional<Created> create(String tokenSha256, String principal) {
    purgeExpired();
    if (byIdDigest.size() >= MAX) {
      return Optional.empty();
    }
    String id = random256();
    Instant now = clock.get();
    Session s = new Session(tokenSha256, principal, random256(), now, now);
    byIdDigest.put(Tokens.sha256(id), s);
    return Optional.of(new Created(id, s));
  }

  /** The live session with this id, its idle clock restarted; an expired one is removed and not returned. */
  Optional<Session> find(String id) {
    if (id == null || id.isEmpty() || id.length() > 100) {
      return Optional.empty();
    }
    String key = Tokens.sha256(id);
    Session s = byIdDigest.get(key);
    if (s == null) {
      return Optional.empty();
    }
    Instant now = clock.get();
    if (expired(s, now)) {
      byIdDigest.remove(key, s);
      return Optional.empty();
    }
    Session touched = new Session(s.tokenSha256(), s.principal(), s.csrf(), s.created(), now);
    byIdDigest.replace(key, s, touched);
    return Optional.of(touched);
  }

  /** Ends a session (logout). */
  void remove(String id) {
    if (id != null && id.length() <= 100) {
      byIdDigest.remove(Tokens.sha256(id));
    }
  }

  /** Whether {@code presented} is this session's CSRF token, compared in constant time. */
  static boolean csrfMatches(Session s, String presented) {
    return presented != null && MessageDigest.isEqual(s.csrf().getBytes(java.nio.charset.StandardCharsets.US_ASCII),
        presented.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
  }

  int size() {
    return byIdDigest.size();
  }

  private void purgeExpired() {
    Instant now = clock.get();
    byIdDigest.values().removeIf(s -> expired(s, now));
  }

  private static boolean expired(Session s, Instant now) {
    return !now.isBefore(s.lastUsed().plus(IDLE)) || !now.isBefore(s.created().plus(ABSOLUTE));
  }

  private static String random256() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
