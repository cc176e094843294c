package org.dpq.spark;

import org.apache.spark.sql.SparkSession;

/** One local Spark session (2 threads, no UI, loopback only) shared by the test classes of this JVM. Test-only. */
final class LocalSpark {
  private LocalSpark() {}

  static SparkSession session() {
    return SparkSession.builder()
        .master("local[2]")
        .appName("dpq-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        // Test data is small: compiling generated code for every query costs more than interpreting it.
        .config("spark.sql.codegen.wholeStage", "false")
        .config("spark.sql.codegen.factoryMode", "NO_CODEGEN")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.warehouse.dir", System.getProperty("java.io.tmpdir") + "/dpq-spark-warehouse")
        .getOrCreate();
  }
}
