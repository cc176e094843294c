package org.dpq.engine.rewrite;

/** Deliberately broken rewrites for the tests of other packages (engine test-jar). Test-only. */
public final class RewriteSeams {
  private RewriteSeams() {}

  /** The rewrite with real sums added as DOUBLE in the backend's order, as before exact sums (plain SUM only). */
  public static Rewriter doubleSums() {
    return new Rewriter(true, false);
  }

  /** The rewrite without per-unit limits (no group limit G, row limit R, clamps): raw rows, declared bounds. */
  public static Rewriter withoutPerUnitLimits() {
    return new Rewriter(false);
  }
}
