package org.dpq.spark;

import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.sql.SqlDialect;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.Source;
import org.dpq.engine.catalog.TableSpec;
import org.dpq.engine.execution.Backend;
import org.dpq.engine.execution.BackendValues;
import org.dpq.engine.execution.SparkDialect;
import org.dpq.errors.BackendException;
import org.dpq.engine.execution.RunningStatements;
import org.dpq.engine.execution.StatementTimeout;
import org.dpq.engine.execution.UniqueKeys;

/**
 * The cluster backend: runs bounded queries with Spark SQL, in Spark's dialect ({@link SparkDialect}), over a Spark
 * table or CSV/Parquet files exposed as a temporary view named after the dataset's table ({@link SparkView}). The
 * per-unit pre-aggregation, clamps, group limits and cross-unit sums all run on the executors; only the bounded
 * aggregates, one row per group, are collected to the driver. Owns two privacy properties of execution: only the
 * bounded SQL's rows leave Spark, and errors never carry a data value (messages come from Spark's error classes).
 *
 * <p>A dataset of several tables runs when every table is a Spark source on the unit table's master (or names none):
 * one view per table, each checked like a single table's. The keys that must not repeat ({@link UniqueKeys}:
 * public keys, and the private keys a child table reaches its unit through) are counted when the backend opens (a
 * repeat refuses it, before any charge) and again before every bounded query, since Spark reads the files or table
 * anew at each query (a repeat then fails the query after the charge, without a value). Spark gives the two no
 * common snapshot: a source rewritten between the check and the query is not caught until the next query.
 *
 * <p>Each backend works in its own {@link SparkSession#newSession() session} (its own temporary views and SQL
 * settings) over the JVM's one Spark context, so datasets with the same table name do not collide. Thread-safe:
 * Spark runs concurrent queries from several threads. {@link #close} drops the view but leaves the Spark context
 * running, since other backends may share it; Spark stops it when the JVM exits.
 */
public final class SparkBackend implements Backend {
  private final SparkSession session;
  private final List<String> views;
  private final long timeoutSeconds;
  private final String datasetName;
  private final List<UniqueKeys.Key> keys;
  private volatile boolean closed;
  private final RunningStatements<String> running;

  private SparkBackend(SparkSession session, Dataset dataset, List<UniqueKeys.Key> keys) {
    this.session = session;
    this.views = dataset.allTables().stream().map(TableSpec::name).toList();
    this.timeoutSeconds = dataset.limits().timeoutSeconds();
    this.datasetName = dataset.name();
    this.keys = keys;
    this.running = new RunningStatements<>(group -> session.sparkContext().cancelJobGroup(group));
  }

  /**
   * Opens a backend on the Spark master of {@code dataset}'s source (see {@link SparkSessions}).
   *
   * @throws BackendException when the source is not a Spark source or cannot be exposed
   */
  public static SparkBackend open(Dataset dataset) {
    Source.Spark spark = requireSpark(dataset);
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
    requireSpark(dataset);
    SparkSession session = application.newSession();
    List<UniqueKeys.Key> keys = UniqueKeys.of(dataset);
    try {
      if (dataset.hasSeveralTables()) {
        for (TableSpec t : dataset.allTables()) {
          SparkView.register(session, dataset.single(t), "table '" + t.name() + "' of dataset '" + dataset.name()
              + "'");
        }
      } else {
        SparkView.register(session, dataset, "dataset '" + dataset.name() + "'");
      }
      refuseRepeats(session, dataset.name(), keys);
    } catch (BackendException e) {
      dropViews(session, dataset.allTables().stream().map(TableSpec::name).toList());
      throw e;
    } catch (Exception e) { // Scala code throws checked exceptions (AnalysisException) undeclared
      dropViews(session, dataset.allTables().stream().map(TableSpec::name).toList());
      throw SparkErrors.opening(e, dataset.name());
    }
    return new SparkBackend(session, dataset, keys);
  }

  /**
   * The unit table's Spark source, after checking that every table is a Spark source on the same master (or on
   * none, i.e. the unit table's).
   */
  private static Source.Spark requireSpark(Dataset dataset) {
    if (!(dataset.source() instanceof Source.Spark spark)) {
      throw new BackendException("the Spark backend needs a source { spark: { table | csv | parquet: ... } }; "
          + "dataset '" + dataset.name() + "' has another source");
    }
    for (TableSpec t : dataset.allTables()) {
      if (!(t.source() instanceof Source.Spark other)
          || other.master().isPresent() && !other.master().equals(spark.master())) {
        throw new BackendException("table '" + t.name() + "' of dataset '" + dataset.name() + "' is not a Spark "
            + "source on the unit table's master; a dataset of several tables runs on Spark when every table is "
            + "read by the one Spark application: give tables." + t.name() + ".source { spark: { table | csv | "
            + "parquet: ... } } (with the unit table's master, or none), or give every table a CSV or Parquet file");
      }
    }
    return spark;
  }

  /** Counts whether a key that must be unique repeats; refuses the first that does (no value is collected). */
  private static void refuseRepeats(SparkSession session, String datasetName, List<UniqueKeys.Key> keys) {
    if (keys.isEmpty()) {
      return;
    }
    Row row = session.sql(UniqueKeys.query(keys, SparkView::quote)).collectAsList().get(0);
    Object[] repeats = new Object[keys.size()];
    for (int i = 0; i < repeats.length; i++) {
      repeats[i] = row.get(i);
    }
    UniqueKeys.refuseRepeats(datasetName, keys, repeats);
  }

  private static void dropViews(SparkSession session, List<String> views) {
    for (String v : views) {
      try {
        session.catalog().dropTempView(v);
      } catch (Exception e) {
        // not registered, or the context is gone
      }
    }
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
      refuseRepeats(session, datasetName, keys);
      collected = session.sql(sql).collectAsList();
    } catch (BackendException e) {
      throw e;
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
      // once the context is stopped, the views are gone with it
      dropViews(session, views);
    }
  }
}
