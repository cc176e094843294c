package org.dpq.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.dpq.engine.analysis.DpPlan;
import org.dpq.engine.catalog.CacheLocation;
import org.dpq.engine.execution.Backend;
import org.dpq.engine.rewrite.GroupLimit;
import org.dpq.engine.rewrite.Rewriter;

/**
 * Picks the faster {@link GroupLimit} order for a plan on one backend, from the shape probe of
 * {@link Rewriter#groupLimitProbe}, remembered per probe (one per unit, keys and domains) for the life of the
 * dataset handle (per analyst on a served dataset) and, for a file source with the cache on (not a served dataset), in a small file beside its
 * typed copy ({@code <dataset>.<fingerprint>.orders}), so that a later process (a later CLI call) does not scan the
 * data again for an order it already chose. Reads data, so it is called only after the charge; its answer chooses between two
 * plans with the same result and is never released, logged or put into a message.
 *
 * <p>The file holds, per probe, the SHA-256 of the probe's text and the order chosen: one bit derived from the data,
 * kept in the cache folder that already holds the whole data as the typed copy, under the same fingerprint (data and
 * declarations), so a changed source or YAML never reads another data's choices. Whatever the file says (even
 * tampered with or half-written) changes only how fast the bounded query runs, never which groups it keeps: an
 * unreadable or unknown line is ignored and the probe runs again.
 */
final class GroupLimitChoice {
  /** More distinct probes than this, and the memory starts over (a handle rarely sees more key sets). */
  private static final int MAX_REMEMBERED = 256;
  private static final String SUFFIX = ".orders";

  private final Rewriter rewriter;
  private final Map<String, GroupLimit> chosen = new ConcurrentHashMap<>();
  /** Where choices outlive the process, if anywhere. */
  private final Optional<Path> file;

  GroupLimitChoice(Rewriter rewriter) {
    this(rewriter, Optional.empty());
  }

  /** {@code file}: where the choices are kept across processes (see {@link #file}), or empty. */
  GroupLimitChoice(Rewriter rewriter, Optional<Path> file) {
    this.rewriter = rewriter;
    this.file = file;
  }

  /**
   * The file of dataset {@code dataset}'s choices for the data and declarations with {@code fingerprint} in
   * {@code cache} (named as its typed copy is), or empty when the cache is off.
   */
  static Optional<Path> file(CacheLocation cache, String dataset, String fingerprint) {
    String prefix = dataset.replaceAll("[^A-Za-z0-9_-]", "_");
    return cache.dir().map(d -> d.resolve(prefix + "." + fingerprint + SUFFIX));
  }

  /**
   * The shape probe for {@code plan} when this backend probes (built only: nothing is read, so it may be asked
   * before the charge, e.g. to dry-run it).
   */
  Optional<String> probe(DpPlan plan, Backend backend) {
    return backend.choosesGroupLimit() ? rewriter.groupLimitProbe(plan, backend.dialect()) : Optional.empty();
  }

  /** {@link #choose(String, Optional, Backend)} for a handle with one owner (no scope). */
  GroupLimit choose(Optional<String> probe, Backend backend) {
    return choose("", probe, backend);
  }

  /**
   * The order to run a plan in, given its {@link #probe}: aggregate-first without one; otherwise the order
   * remembered for the probe, in this handle or in the file, else runs the probe on the backend (after the charge
   * only) and remembers its answer in both. {@code scope} is whose memory it is: empty for a handle with one owner;
   * on a served dataset the asking analyst, so that one analyst's query never makes another's faster by sparing it
   * the probe, which would tell the second that someone asked a query of that shape (invariant 8, timing). Only the
   * unscoped memory is kept in the file.
   */
  GroupLimit choose(String scope, Optional<String> probe, Backend backend) {
    if (probe.isEmpty()) {
      return GroupLimit.AGGREGATE_FIRST;
    }
    String remembered = scope.isEmpty() ? probe.get() : scope + '\u0000' + probe.get();
    GroupLimit known = chosen.get(remembered);
    if (known != null) {
      return known;
    }
    String key = org.dpq.engine.release.ReleaseKey.sha256(probe.get());
    GroupLimit stored = scope.isEmpty() ? read().get(key) : null;
    if (stored != null) {
      remember(remembered, stored);
      return stored;
    }
    List<Object[]> rows = backend.execute(probe.get());
    Object[] row = rows.isEmpty() ? new Object[3] : rows.get(0);
    GroupLimit order = GroupLimit.choose(count(row[0]), count(row[1]), count(row[2]));
    remember(remembered, order);
    if (scope.isEmpty()) {
      write(key, order);
    }
    return order;
  }

  /** How many probes' orders this handle remembers (each analyst's separately on a served dataset). Test-only. */
  int remembered() {
    return chosen.size();
  }

  private void remember(String probe, GroupLimit order) {
    if (chosen.size() >= MAX_REMEMBERED) {
      chosen.clear();
    }
    chosen.put(probe, order);
  }

  /** The file's choices by probe hash; empty when there is no file or it cannot be read. */
  private Map<String, GroupLimit> read() {
    Map<String, GroupLimit> out = new TreeMap<>();
    if (file.isEmpty() || !Files.isRegularFile(file.get())) {
      return out;
    }
    try {
      for (String line : Files.readAllLines(file.get(), StandardCharsets.UTF_8)) {
        String[] parts = line.split(" ");
        if (parts.length == 2 && parts[0].matches("[0-9a-f]{64}")) {
          for (GroupLimit g : GroupLimit.values()) {
            if (g.name().equals(parts[1])) {
              out.put(parts[0], g);
            }
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // unreadable: the probe runs again
    }
    return out;
  }

  /**
   * Adds a choice to the file: the whole file is written to a temporary one and renamed into place, so a reader
   * never sees half of it (two processes adding at once may lose one line: that probe then runs once more). The
   * dataset's choice files of other data (other fingerprints) are deleted, as its older typed copies are. Any
   * failure leaves the query as it is.
   */
  private void write(String key, GroupLimit order) {
    if (file.isEmpty()) {
      return;
    }
    Path f = file.get();
    Path tmp = f.resolveSibling(f.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      Map<String, GroupLimit> all = read();
      if (all.size() >= MAX_REMEMBERED) {
        all.clear();
      }
      all.put(key, order);
      StringBuilder text = new StringBuilder();
      all.forEach((k, v) -> text.append(k).append(' ').append(v.name()).append('\n'));
      CacheLocation.createPrivate(f.getParent());
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      try {
        Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING);
      }
      deleteOtherData(f);
    } catch (IOException | RuntimeException e) {
      // not remembered across processes: the next process probes again
    } finally {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException e) {
        // nothing more to do
      }
    }
  }

  /** Deletes {@code kept}'s siblings for the same dataset and another fingerprint. */
  private static void deleteOtherData(Path kept) {
    String name = kept.getFileName().toString();
    String prefix = name.substring(0, name.length() - 64 - SUFFIX.length());
    try (java.nio.file.DirectoryStream<Path> dir = Files.newDirectoryStream(kept.getParent(), p -> {
      String n = p.getFileName().toString();
      return n.startsWith(prefix) && !n.equals(name) && n.length() == name.length()
          && n.substring(prefix.length()).matches("[0-9a-f]{64}\\.orders");
    })) {
      for (Path old : dir) {
        Files.deleteIfExists(old);
      }
    } catch (IOException e) {
      // left for the next write
    }
  }

  private static long count(Object value) {
    return value == null ? 0 : ((Number) value).longValue();
  }
}
