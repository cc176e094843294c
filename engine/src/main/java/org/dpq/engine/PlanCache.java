package org.dpq.engine;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The last few plans one {@link Dpq} made, least recently used dropped first, so that a query asked again (an
 * audit, a dashboard, the same analyst again) skips analysis, budget allocation, rewriting and the dry runs.
 *
 * <p>Privacy: holds only what planning computes before the charge, which is data-independent: analysis runs on the
 * declared schema (and public key-domain tables), dry runs on the empty twin, and the key is everything that
 * planning reads (the SQL text, the requested loss, mechanism and weights, and the dataset as analysed, automatic
 * bounds included). No data value and no decision taken on data enters a plan, so keeping one can neither leak
 * anything nor change what is released, charged or recorded. Failures are not kept: a rejected query is analysed
 * and rejected again each time, free, with the same message.
 *
 * @param <K> the key: a value with equals and hashCode over everything the plan depends on
 * @param <V> the plan
 */
final class PlanCache<K, V> {
  private final int capacity;
  private final Map<K, V> plans;
  private long hits;
  private long misses;

  PlanCache(int capacity) {
    if (capacity < 0) {
      throw new IllegalArgumentException("capacity must be >= 0");
    }
    this.capacity = capacity;
    this.plans = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > PlanCache.this.capacity;
      }
    };
  }

  /**
   * The plan kept for {@code key}, else the one {@code plan} makes (kept when it succeeds). Two threads asking the
   * same new key at once may both plan it; planning is deterministic, so either result serves.
   */
  V get(K key, Supplier<V> plan) {
    synchronized (this) {
      V known = plans.get(key);
      if (known != null) {
        hits++;
        return known;
      }
      misses++;
    }
    V made = plan.get();
    if (capacity > 0) {
      synchronized (this) {
        plans.put(key, made);
      }
    }
    return made;
  }

  /** How many plans were served from memory and how many made (for tests). */
  synchronized long[] counts() {
    return new long[] {hits, misses};
  }
}
