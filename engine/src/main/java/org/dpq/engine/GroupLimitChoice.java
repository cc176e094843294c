package org.dpq.engine;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.dpq.engine.analysis.DpPlan;
import org.dpq.engine.execution.Backend;
import org.dpq.engine.rewrite.GroupLimit;
import org.dpq.engine.rewrite.Rewriter;

/**
 * Picks the faster {@link GroupLimit} order for a plan on one backend, from the shape probe of
 * {@link Rewriter#groupLimitProbe}, remembered per probe (one per unit, keys and domains) for the life of the
 * dataset handle. Reads data, so it is called only after the charge; its answer chooses between two plans with
 * the same result and is never released, logged or put into a message.
 */
final class GroupLimitChoice {
  /** More distinct probes than this, and the memory starts over (a handle rarely sees more key sets). */
  private static final int MAX_REMEMBERED = 256;

  private final Rewriter rewriter;
  private final Map<String, GroupLimit> chosen = new ConcurrentHashMap<>();

  GroupLimitChoice(Rewriter rewriter) {
    this.rewriter = rewriter;
  }

  /**
   * The shape probe for {@code plan} when this backend probes (built only: nothing is read, so it may be asked
   * before the charge, e.g. to dry-run it).
   */
  Optional<String> probe(DpPlan plan, Backend backend) {
    return backend.choosesGroupLimit() ? rewriter.groupLimitProbe(plan, backend.dialect()) : Optional.empty();
  }

  /**
   * The order to run a plan in, given its {@link #probe}: aggregate-first without one; otherwise runs the probe on
   * the backend the first time its shape is seen (after the charge only).
   */
  GroupLimit choose(Optional<String> probe, Backend backend) {
    if (probe.isEmpty()) {
      return GroupLimit.AGGREGATE_FIRST;
    }
    GroupLimit known = chosen.get(probe.get());
    if (known != null) {
      return known;
    }
    List<Object[]> rows = backend.execute(probe.get());
    Object[] row = rows.isEmpty() ? new Object[3] : rows.get(0);
    GroupLimit order = GroupLimit.choose(count(row[0]), count(row[1]), count(row[2]));
    if (chosen.size() >= MAX_REMEMBERED) {
      chosen.clear();
    }
    chosen.put(probe.get(), order);
    return order;
  }

  private static long count(Object value) {
    return value == null ? 0 : ((Number) value).longValue();
  }
}
