package org.dpq.spark;

import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.Source;
import org.dpq.engine.execution.Backend;
import org.dpq.engine.execution.BackendProvider;

/**
 * Plugs {@link SparkBackend} into the engine: registered in {@code META-INF/services}, so that a dataset with
 * {@code source: { spark: ... }} runs on Spark whenever dpq-spark and Spark are on the class path. Owns no
 * privacy property beyond choosing the backend.
 */
public final class SparkBackendProvider implements BackendProvider {
  @Override
  public boolean supports(Source source) {
    return source instanceof Source.Spark;
  }

  @Override
  public Backend open(Dataset dataset) {
    return SparkBackend.open(dataset);
  }
}
