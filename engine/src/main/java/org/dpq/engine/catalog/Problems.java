package org.dpq.engine.catalog;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Collects every problem found in one dataset YAML, each under its key path, so that the data owner sees all of
 * them at once. Remembers which key paths were already reported so that a badly shaped value is not also called
 * "missing". Not thread-safe: one instance per load.
 */
final class Problems {
  private final List<String> messages;
  private final Set<String> paths;
  /** The key path every path given to this view is under ({@code tables.orders}); empty at the top. */
  private final String prefix;

  Problems() {
    this(new ArrayList<>(), new HashSet<>(), "");
  }

  private Problems(List<String> messages, Set<String> paths, String prefix) {
    this.messages = messages;
    this.paths = paths;
    this.prefix = prefix;
  }

  /** A view that records into the same list, each path under {@code prefix} (one table of several). */
  Problems under(String prefix) {
    return new Problems(messages, paths, full(prefix));
  }

  private String full(String path) {
    return prefix.isEmpty() ? path : path.isEmpty() ? prefix : prefix + "." + path;
  }

  /** Records {@code path: message}; {@code path} empty means the whole document. */
  void add(String path, String message) {
    String p = full(path);
    paths.add(p);
    messages.add((p.isEmpty() ? "(top level)" : p) + ": " + message);
  }

  /** True when a problem was already recorded at exactly this key path. */
  boolean reported(String path) {
    return paths.contains(full(path));
  }

  /** True when a problem was recorded at this key path or below it. */
  boolean reportedAtOrUnder(String path) {
    String f = full(path);
    return paths.stream().anyMatch(p -> p.equals(f) || p.startsWith(f + ".") || p.startsWith(f + "["));
  }

  boolean isEmpty() {
    return messages.isEmpty();
  }

  List<String> messages() {
    return List.copyOf(messages);
  }

  /** {@code parent.child}, or {@code child} at the top. */
  static String path(String parent, String child) {
    return parent.isEmpty() ? child : parent + "." + child;
  }
}
