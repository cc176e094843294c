package org.dpq.engine.execution;

import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.Source;
import org.dpq.errors.BackendException;

/**
 * A backend that lives in another module (such as dpq-spark), found through {@link java.util.ServiceLoader} so that
 * the engine, and the CLI jar built on it, do not depend on it. A provider registers itself in
 * {@code META-INF/services/org.dpq.engine.execution.BackendProvider}. Owns no privacy property itself: the
 * backends it opens must keep the {@link Backend} contract (run exactly the bounded SQL they are given, return only
 * its rows, never put a data value in an error).
 */
public interface BackendProvider {
  /** True when this provider runs datasets whose rows live in {@code source}. */
  boolean supports(Source source);

  /**
   * Opens a backend for {@code dataset} (whose source this provider supports).
   *
   * @throws BackendException when the source cannot be opened (the message carries no data value)
   */
  Backend open(Dataset dataset);
}
