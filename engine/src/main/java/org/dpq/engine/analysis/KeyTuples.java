package org.dpq.engine.analysis;

import java.util.ArrayList;
import java.util.List;

/**
 * The key combinations a plan whose keys all have public domains releases: the product of each key's own domain
 * and, for keys in a {@link JointDomain}, of that domain's tuples (taken once for all its keys). Owns the count
 * the G check and the rewrite's group limit use, and the enumeration the release uses, so the two cannot differ.
 */
public final class KeyTuples {
  private KeyTuples() {}

  /** How many combinations {@link #all} gives, saturating at {@link Long#MAX_VALUE}; every key needs a domain. */
  public static long count(List<GroupKey> keys) {
    long product = 1;
    for (int i = 0; i < keys.size(); i++) {
      GroupKey key = keys.get(i);
      long size;
      if (key.joint().isPresent()) {
        if (key.joint().get().keys().get(0) != i) {
          continue;
        }
        size = key.joint().get().tuples().size();
      } else {
        size = key.column().publicValues().orElseThrow().size();
      }
      if (size == 0) {
        return 0;
      }
      product = product > Long.MAX_VALUE / size ? Long.MAX_VALUE : product * size;
    }
    return product;
  }

  /** Every released combination, one value (as text) per key in GROUP BY order, in domain order. */
  public static List<List<String>> all(List<GroupKey> keys) {
    List<String[]> out = new ArrayList<>();
    out.add(new String[keys.size()]);
    for (int i = 0; i < keys.size(); i++) {
      GroupKey key = keys.get(i);
      List<String[]> next = new ArrayList<>();
      if (key.joint().isPresent()) {
        JointDomain joint = key.joint().get();
        if (joint.keys().get(0) != i) {
          continue;
        }
        for (String[] prefix : out) {
          for (List<String> tuple : joint.tuples()) {
            String[] extended = prefix.clone();
            for (int k = 0; k < tuple.size(); k++) {
              extended[joint.keys().get(k)] = tuple.get(k);
            }
            next.add(extended);
          }
        }
      } else {
        for (String[] prefix : out) {
          for (String v : key.column().publicValues().orElseThrow()) {
            String[] extended = prefix.clone();
            extended[i] = v;
            next.add(extended);
          }
        }
      }
      out = next;
    }
    return out.stream().map(List::of).toList();
  }
}
