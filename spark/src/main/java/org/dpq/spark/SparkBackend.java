package org.dpq.spark;

import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.sql.SqlDialect;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.Source;
import org.dpq.engine.execution.Backend;
import org.dpq.engine.execution.BackendValues;
import org.dpq.engine.execution.SparkDialect;
import org.dpq.errors.BackendException;
import org.dpq.engine.execution.RunningStatements;
import org.dpq.engine.execution.StatementTimeout;

/**
 * The cluster backend: runs bounded queries with Spark SQL, in Spark's dialect ({@link SparkDialect}), over a Spark
 * table or CSV/Parquet files exposed as a temporary view named after the dataset's table ({@link SparkView}). The
 * per-unit pre-aggregation, clamps, group limits and cross-unit sums all run on the executors; only the bounded
 * aggregates, one row per group, are collected to the driver. Owns two privacy properties of execution: only the
 * bounded SQL's rows leave Spark, and errors never carry a data value (messages come from Spark's error classes).
 *
 * <p>Each backend works in its own {@link SparkSession#newSession() session} (its own temporary views and SQL
 * settings) over the JVM's one Spark context, so datasets with the same table name do not collide. Thread-safe:
 * Spark runs concurrent queries from several threads. {@link #close} drops the view but leaves the Spark context
 * running, since other backends may share it; Spark stops it when the JVM exits.
 */
public final class SparkBackend implements Backend {
  private final SparkSession session;
  private final String view;
  private final long timeoutSeconds;
  private volatile boolean closed;
  private final RunningStatements<String> running;

  private SparkBackend(SparkSession session, String view, long timeoutSeconds) {
    this.session = session;
    this.view = view;
    this.timeoutSeconds = timeoutSeconds;
    this.running = new RunningStatements<>(group -> session.sparkContext().cancelJobGroup(group));
  }

  /**
   * Opens a backend on the Spark master of {@code dataset}'s source (see {@link SparkSessions}).
   *
   * @throws BackendException when the source is not a Spark source or cannot be exposed
   */
  public static SparkBackend open(Dataset dataset) {
    if (!(dataset.source() instanceof Source.Spark spark)) {
      throw new BackendException("the Spark backend needs a source { spark: { table | csv | parquet: ... } }; "
          + "dataset '" + dataset.name() + "' has another source");
    }
    SparkSession session;
    try {
      session = SparkSessions.forMaster(spark.master());
    } catch (Exception e) { // Scala code throws checked exceptions undeclared
      throw SparkErrors.opening(e, dataset.name());
    }
    return open(session, dataset);
  }

  /**
   * Opens a backend in a new session of an existing Spark application (e.g. a job that embeds dpq).
   *
   * @throws BackendException when the source cannot be exposed
   */
  public static SparkBackend open(SparkSession application, Dataset dataset) {
    if (!(dataset.source() instanceof Source.Spark)) {
      throw new BackendException("the Spark backend needs a source { spark: { table | csv | parquet: ... } }; "
          + "dataset '" + dataset.name() + "' has another source");
    }
    SparkSession session = application.newSession();
    try {
      SparkView.register(session, dataset);
    } catch (BackendException e) {
      throw e;
    } catch (Exception e) { // Scala code throws checked exceptions (AnalysisException) undeclared
      throw SparkErrors.opening(e, dataset.name());
    }
    return new SparkBackend(session, dataset.table(), dataset.limits().timeoutSeconds());
  }

  @Override
  public SqlDialect dialect() {
    return SparkDialect.INSTANCE;
  }

  @Override
  public List<Object[]> execute(String sql) {
    if (closed) {
      throw new BackendException("this Spark backend is closed; open a new one");
    }
    List<Row> collected;
    // The dataset's timeout: the query's jobs run in their own group, cancelled when the time is up (Spark has no
    // statement timeout of its own); memory is Spark's executor setting, fixed when the application starts.
    String group = "dpq-" + java.util.UUID.randomUUID();
    session.sparkContext().setJobGroup(group, "dpq bounded query", true);
    try (RunningStatements.Registration r = running.register(group);
         StatementTimeout t = StatementTimeout.arm(timeoutSeconds, () -> session.sparkContext().cancelJobGroup(group))) {
      collected = session.sql(sql).collectAsList();
    } catch (Exception e) { // Scala code throws checked exceptions (SparkException) undeclared
      throw SparkErrors.running(e);
    } finally {
      session.sparkContext().clearJobGroup();
    }
    List<Object[]> rows = new ArrayList<>(collected.size());
    for (Row r : collected) {
      Object[] row = new Object[r.length()];
      for (int i = 0; i < row.length; i++) {
        row[i] = BackendValues.normalize(r.get(i));
      }
      rows.add(row);
    }
    return rows;
  }

  @Override
  public int cancelRunning() {
    return running.cancelAll();
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      try {
        session.catalog().dropTempView(view);
      } catch (Exception e) {
        // the context is already stopped: the view is gone with it
      }
    }
  }
}
