package org.dpq.engine.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.dpq.errors.DatasetValidationException;
import org.junit.jupiter.api.Test;

/** {@code source: { spark: ... }}: parsed into {@link Source.Spark}, validated, and fingerprinted by identity. */
class SparkSourceTest {
  private static final Path BASE = Path.of("/owner");

  private static String yaml(String spark) {
    return DatasetLoaderTest.DESIGN_EXAMPLE.replace("{ csv: data/pums.csv }", "{ spark: " + spark + " }");
  }

  private static Source source(String spark) {
    return DatasetLoader.parse(yaml(spark), BASE).source();
  }

  private static List<String> problems(String spark) {
    return assertThrows(DatasetValidationException.class, () -> DatasetLoader.parse(yaml(spark), BASE)).problems();
  }

  @Test
  void aTableWithAMaster() {
    assertEquals(new Source.Spark(Optional.of("spark://h:7077"), Source.Spark.Format.TABLE, "warehouse.pums"),
        source("{ table: warehouse.pums, master: 'spark://h:7077' }"));
  }

  @Test
  void localFilesResolveAgainstTheYamlFolderAndUrisStayAsWritten() {
    assertEquals(new Source.Spark(Optional.empty(), Source.Spark.Format.CSV,
        BASE.resolve("data/pums.csv").toAbsolutePath().toString()), source("{ csv: data/pums.csv }"));
    assertEquals(new Source.Spark(Optional.empty(), Source.Spark.Format.PARQUET, "hdfs://nn:8020/pums/*.parquet"),
        source("{ parquet: 'hdfs://nn:8020/pums/*.parquet' }"));
  }

  @Test
  void exactlyOneLocationAndANonEmptyMaster() {
    assertEquals(List.of("source.spark: give exactly one of table, csv, parquet"),
        problems("{ table: pums, csv: p.csv }"));
    assertEquals(List.of("source.spark: give exactly one of table, csv, parquet"), problems("{ master: local }"));
    assertEquals(List.of("source.spark.master: must not be empty; give a Spark master URL such as spark://host:7077 "
        + "or local[4], or leave it out to use Spark's own configuration"), problems("{ table: pums, master: ' ' }"));
    assertEquals(List.of("source.spark.table: must be a table name, optionally qualified (database.table), each "
        + "part letters, digits and _, not starting with a digit"), problems("{ table: 'pums; drop' }"));
    assertEquals(List.of("source.spark.tabel: unknown key; expected one of table, csv, parquet, master",
        "source.spark: give exactly one of table, csv, parquet"), problems("{ tabel: pums }"));
  }

  @Test
  void theFingerprintFollowsTheLocationNotTheMaster() {
    String a = Fingerprint.of(DatasetLoader.parse(yaml("{ table: db.pums, master: 'local[2]' }"), BASE));
    String b = Fingerprint.of(DatasetLoader.parse(yaml("{ table: db.pums, master: 'spark://h:7077' }"), BASE));
    String c = Fingerprint.of(DatasetLoader.parse(yaml("{ table: db.other }"), BASE));
    String d = Fingerprint.of(DatasetLoader.parse(yaml("{ parquet: 'hdfs://nn/db/pums' }"), BASE));
    assertEquals(a, b);
    assertNotEquals(a, c);
    assertNotEquals(a, d);
  }
}
