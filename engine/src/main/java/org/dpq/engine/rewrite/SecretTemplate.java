package org.dpq.engine.rewrite;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongFunction;

/**
 * A bounded query rewritten once for every per-query secret: after one release, the text is known cut where the
 * secret's literal stands, so that each later release puts its own fresh secret in without rewriting the plan again
 * (a rewrite costs milliseconds of Calcite work; the substitution, microseconds).
 *
 * <p>Privacy: owns nothing new. The secret is still drawn per release by the caller (from SecureRandom) and is the
 * only thing that varies; the text around it is a function of the plan and the dialect alone (no data is read to
 * make it). {@link #withSecret} returns exactly the text {@code render.apply(secret)} returns: the cut is learnt from
 * a release's own rendering, and kept only when cutting that text at its secret's literal and joining the pieces with
 * {@code 0} gives the rendering with secret 0 character for character. An occurrence of the secret's digits anywhere
 * else (in the analyst's SQL, say) breaks that equality, since {@code 0} is shorter than any other secret's literal;
 * then the next release renders afresh and tries again, so analyst text is never taken for the secret.
 */
public final class SecretTemplate {
  private final LongFunction<BoundedQuery> render;
  private final BoundedQuery atZero;
  /** The text around each place of the secret's literal, once learnt and checked; null before. */
  private volatile List<String> pieces;

  private SecretTemplate(LongFunction<BoundedQuery> render, BoundedQuery atZero) {
    this.render = render;
    this.atZero = atZero;
  }

  /** The template of {@code render} (a rewrite of one plan in one dialect and order, by its secret). */
  public static SecretTemplate of(LongFunction<BoundedQuery> render) {
    Objects.requireNonNull(render, "render");
    return new SecretTemplate(render, render.apply(0L));
  }

  /** The query rendered with secret 0: what dry runs check and {@code explain} shows. */
  public BoundedQuery atZero() {
    return atZero;
  }

  /** The bounded query with {@code secret} in it: the same text as rendering the plan with that secret. */
  public BoundedQuery withSecret(long secret) {
    if (secret == 0L || !atZero.keyed()) {
      return atZero; // an unkeyed text has no secret in it: the same text serves every secret
    }
    List<String> known = pieces;
    if (known != null) {
      return new BoundedQuery(join(known, Long.toString(secret)), atZero.keyCount(), atZero.measurementCount(),
          atZero.keyed());
    }
    BoundedQuery made = render.apply(secret);
    List<String> cut = split(made.sql(), Long.toString(secret));
    if (join(cut, "0").equals(atZero.sql()) && made.keyed() == atZero.keyed()
        && made.keyCount() == atZero.keyCount() && made.measurementCount() == atZero.measurementCount()) {
      pieces = List.copyOf(cut);
    }
    return made;
  }

  /** True when releases put their secret in without rendering: unkeyed, or once the cut is learnt (for tests). */
  public boolean substitutes() {
    return pieces != null || !atZero.keyed();
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

  private static String join(List<String> pieces, String literal) {
    if (pieces.size() == 1) {
      return pieces.get(0);
    }
    StringBuilder sql = new StringBuilder(pieces.stream().mapToInt(String::length).sum()
        + (pieces.size() - 1) * literal.length());
    sql.append(pieces.get(0));
    for (int i = 1; i < pieces.size(); i++) {
      sql.append(literal).append(pieces.get(i));
    }
    return sql.toString();
  }
}
