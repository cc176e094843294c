package org.dpq.engine;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.dpq.engine.execution.DuckDbDialect;
import org.dpq.engine.release.ReleaseKey;
import org.dpq.engine.rewrite.Rewriter;

/**
 * The stored-answer key dpq used before issue 12, kept as a deliberately broken variant for the tests that show
 * the reuse channel closed: the bounded SQL (DuckDB), the post-processing's text and the noise plan, but not the
 * derivation of the released aggregates from the measurements, so {@code VARIANCE(x) AS v} and
 * {@code STDDEV(x) AS v} share a key and the second is answered with the first's value. Test-only.
 */
public final class LegacyReleaseKey {
  /** The old key. */
  public static final ReleaseKey.Scheme SCHEME = (plan, noisePlan, requested, choice) -> {
    String template = new Rewriter().rewrite(plan, DuckDbDialect.INSTANCE, 0L).sql();
    String planDescription = template + "\n" + plan.post() + "\n" + noisePlan;
    return sha256(planDescription + "\n" + requested + "\n" + choice);
  };

  private LegacyReleaseKey() {}

  private static String sha256(String text) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
