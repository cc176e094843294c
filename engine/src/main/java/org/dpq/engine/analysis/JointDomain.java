package org.dpq.engine.analysis;

import java.util.List;

/**
 * The joint public domain of several group keys, read from a public table ({@code key_domains:}): the only key
 * combinations released, every one of them (noise on empty ones), and the only ones whose rows the rewrite keeps.
 * Owns invariant 5 for those keys together: the tuples come from the declaration and the public table alone, never
 * from private rows.
 *
 * @param table the public table the tuples come from
 * @param keys indices of the keys in the plan's GROUP BY order, in tuple order
 * @param names the keys' output names, in tuple order
 * @param tuples the distinct public tuples (each value as text, one per key), intersected with any key's own domain
 */
public record JointDomain(String table, List<Integer> keys, List<String> names, List<List<String>> tuples) {
  public JointDomain {
    keys = List.copyOf(keys);
    names = List.copyOf(names);
    tuples = tuples.stream().map(List::copyOf).toList();
  }

  /** How these keys' values are released, in words, for explain. */
  public String release() {
    int n = tuples.size();
    String what = keys.size() == 2 ? "pair" : "tuple";
    return "(" + String.join(", ", names) + "): " + n + " public " + what + (n == 1 ? "" : "s") + " from " + table;
  }
}
