package org.dpq.spark;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.dpq.engine.execution.ExactSumContract;
import org.dpq.engine.execution.TestTable;

/**
 * {@link ExactSumContract} on Spark (local mode, 2 threads): per order of the rows, the CSV read as one partition
 * and split into many small ones ({@code spark.sql.files.maxPartitionBytes}), so partial sums are combined in
 * different orders.
 */
class SparkExactSumTest extends ExactSumContract {
  private static final String PARTITION_BYTES = "spark.sql.files.maxPartitionBytes";
  private final List<SparkBackend> open = new ArrayList<>();

  @Override
  protected List<Run> open(TestTable table, Path work) {
    SparkSession session = LocalSpark.session();
    String source = "{ spark: { csv: '" + table.csv().toAbsolutePath().toString().replace("'", "''") + "' } }";
    SparkBackend backend = SparkBackend.open(session, table.dataset(source, 2, 3));
    open.add(backend);
    List<Run> runs = new ArrayList<>();
    runs.add(new Run("one partition", backend.dialect(), backend::execute));
    runs.add(new Run("many partitions", backend.dialect(), sql -> {
      String before = session.conf().get(PARTITION_BYTES);
      session.conf().set(PARTITION_BYTES, "16k");
      try {
        return backend.execute(sql);
      } finally {
        session.conf().set(PARTITION_BYTES, before);
      }
    }));
    return runs;
  }

  @Override
  protected void cleanUp() {
    open.forEach(SparkBackend::close);
  }
}
