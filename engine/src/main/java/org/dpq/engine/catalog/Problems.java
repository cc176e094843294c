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
  private final List<String> messages = new ArrayList<>();
  private final Set<String> paths = new HashSet<>();

  /** Records {@code path: message}; {@code path} empty means the whole document. */
  void add(String path, String message) {
    paths.add(path);
    messages.add((path.isEmpty() ? "(top level)" : path) + ": " + message);
  }

  /** True when a problem was already recorded at exactly this key path. */
  boolean reported(String path) {
    return paths.contains(path);
  }

  /** True when a problem was recorded at this key path or below it. */
  boolean reportedAtOrUnder(String path) {
    return paths.stream().anyMatch(p -> p.equals(path) || p.startsWith(path + ".") || p.startsWith(path + "["));
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
