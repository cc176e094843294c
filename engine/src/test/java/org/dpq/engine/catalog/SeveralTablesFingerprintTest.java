package org.dpq.engine.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.dpq.engine.joins.ShopData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fingerprint (which keys the ledger's stored answers) of a dataset of several tables on PostgreSQL and on Spark
 * covers every table, not only the unit table: another relation or location for any one table gives another
 * fingerprint; credentials in the URL do not count.
 */
class SeveralTablesFingerprintTest {
  @TempDir Path tmp;

  private String fingerprint(Function<String, String> source) {
    Map<String, String> sources = new HashMap<>();
    for (String table : ShopData.TABLES) {
      sources.put(table, source.apply(table));
    }
    return Fingerprint.of(DatasetLoader.parse(ShopData.yaml(sources, 2, 3, 0), tmp));
  }

  private static String jdbc(String table, String credentials) {
    return "{ jdbc: { url: 'jdbc:postgresql://db.example:5432/shop" + credentials + "', table: " + table + " } }";
  }

  @Test
  void everyPostgresTableCountsAndCredentialsDoNot() {
    String base = fingerprint(t -> jdbc("s." + t, ""));
    assertEquals(base, fingerprint(t -> jdbc("s." + t, "?user=a&password=b")), "credentials are not identity");
    for (String changed : ShopData.TABLES) {
      assertNotEquals(base, fingerprint(t -> jdbc((t.equals(changed) ? "other." : "s.") + t, "")),
          changed + " on another relation");
    }
  }

  @Test
  void everySparkTableCounts() {
    String base = fingerprint(t -> "{ spark: { parquet: '/data/" + t + "' } }");
    for (String changed : ShopData.TABLES) {
      assertNotEquals(base, fingerprint(t -> "{ spark: { parquet: '/data/" + (t.equals(changed) ? "v2/" : "") + t
          + "' } }"), changed + " at another location");
    }
  }
}
