package org.dpq.engine.analysis;

import java.util.List;
import org.dpq.engine.catalog.TableSpec;

/**
 * Reads the distinct tuples of some columns of a PUBLIC table, for a joint key domain ({@code key_domains:}).
 * Owns the rule that a joint domain comes from public rows only: it is asked for declared public tables only, and
 * a private table is never read through it. Implementations read through a backend where only public tables are
 * loaded or where opening reads no private row, so {@code explain} and rejections still never load private data.
 */
@FunctionalInterface
public interface PublicTuples {
  /**
   * The distinct tuples of {@code columns} of the public table {@code table} whose values are all non-NULL, each
   * value as text in its column's canonical spelling (numbers without trailing zeros, dates ISO, booleans
   * {@code true}/{@code false}).
   *
   * @throws org.dpq.errors.BackendException when the public table cannot be read (the message names no value)
   */
  List<List<String>> read(TableSpec table, List<String> columns);

  /** No public table can be read: a query that needs a joint key domain is rejected, free, naming the fix. */
  PublicTuples NONE = (table, columns) -> {
    throw Reject.because("the joint key domain from the public table " + table.name() + " cannot be read here",
        "run the query through Dpq (which reads public tables), or group by fewer of its columns");
  };
}
