package org.dpq.budget;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Semaphore;
import org.dpq.errors.LedgerException;

/**
 * A small bounded pool of ledger connections, so that threads of one process contend for the database's own
 * lock (which also serialises other processes) rather than sharing one connection. Owns no privacy property.
 */
final class ConnectionPool implements AutoCloseable {
  private final Dialect dialect;
  private final Semaphore permits;
  private final Deque<Connection> idle = new ArrayDeque<>();
  private boolean closed;

  ConnectionPool(Dialect dialect, int maxConnections) {
    this.dialect = dialect;
    this.permits = new Semaphore(maxConnections, true);
  }

  Connection borrow() throws SQLException {
    permits.acquireUninterruptibly();
    try {
      Connection c;
      synchronized (this) {
        if (closed) {
          throw new LedgerException("the ledger is closed; open it again");
        }
        c = idle.pollFirst();
      }
      return c != null ? c : dialect.connect();
    } catch (SQLException | RuntimeException e) {
      permits.release();
      throw e;
    }
  }

  /** Returns a connection; a broken one is closed instead of reused. */
  void release(Connection c, boolean healthy) {
    try {
      boolean keep;
      synchronized (this) {
        keep = healthy && !closed;
        if (keep) {
          idle.addFirst(c);
        }
      }
      if (!keep) {
        closeQuietly(c);
      }
    } finally {
      permits.release();
    }
  }

  @Override
  public void close() {
    Deque<Connection> toClose;
    synchronized (this) {
      closed = true;
      toClose = new ArrayDeque<>(idle);
      idle.clear();
    }
    toClose.forEach(ConnectionPool::closeQuietly);
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException ignored) {
      // closing a broken connection: nothing else to do
    }
  }
}
