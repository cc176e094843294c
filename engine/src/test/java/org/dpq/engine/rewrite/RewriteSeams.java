package org.dpq.engine.rewrite;

/** Deliberately broken rewrites for the tests of other packages (engine test-jar). Test-only. */
public final class RewriteSeams {
  private RewriteSeams() {}

  /** The rewrite with real sums added as DOUBLE in the backend's order, as before exact sums (plain SUM only). */
  public static Rewriter doubleSums() {
    return new Rewriter(true, false);
  }

  /**
   * The rewrite without the per-unit limits of the bounded aggregate (no count cap at R, no sum scaling, no clamp
   * of a unit's aggregates), while the analysis still declares the sensitivities they give.
   */
  public static Rewriter withoutPerUnitLimits() {
    return new Rewriter(false);
  }
}
