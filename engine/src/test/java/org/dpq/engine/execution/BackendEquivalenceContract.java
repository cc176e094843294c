package org.dpq.engine.execution;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.DatasetLoader;
import org.dpq.engine.joins.ShopData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cross-backend contract: the same bounded query, rewritten for each backend's dialect with the same secret,
 * returns the same bounded rows on every backend, for PUMS_dup (1-4 identical rows per person), PUMS_null (NULL
 * units, keys and values) and a generated set (multi-group units, NaN, infinities, negatives). Where G binds,
 * which groups a unit keeps depends on each dialect's hash, so those cases check invariants instead: per backend,
 * the units counted over all groups are exactly the sum over units of min(G, groups of the unit), each group
 * counts at most R rows per unit, and the same secret gives the same rows again. Subclasses open the backends
 * (DuckDB first, as the reference); the comparisons never use hard-coded results, so they hold whatever the
 * rewrite's per-unit semantics are, as long as every backend runs them alike.
 *
 * <p>Issue 17: the same over a shop of several tables ({@link ShopData#JOINT_YAML}: customers the unit table, orders,
 * items and shipments private through a key chain, products and services public, services the joint key domain of
 * shipments' (carrier, speed)), for the join shapes, and the differential neighbour check on every
 * backend for both neighbours (one unit with extreme rows added to every private table, the busiest unit's rows
 * removed from every private table), for the join shapes and the per-unit subqueries, with a deliberately broken
 * join rewrite the same check rejects.
 *
 * <p>The cases come in two halves, {@link TableEquivalenceCases} (one table at a time) and
 * {@link NeighbourEquivalenceCases} (neighbouring data and the shop's joins), so that a slow backend can run them in
 * two test classes that the build places in different JVMs; a test class extends this and implements one half or
 * both. This class owns the data and the backends ({@link EquivalenceFixture}: written before the first case, each
 * table's backends opened when a case first needs them, all closed after the last). Test-only.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class BackendEquivalenceContract {
  /** A backend under comparison and the dataset (same table and columns, its own source) it was opened for. */
  public record Target(String name, Backend backend, String source) {}

  /**
   * A backend opened over a shop of several tables ({@link ShopData}) and the YAML source fragment of each table
   * there (table name to a flow mapping).
   */
  public record ShopTarget(String name, Backend backend, Map<String, String> sources) {
    /** The shop's dataset over these sources, with G and R. */
    public Dataset dataset(int groups, int rows) {
      return DatasetLoader.parse(ShopData.jointYaml(sources, groups, rows, 0), Path.of("").toAbsolutePath());
    }
  }

  /** A query over the shop, with the G and R of the dataset it runs on. */
  record ShopCase(int groups, int rows, String sql) {
    String context() {
      return "G=" + groups + " R=" + rows + ": " + sql;
    }
  }

  /** One query, with the G, R and total cap C (0: none) of the dataset it runs on. */
  record Case(int groups, int rows, int cap, String sql) {
    Case(int groups, int rows, String sql) {
      this(groups, rows, 0, sql);
    }

    Dataset dataset(TestTable table, String source, int groupsOverride) {
      return table.dataset(source, groupsOverride > 0 ? groupsOverride : groups, rows, cap);
    }

    String context() {
      return "G=" + groups + " R=" + rows + (cap > 0 ? " C=" + cap : "") + ": " + sql;
    }
  }

  /** The secret every case rewrites with (the seed of the hash that picks a unit's groups and rows). */
  static final long SECRET = 0x5eed_d00d_cafeL;

  private EquivalenceFixture fixture;

  /**
   * Opens each backend to compare over {@code table}, DuckDB (over {@link TestTable#csvSource()}) first; each
   * target's {@code source} is the YAML source fragment its datasets use.
   */
  protected abstract List<Target> open(TestTable table, Path work) throws Exception;

  /**
   * Opens each backend to compare over the shop whose six CSV files (with header rows, {@link ShopData#JOINT_TABLES})
   * are in {@code dir}, DuckDB (over the files, {@link #duckdbShop}) first; {@code label} (lower-case letters)
   * tells the shops apart.
   */
  protected abstract List<ShopTarget> openShop(Path dir, String label) throws Exception;

  /** The shop in {@code dir} on the embedded DuckDB, over its CSV files. */
  protected static ShopTarget duckdbShop(Path dir) {
    Map<String, String> sources = new HashMap<>();
    for (String table : ShopData.JOINT_TABLES) {
      sources.put(table, "{ csv: '" + dir.resolve(table + ".csv").toAbsolutePath().toString().replace("'", "''")
          + "' }");
    }
    ShopTarget t = new ShopTarget("duckdb", null, Map.copyOf(sources));
    return new ShopTarget("duckdb", DuckDbBackend.open(t.dataset(1, 1)), t.sources());
  }

  /** Releases what {@link #open} set up beyond the backends (e.g. database schemas); backends are closed already. */
  protected abstract void cleanUp() throws Exception;

  @BeforeAll
  void openAll(@TempDir Path work) throws Exception {
    fixture = new EquivalenceFixture(work, this::open, this::openShop);
  }

  @AfterAll
  void closeAll() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
    cleanUp();
  }

  /** The data and the backends opened over them, for the cases of both halves. */
  public EquivalenceFixture fixture() {
    return fixture;
  }
}
