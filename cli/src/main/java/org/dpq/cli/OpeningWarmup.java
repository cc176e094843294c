package org.dpq.cli;

/**
 * Start-up of one CLI call that will open a dataset in this process: initialises the dataset YAML reader (Jackson's
 * YAML mapper and the deserialisers of the dataset's declarations, a visible part of the {@code open} phase in a
 * fresh JVM) and loads SQLite's native library on a daemon thread while the main thread builds picocli's model of
 * the command line, so that the main thread finds them ready. Owns no privacy property and must not weaken any:
 * it reads no file (no YAML, no ledger, no data), opens nothing and keeps nothing; a failure here is ignored, and
 * the main thread then meets it where it would without the warm-up.
 */
final class OpeningWarmup {
  private OpeningWarmup() {}

  /** Starts the warm-up on a daemon thread (it never delays the exit of the process). */
  static Thread start() {
    Thread t = new Thread(OpeningWarmup::run, "dpq-opening-warmup");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Initialises the classes; true when all of it worked. */
  static boolean run() {
    try {
      Class.forName("org.dpq.engine.catalog.DatasetLoader", true, OpeningWarmup.class.getClassLoader());
      return org.sqlite.SQLiteJDBCLoader.initialize();
    } catch (Exception | LinkageError e) {
      return false;
    }
  }
}
