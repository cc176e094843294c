package org.dpq.engine.rewrite;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongFunction;

/**
 * A bounded query rewritten once for every per-query secret: the text is cut where the secret's literal stands, so
 * that each release puts its own fresh secret in without rewriting the plan again (a rewrite costs milliseconds of
 * Calcite work per release; the substitution, microseconds).
 *
 * <p>Privacy: owns nothing new. The secret is still drawn per release by the caller (from SecureRandom) and is the
 * only thing that varies; the text around it is a function of the plan and the dialect alone (no data is read to
 * make it). {@link #withSecret} returns exactly the text {@code render.apply(secret)} returns: the template is made
 * from two renderings with two different probe secrets, and is used only when cutting the first at its probe's
 * literal and joining the pieces with the second's literal gives the second rendering character for character. Any
 * other occurrence of a probe's digits (in the analyst's SQL, say) breaks that equality, and such a template renders
 * every release afresh, as before, so analyst text can never be mistaken for the secret.
 */
public final class SecretTemplate {
  /** Two probe secrets: large, of both signs, with no digit pattern an analyst is likely to type by chance. */
  static final long PROBE_A = 7_212_443_917_533_018_627L;
  static final long PROBE_B = -5_830_981_022_476_194_389L;

  private final LongFunction<BoundedQuery> render;
  /** The text around each occurrence of the secret's literal; null when the check failed (render each time). */
  private final List<String> pieces;
  private final BoundedQuery shape;

  private SecretTemplate(LongFunction<BoundedQuery> render, List<String> pieces, BoundedQuery shape) {
    this.render = render;
    this.pieces = pieces;
    this.shape = shape;
  }

  /**
   * The template of {@code render} (a rewrite of one plan in one dialect and order, by its secret), which is called
   * twice here and again per release only when the check above fails.
   */
  public static SecretTemplate of(LongFunction<BoundedQuery> render) {
    Objects.requireNonNull(render, "render");
    BoundedQuery a = render.apply(PROBE_A);
    BoundedQuery b = render.apply(PROBE_B);
    List<String> pieces = split(a.sql(), Long.toString(PROBE_A));
    boolean exact = join(pieces, PROBE_B).equals(b.sql()) && a.keyed() == b.keyed()
        && a.keyCount() == b.keyCount() && a.measurementCount() == b.measurementCount();
    return new SecretTemplate(render, exact ? List.copyOf(pieces) : null, a);
  }

  /** The bounded query with {@code secret} in it: the same text as rendering the plan with that secret. */
  public BoundedQuery withSecret(long secret) {
    if (pieces == null) {
      return render.apply(secret);
    }
    return new BoundedQuery(join(pieces, secret), shape.keyCount(), shape.measurementCount(), shape.keyed());
  }

  /** False when the check failed and every release is rendered afresh (for tests and the plan log). */
  public boolean substitutes() {
    return pieces != null;
  }

  private static List<String> split(String text, String literal) {
    List<String> out = new ArrayList<>();
    int from = 0;
    for (int at = text.indexOf(literal); at >= 0; at = text.indexOf(literal, from)) {
      out.add(text.substring(from, at));
      from = at + literal.length();
    }
    out.add(text.substring(from));
    return out;
  }

  private static String join(List<String> pieces, long secret) {
    if (pieces.size() == 1) {
      return pieces.get(0);
    }
    String literal = Long.toString(secret);
    StringBuilder sql = new StringBuilder(pieces.stream().mapToInt(String::length).sum()
        + (pieces.size() - 1) * literal.length());
    sql.append(pieces.get(0));
    for (int i = 1; i < pieces.size(); i++) {
      sql.append(literal).append(pieces.get(i));
    }
    return sql.toString();
  }
}
