package org.dpq.engine.rewrite;

/** Deliberately broken rewrites for the tests of other packages (engine test-jar). Test-only. */
public final class RewriteSeams {
  private RewriteSeams() {}

  /** The rewrite with real sums added as DOUBLE in the backend's order, as before exact sums (plain SUM only). */
  public static Rewriter doubleSums() {
    return new Rewriter(true, false);
  }
}
