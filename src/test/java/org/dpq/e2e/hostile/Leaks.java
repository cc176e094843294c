package org.dpq.e2e.hostile;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The output checks every hostile case shares: no planted data value in what dpq printed (unless the analyst
 * typed it), and no stack trace. Failure messages built from dpq's output go through {@link #redact} so that a
 * failing test never prints a planted value either.
 */
public final class Leaks {
  private static final Pattern STACK_TRACE = Pattern.compile(
      "(?m)^\\s+at [\\w.$/]+\\(|Caused by: |Exception in thread |^\\s+\\.\\.\\. \\d+ more");

  private Leaks() {}

  /** The planted tokens that {@code output} contains and {@code input} (what the analyst typed) does not. */
  public static List<String> found(String output, String input) {
    String out = output.toLowerCase(Locale.ROOT);
    String in = input.toLowerCase(Locale.ROOT);
    List<String> hits = new ArrayList<>();
    for (String token : HostileData.SECRET_TOKENS) {
      String t = token.toLowerCase(Locale.ROOT);
      if (out.contains(t) && !in.contains(t)) {
        hits.add(token);
      }
    }
    return hits;
  }

  /** True when {@code text} holds a Java stack trace (or a fragment of one). */
  public static boolean hasStackTrace(String text) {
    return STACK_TRACE.matcher(text).find();
  }

  /** {@code text} with every planted token replaced by {@code <planted>}, safe to put in a failure message. */
  public static String redact(String text) {
    String out = text;
    for (String token : HostileData.SECRET_TOKENS) {
      out = Pattern.compile(Pattern.quote(token), Pattern.CASE_INSENSITIVE).matcher(out).replaceAll("<planted>");
    }
    return out;
  }
}
