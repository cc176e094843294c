package org.dpq.spark;

import java.util.Optional;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Where Spark runs: the master URL of the dataset's {@code source.spark.master}, else Spark's own configuration
 * ({@code spark.master}, as spark-submit or a {@code -Dspark.master=...} system property sets it), else local
 * mode on every core. Other settings come from Spark's usual places ({@code spark-defaults.conf}, {@code spark.*}
 * system properties). Owns no privacy property.
 */
final class SparkSessions {
  private SparkSessions() {}

  /** The session for {@code master} (an existing one in this JVM is reused: Spark allows one context per JVM). */
  static SparkSession forMaster(Optional<String> master) {
    SparkSession.Builder builder = SparkSession.builder().appName("dpq");
    if (master.isPresent()) {
      builder.master(master.get());
    } else if (!new SparkConf().contains("spark.master")) {
      builder.master("local[*]");
    }
    return builder.getOrCreate();
  }
}
