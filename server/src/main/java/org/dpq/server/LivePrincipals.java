package org.dpq.server;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/**
 * The principals of a running server, re-read from {@code server.yaml} when the file changes. Owns revocation
 * without a restart: a token marked {@code revoked: true}, or a principal removed from the file, is refused from
 * the first request after the file is saved, and a principal added to it is admitted (with the allocations its
 * {@code budgets} grant, as at start-up). A change is noticed by the file's modification time and size, looked at
 * on every authentication. A file that no longer loads changes nothing: the principals in force stay, and the
 * server's log says why. Listen, ledger, datasets and limits are read at start-up only.
 */
final class LivePrincipals {
  private record Snapshot(FileTime modified, long size, ServerConfig config) {}

  private final Path file;
  private final ServedDatasets served;
  private final PrintStream log;
  private volatile Snapshot current;

  LivePrincipals(Path file, ServerConfig loaded, ServedDatasets served, PrintStream log) {
    this.file = file;
    this.served = served;
    this.log = log;
    FileTime modified = FileTime.fromMillis(0);
    long size = -1;
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      modified = a.lastModifiedTime();
      size = a.size();
    } catch (IOException e) {
      // unknown: the first look reloads
    }
    this.current = new Snapshot(modified, size, loaded);
  }

  /** The principals in force, by name, after taking in any change of the file. */
  Map<String, ServerConfig.Principal> get() {
    Snapshot seen = current;
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (IOException e) {
      return seen.config().principals(); // a file being replaced: the principals in force stay
    }
    if (a.lastModifiedTime().equals(seen.modified()) && a.size() == seen.size()) {
      return seen.config().principals();
    }
    return reload(seen, a).config().principals();
  }

  private synchronized Snapshot reload(Snapshot seen, BasicFileAttributes a) {
    if (current != seen) {
      return current; // another request reloaded it meanwhile
    }
    try {
      ServerConfig config = ServerConfig.load(file);
      served.grant(config, file);
      current = new Snapshot(a.lastModifiedTime(), a.size(), config);
      say("took in the principals of " + file.getFileName() + " (" + config.principals().size() + ")"
          + (restartNeeded(seen.config(), config) ? "; its changes to listen, ledger, datasets or limits take effect "
              + "at the next restart" : ""));
    } catch (RuntimeException e) {
      // Remembered as seen, so that the file is read again only once it changes again.
      current = new Snapshot(a.lastModifiedTime(), a.size(), seen.config());
      say(file.getFileName() + " changed but cannot be used, the principals in force stay: " + e.getMessage());
    }
    return current;
  }

  private static boolean restartNeeded(ServerConfig before, ServerConfig after) {
    return !before.listen().equals(after.listen()) || !before.ledger().equals(after.ledger())
        || !before.datasets().equals(after.datasets()) || !before.limits().equals(after.limits());
  }

  private void say(String message) {
    if (log != null) {
      log.println(Instant.now().truncatedTo(ChronoUnit.SECONDS) + " dpq serve: " + message);
    }
  }
}
