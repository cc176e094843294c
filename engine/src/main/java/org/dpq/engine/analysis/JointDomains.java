package org.dpq.engine.analysis;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rex.RexInputRef;
import org.dpq.engine.catalog.Column;
import org.dpq.engine.catalog.TableSpec;

/**
 * Gives group keys their joint public domain ({@code key_domains:}) when the GROUP BY holds every column of a
 * declared domain as a plain column: those keys are then released through the public table's distinct tuples (in
 * GROUP BY order, intersected with any key's own domain) instead of the product of their own domains. Owns invariant
 * 5 for such keys: the tuples come from the declaration and the public table (through {@link PublicTuples}) only,
 * and the public table is read only when a query uses its domain.
 */
final class JointDomains {
  /** Most tuples a joint domain may hold (as for derived domains); a larger public table is refused, free. */
  static final int MAX_TUPLES = KeyDomains.MAX_ENUMERATED;

  /**
   * One declared joint domain as the analysed relation names its columns.
   *
   * @param columns the private columns, as fields of the analysed relation (e.g. {@code lineitem__l_returnflag})
   * @param table the public table
   * @param publicColumns its columns holding the values of {@code columns}, in the same order
   */
  record Declared(List<String> columns, TableSpec table, List<String> publicColumns) {}

  private JointDomains() {}

  /** {@code keys} with every declared domain whose columns they all are applied; the others unchanged. */
  static List<GroupKey> apply(List<GroupKey> keys, RelNode scan, List<Declared> declared, PublicTuples reader) {
    List<GroupKey> out = new ArrayList<>(keys);
    List<String> fields = scan.getRowType().getFieldNames();
    for (Declared d : declared) {
      List<Integer> positions = new ArrayList<>(); // for each declared column, the index of its key
      for (String column : d.columns()) {
        int found = -1;
        for (int k = 0; k < keys.size(); k++) {
          if (keys.get(k).expression() instanceof RexInputRef ref
              && fields.get(ref.getIndex()).equalsIgnoreCase(column) && keys.get(k).joint().isEmpty()) {
            found = k;
          }
        }
        positions.add(found);
      }
      if (positions.contains(-1)) {
        continue;
      }
      // tuple order: GROUP BY order
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < positions.size(); i++) {
        order.add(i);
      }
      order.sort((a, b) -> Integer.compare(positions.get(a), positions.get(b)));
      List<String> publicColumns = order.stream().map(d.publicColumns()::get).toList();
      List<Integer> keyIndices = order.stream().map(positions::get).toList();
      List<List<String>> read = reader.read(d.table(), publicColumns);
      if (read.size() > MAX_TUPLES) {
        throw Reject.because("the joint key domain from " + d.table().name() + " has more than " + MAX_TUPLES
            + " tuples", "group by fewer of " + String.join(", ", keyIndices.stream().map(k -> keys.get(k).name())
            .toList()) + ", or declare a smaller public table");
      }
      Set<List<String>> tuples = new LinkedHashSet<>();
      for (List<String> tuple : read) {
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < tuple.size(); i++) {
          Optional<String> v = within(tuple.get(i), keys.get(keyIndices.get(i)).column());
          if (v.isEmpty()) {
            break;
          }
          kept.add(v.get());
        }
        if (kept.size() == tuple.size()) {
          tuples.add(kept);
        }
      }
      JointDomain domain = new JointDomain(d.table().name(), keyIndices,
          keyIndices.stream().map(k -> keys.get(k).name()).toList(), List.copyOf(tuples));
      for (int i = 0; i < keyIndices.size(); i++) {
        int at = i;
        List<String> values = tuples.stream().map(t -> t.get(at)).distinct().toList();
        out.set(keyIndices.get(i), keys.get(keyIndices.get(i)).inJointDomain(domain, values));
      }
    }
    return out;
  }

  /**
   * {@code value} as the key's own domain spells it, when the key has one and it holds the value; the value itself
   * when the key has no domain of its own; empty when it is outside the key's own domain.
   */
  private static Optional<String> within(String value, Column key) {
    if (key.publicValues().isEmpty()) {
      return Optional.of(value);
    }
    for (String v : key.publicValues().get()) {
      if (same(v, value, key)) {
        return Optional.of(v);
      }
    }
    return Optional.empty();
  }

  private static boolean same(String a, String b, Column key) {
    if (key.type().isNumeric()) {
      try {
        return new BigDecimal(a.strip()).compareTo(new BigDecimal(b.strip())) == 0;
      } catch (NumberFormatException e) {
        return false;
      }
    }
    return a.equals(b);
  }
}
