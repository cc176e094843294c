package org.dpq.server.jdbc;

import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The open JDBC connections, each bound to the principal that opened it. Owns invariant 8 for connection state: a
 * connection id (chosen by the driver) is usable only by the principal whose token opened it; to anyone else it does
 * not exist (the same answer as for an id never opened), so one principal can neither use nor probe another's
 * connection. Bounded: each principal keeps at most {@link #MAX_PER_PRINCIPAL} connections, the least recently used
 * being forgotten first (a forgotten connection is transparently reopened by the driver).
 */
final class JdbcSessions {
  static final int MAX_PER_PRINCIPAL = 64;
  private static final int MAX_ID_LENGTH = 128;

  private final Map<String, Session> byId = new ConcurrentHashMap<>();
  private final AtomicLong clock = new AtomicLong();

  /** One connection's server-side state: its owner, its properties and its prepared statements' SQL. */
  static final class Session {
    final String owner;
    final Map<String, String> properties;
    final Map<Integer, String> prepared = new HashMap<>();
    String schema;
    private final AtomicInteger statements = new AtomicInteger();
    private volatile long lastUsed;

    Session(String owner, Map<String, String> properties) {
      this.owner = owner;
      this.properties = Map.copyOf(properties);
    }

    int nextStatementId() {
      return statements.incrementAndGet();
    }
  }

  /** Opens (or, for the same principal, reopens) a connection. */
  synchronized Session open(String id, String owner, Map<String, String> properties) {
    if (id == null || id.isEmpty() || id.length() > MAX_ID_LENGTH) {
      throw new JdbcRefusal(org.dpq.client.ErrorCode.USAGE, "the connection id must have 1 to " + MAX_ID_LENGTH
          + " characters");
    }
    Session existing = byId.get(id);
    if (existing != null && !existing.owner.equals(owner)) {
      // Never replace another principal's connection; say no more than "in use".
      throw new JdbcRefusal(org.dpq.client.ErrorCode.USAGE, "this connection id is in use; open a new connection");
    }
    long own = byId.values().stream().filter(s -> s.owner.equals(owner)).count();
    if (existing == null && own >= MAX_PER_PRINCIPAL) {
      byId.entrySet().stream().filter(e -> e.getValue().owner.equals(owner))
          .min(Comparator.comparingLong(e -> e.getValue().lastUsed)).ifPresent(e -> byId.remove(e.getKey()));
    }
    Session s = new Session(owner, properties);
    s.lastUsed = clock.incrementAndGet();
    byId.put(id, s);
    return s;
  }

  /** The caller's connection; another principal's, or an unknown one, is "no such connection" alike. */
  Session owned(String id, String caller) {
    Session s = id == null ? null : byId.get(id);
    if (s == null || !s.owner.equals(caller)) {
      throw new StacklessService.NoConnection(id == null ? "" : id.length() > MAX_ID_LENGTH ? "?" : id);
    }
    s.lastUsed = clock.incrementAndGet();
    return s;
  }

  void close(String id, String caller) {
    byId.computeIfPresent(id, (k, s) -> s.owner.equals(caller) ? null : s);
  }
}
