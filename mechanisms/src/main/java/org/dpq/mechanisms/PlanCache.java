package org.dpq.mechanisms;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * A small least-recently-used memo of derived noise laws per mechanism value, so that exact (BigDecimal)
 * calibration arithmetic runs once per mechanism rather than once per noisy value. Owns no privacy property:
 * it caches pure functions of public parameters.
 */
final class PlanCache<K, V> {
  private static final int CAPACITY = 256;
  private final Map<K, V> map = new LinkedHashMap<>(16, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
      return size() > CAPACITY;
    }
  };

  synchronized V get(K key, Function<K, V> compute) {
    V value = map.get(key);
    if (value == null) {
      value = compute.apply(key);
      map.put(key, value);
    }
    return value;
  }
}
