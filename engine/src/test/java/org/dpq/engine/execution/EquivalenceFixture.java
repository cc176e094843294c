package org.dpq.engine.execution;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dpq.engine.execution.BackendEquivalenceContract.ShopTarget;
import org.dpq.engine.execution.BackendEquivalenceContract.Target;
import org.dpq.engine.joins.ShopData;

/**
 * The data the cross-backend contract compares, and the backends opened over each: PUMS_dup, PUMS_null, the
 * generated set ({@link GeneratedTable}) and its two neighbours (one heavy unit added, the busiest unit removed), the
 * ties table, and the shop of several tables ({@link ShopData}) with its two neighbours (an extreme customer added,
 * the busiest customer of region north removed). The data are written when the fixture is made; each table's or
 * shop's backends are opened when a case first asks for them, so a test class that runs part of the contract opens
 * only what that part reads. Test-only; one test class's cases use it from one thread at a time.
 */
public final class EquivalenceFixture implements AutoCloseable {
  /** Opens each backend to compare over one table, DuckDB first ({@link BackendEquivalenceContract#open}). */
  @FunctionalInterface
  interface TableOpener {
    List<Target> open(TestTable table, Path work) throws Exception;
  }

  /** Opens each backend to compare over a shop's CSV files, DuckDB first ({@link BackendEquivalenceContract#openShop}). */
  @FunctionalInterface
  interface ShopOpener {
    List<ShopTarget> open(Path dir, String label) throws Exception;
  }

  /** The extreme customer added to the shop. */
  static final int ADDED = 999_999;

  private final Path work;
  private final TableOpener tableOpener;
  private final ShopOpener shopOpener;
  private final GeneratedTable generated;
  private final GeneratedTable generatedPlus;
  private final GeneratedTable generatedMinus;
  private final TestTable ties;
  private final Map<String, ShopData> shopData;
  private final int removed;
  private final Map<String, List<Target>> targets = new LinkedHashMap<>();
  private final Map<String, List<ShopTarget>> shops = new LinkedHashMap<>();

  EquivalenceFixture(Path work, TableOpener tableOpener, ShopOpener shopOpener) throws IOException {
    this.work = work;
    this.tableOpener = tableOpener;
    this.shopOpener = shopOpener;
    generated = GeneratedTable.write(work.resolve("generated"), 20240521L, 20_000);
    generatedPlus = generated.withHeavyUnit(work.resolve("generated"), 2_000);
    generatedMinus = generated.withoutUnit(work.resolve("generated"), generated.busiestUnit());
    ties = ties(work.resolve("ties"));
    ShopData shop = ShopData.generate(20261206L, 300);
    removed = shop.busiestCustomer("north");
    shopData = Map.of("base", shop,
        "plus", shop.withUnit(ADDED, "north", 40, 3, 1e9, 6, 1000, 1e9),
        "minus", shop.without(removed));
  }

  /** The generated set (gen.csv). */
  GeneratedTable generated() {
    return generated;
  }

  /** gen.csv plus one unit with extreme rows in every group (gen_plus.csv). */
  GeneratedTable generatedPlus() {
    return generatedPlus;
  }

  /** gen.csv without its busiest unit (gen_minus.csv). */
  GeneratedTable generatedMinus() {
    return generatedMinus;
  }

  /** The table whose keys a naive encoding confuses (ties.csv, {@link #ties(Path)}). */
  TestTable ties() {
    return ties;
  }

  /** The customer removed from the shop in variant {@code minus}. */
  int removed() {
    return removed;
  }

  /** The table of a file: gen.csv, gen_plus.csv, gen_minus.csv, ties.csv or a PUMS sample. */
  TestTable table(String file) {
    return switch (file) {
      case "gen.csv" -> generated.table();
      case "gen_plus.csv" -> generatedPlus.table();
      case "gen_minus.csv" -> generatedMinus.table();
      case "ties.csv" -> ties;
      default -> TestTable.pums(file);
    };
  }

  /** The backends to compare over {@link #table(String) file}, DuckDB first; opened on first use. */
  synchronized List<Target> targets(String file) {
    List<Target> opened = targets.get(file);
    if (opened == null) {
      try {
        opened = tableOpener.open(table(file), work);
      } catch (Exception e) {
        throw new IllegalStateException("could not open the backends over " + file, e);
      }
      assertTrue(opened.size() >= 2, "compare at least two backends");
      targets.put(file, opened);
    }
    return opened;
  }

  /** The backends to compare over the shop's variant {@code base}, {@code plus} or {@code minus}; opened on first use. */
  synchronized List<ShopTarget> shop(String variant) {
    List<ShopTarget> opened = shops.get(variant);
    if (opened == null) {
      Path dir = work.resolve("shop_" + variant);
      shopData.get(variant).write(dir);
      try {
        opened = shopOpener.open(dir, variant);
      } catch (Exception e) {
        throw new IllegalStateException("could not open the backends over the shop " + variant, e);
      }
      assertTrue(opened.size() >= 2, "compare at least two backends");
      shops.put(variant, opened);
    }
    return opened;
  }

  /** Closes every backend opened so far. */
  @Override
  public synchronized void close() {
    List<Backend> all = new ArrayList<>();
    targets.values().forEach(list -> list.forEach(t -> all.add(t.backend())));
    shops.values().forEach(list -> list.forEach(t -> all.add(t.backend())));
    targets.clear();
    shops.clear();
    all.forEach(Backend::close);
  }

  /**
   * Two units, each with two groups whose keys a naive encoding confuses: unit 1 has (NULL, 'a') and ('a', NULL)
   * (a hash that skips NULLs sees 'a' twice), unit 2 has ('x|y', 'z') and ('x', 'y|z') (joined with '|' they
   * are the same text).
   */
  private static TestTable ties(Path dir) {
    try {
      Files.createDirectories(dir);
      Path csv = Files.writeString(dir.resolve("ties.csv"), "uid,a,b\n1,,a\n1,a,\n2,x|y,z\n2,x,y|z\n");
      return new TestTable("ties", csv, List.of("uid integer", "a text", "b text"), "uid", """
          uid: { type: int }
          a:   { type: string }
          b:   { type: string }
          """);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
