package org.dpq.engine.tpch;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A seeded TPC-H generator (test-only, shipped in the engine test-jar so that the bench can use it): writes region,
 * nation, supplier, part, customer, orders, lineitem and flag_status (Q1's valid pairs) as Parquet files at a scale
 * factor, in an in-process DuckDB, without the DuckDB tpch extension and without the network. Owns no privacy property; it only makes data.
 *
 * <p>Cardinalities follow the TPC-H specification (5 regions, 25 nations, SF x 10,000 suppliers, 200,000 parts,
 * 150,000 customers, 1,500,000 orders, 1 to 7 lines per order) and so do the value distributions the seven queries
 * of {@code TpchQueriesTest} read (specification section 4.2.3): order dates uniform over 1992-01-01 .. 1998-08-02,
 * ship dates 1 to 121 days after the order, commit dates 30 to 90 days after it, receipt dates 1 to 30 days after
 * shipping; return flag R or A when received by 1995-06-17, else N; line status O when shipped after 1995-06-17;
 * order status F, O or P from its lines; total price the sum of the lines' charges; the retail price formula of
 * the specification; a line's supplier one of the part's four; only customers whose key is not a multiple of 3 place
 * orders; the specification's nations, regions, segments, priorities, ship modes, ship instructions, part types,
 * brands and containers. Order keys are dense (1..N) rather than the specification's sparse ones, and free-text
 * columns are left out (part names, supplier addresses, all comments but the customer's) or placeholders (the
 * customer's address, phone and comment, which only Q10's original lists): no DP form reads them.
 *
 * <p>Every value is a function of (seed, row key, column) through DuckDB's {@code hash}, so the same seed and scale
 * factor give the same files; the generator is not a source of noise.
 */
public final class TpchGenerator {
  /** The tables written, in dependency order. */
  public static final List<String> TABLES = List.of("region", "nation", "supplier", "part", "customer", "orders",
      "lineitem", "flag_status");

  /**
   * The (return flag, line status) pairs Q1 can meet (the specification's lines: R and A are received, so shipped,
   * by 1995-06-17, hence status F; N lines are F or O): the public table flag_status, lineitem's joint key domain.
   */
  public static final List<List<String>> FLAG_STATUS = List.of(List.of("A", "F"), List.of("N", "F"),
      List.of("N", "O"), List.of("R", "F"));

  /** The five regions of the specification, by key. */
  public static final List<String> REGIONS = List.of("AFRICA", "AMERICA", "ASIA", "EUROPE", "MIDDLE EAST");

  /** The 25 nations of the specification with their region keys, by key. */
  public static final List<Map.Entry<String, Integer>> NATIONS = List.of(Map.entry("ALGERIA", 0),
      Map.entry("ARGENTINA", 1), Map.entry("BRAZIL", 1), Map.entry("CANADA", 1), Map.entry("EGYPT", 4),
      Map.entry("ETHIOPIA", 0), Map.entry("FRANCE", 3), Map.entry("GERMANY", 3), Map.entry("INDIA", 2),
      Map.entry("INDONESIA", 2), Map.entry("IRAN", 4), Map.entry("IRAQ", 4), Map.entry("JAPAN", 2),
      Map.entry("JORDAN", 4), Map.entry("KENYA", 0), Map.entry("MOROCCO", 0), Map.entry("MOZAMBIQUE", 0),
      Map.entry("PERU", 1), Map.entry("CHINA", 2), Map.entry("ROMANIA", 3), Map.entry("SAUDI ARABIA", 4),
      Map.entry("VIETNAM", 2), Map.entry("RUSSIA", 3), Map.entry("UNITED KINGDOM", 3), Map.entry("UNITED STATES", 1));

  public static final List<String> SEGMENTS = List.of("AUTOMOBILE", "BUILDING", "FURNITURE", "MACHINERY",
      "HOUSEHOLD");
  public static final List<String> PRIORITIES = List.of("1-URGENT", "2-HIGH", "3-MEDIUM", "4-NOT SPECIFIED", "5-LOW");
  public static final List<String> SHIP_MODES = List.of("REG AIR", "AIR", "RAIL", "SHIP", "TRUCK", "MAIL", "FOB");
  public static final List<String> SHIP_INSTRUCTIONS = List.of("DELIVER IN PERSON", "COLLECT COD", "NONE",
      "TAKE BACK RETURN");
  static final List<String> TYPE_1 = List.of("STANDARD", "SMALL", "MEDIUM", "LARGE", "ECONOMY", "PROMO");
  static final List<String> TYPE_2 = List.of("ANODIZED", "BURNISHED", "PLATED", "POLISHED", "BRUSHED");
  static final List<String> TYPE_3 = List.of("TIN", "NICKEL", "BRASS", "STEEL", "COPPER");
  static final List<String> CONTAINER_1 = List.of("SM", "LG", "MED", "JUMBO", "WRAP");
  static final List<String> CONTAINER_2 = List.of("CASE", "BOX", "BAG", "JAR", "PKG", "PACK", "CAN", "DRUM");

  /** The files written and their row counts, by table name. */
  public record Written(Path dir, double scaleFactor, long seed, Map<String, Long> rows) {
    /** The Parquet file of {@code table}. */
    public Path file(String table) {
      return dir.resolve(table + ".parquet");
    }

    /** A new in-memory DuckDB connection with one view per table over these files: the same SQL without DP. */
    public java.sql.Connection plainViews() throws java.sql.SQLException {
      java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:");
      try (java.sql.Statement s = c.createStatement()) {
        for (String t : TABLES) {
          s.execute("CREATE VIEW " + t + " AS SELECT * FROM read_parquet('" + file(t) + "')");
        }
      }
      return c;
    }
  }

  private final double sf;
  private final long seed;

  private TpchGenerator(double sf, long seed) {
    this.sf = sf;
    this.seed = seed;
  }

  /** Writes the seven tables at scale factor {@code sf} from {@code seed} into {@code dir} as Parquet. */
  public static Written write(Path dir, double sf, long seed) {
    if (!(sf > 0) || sf > 100) {
      throw new IllegalArgumentException("scale factor must be in (0, 100], got " + sf);
    }
    try {
      Files.createDirectories(dir);
      try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
        return new TpchGenerator(sf, seed).write(c, dir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (SQLException e) {
      throw new IllegalStateException("TPC-H generation failed: " + e.getMessage(), e);
    }
  }

  /**
   * Writes the seven tables and copies the dataset description {@code tpch/tpch.yaml} (test resource) beside them
   * as {@code dir/tpch.yaml}; returns the YAML's path.
   */
  public static Path writeWithYaml(Path dir, double sf, long seed) {
    write(dir, sf, seed);
    return copyYaml(dir);
  }

  /** Copies the resource {@code tpch/tpch.yaml} into {@code dir} (its sources are relative: the Parquet files). */
  public static Path copyYaml(Path dir) {
    Path yaml = dir.resolve("tpch.yaml");
    try (InputStream in = TpchGenerator.class.getResourceAsStream("/tpch/tpch.yaml")) {
      if (in == null) {
        throw new IllegalStateException("resource /tpch/tpch.yaml is missing from the engine test classpath");
      }
      Files.write(yaml, in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return yaml;
  }

  /** The text of a resource under {@code /tpch/}, e.g. {@code q1.sql}. */
  public static String resource(String name) {
    try (InputStream in = TpchGenerator.class.getResourceAsStream("/tpch/" + name)) {
      if (in == null) {
        throw new IllegalStateException("resource /tpch/" + name + " is missing from the engine test classpath");
      }
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private long count(long base) {
    return Math.max(1, Math.round(base * sf));
  }

  /** A uniform integer in [0, n) from (seed, key..., column). */
  private String uniform(String key, int column, long n) {
    return "CAST(hash(" + seed + "::BIGINT, " + key + ", " + column + ") % " + n + " AS BIGINT)";
  }

  /** One of {@code values}, uniformly, from (seed, key..., column). */
  private String pick(String key, int column, List<String> values) {
    return "(" + literalList(values) + ")[1 + " + uniform(key, column, values.size()) + "]";
  }

  private static String literalList(List<String> values) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < values.size(); i++) {
      b.append(i == 0 ? "" : ", ").append('\'').append(values.get(i).replace("'", "''")).append('\'');
    }
    return b.append(']').toString();
  }

  private static String padded(String prefix, String key) {
    return "'" + prefix + "' || lpad(CAST(" + key + " AS VARCHAR), 9, '0')";
  }

  private Written write(Connection c, Path dir) throws SQLException {
    long suppliers = count(10_000);
    long parts = count(200_000);
    long customers = count(150_000);
    long orders = count(1_500_000);
    try (Statement s = c.createStatement()) {
      StringBuilder regions = new StringBuilder();
      for (int i = 0; i < REGIONS.size(); i++) {
        regions.append(i == 0 ? "" : ", ").append("(").append(i).append(", '").append(REGIONS.get(i)).append("')");
      }
      s.execute("CREATE TEMP TABLE region AS SELECT CAST(k AS BIGINT) AS r_regionkey, n AS r_name FROM (VALUES "
          + regions + ") t(k, n)");
      StringBuilder nations = new StringBuilder();
      for (int i = 0; i < NATIONS.size(); i++) {
        nations.append(i == 0 ? "" : ", ").append("(").append(i).append(", '").append(NATIONS.get(i).getKey())
            .append("', ").append(NATIONS.get(i).getValue()).append(")");
      }
      s.execute("CREATE TEMP TABLE nation AS SELECT CAST(k AS BIGINT) AS n_nationkey, n AS n_name, "
          + "CAST(r AS BIGINT) AS n_regionkey FROM (VALUES " + nations + ") t(k, n, r)");
      // account balances: uniform over [-999.99, 9999.99] in cents
      s.execute("CREATE TEMP TABLE supplier AS SELECT k AS s_suppkey, " + padded("Supplier#", "k") + " AS s_name, "
          + uniform("k", 1, 25) + " AS s_nationkey, CAST(-99999 + " + uniform("k", 2, 1_099_999) + " AS DOUBLE) / 100 "
          + "AS s_acctbal FROM range(1, " + (suppliers + 1) + ") t(k)");
      s.execute("CREATE TEMP TABLE part AS SELECT k AS p_partkey, 'Manufacturer#' || (1 + m) AS p_mfgr, "
          + "'Brand#' || (1 + m) || (1 + " + uniform("k", 11, 5) + ") AS p_brand, "
          + pick("k", 12, TYPE_1) + " || ' ' || " + pick("k", 13, TYPE_2) + " || ' ' || " + pick("k", 14, TYPE_3)
          + " AS p_type, 1 + " + uniform("k", 15, 50) + " AS p_size, "
          + pick("k", 16, CONTAINER_1) + " || ' ' || " + pick("k", 17, CONTAINER_2) + " AS p_container, "
          + "CAST(90000 + ((k // 10) % 20001) + 100 * (k % 1000) AS DOUBLE) / 100 AS p_retailprice "
          + "FROM (SELECT k, " + uniform("k", 10, 5) + " AS m FROM range(1, " + (parts + 1) + ") t(k))");
      s.execute("CREATE TEMP TABLE customer AS SELECT k AS c_custkey, " + padded("Customer#", "k") + " AS c_name, "
          + "n AS c_nationkey, CAST(-99999 + " + uniform("k", 22, 1_099_999)
          + " AS DOUBLE) / 100 AS c_acctbal, " + pick("k", 23, SEGMENTS) + " AS c_mktsegment, "
          // Q10's original lists these three; their text is placeholder, not the specification's random strings
          + "'Address#' || " + uniform("k", 24, 1_000_000_000) + " AS c_address, "
          + "CAST(10 + n AS VARCHAR) || '-' || (100 + " + uniform("k", 25, 900) + ") || '-' || (100 + "
          + uniform("k", 26, 900) + ") || '-' || (1000 + " + uniform("k", 27, 9000) + ") AS c_phone, "
          + "'comment ' || " + uniform("k", 28, 1_000_000) + " AS c_comment "
          + "FROM (SELECT k, " + uniform("k", 21, 25) + " AS n FROM range(1, " + (customers + 1) + ") t(k))");
      // orders before their lines; a customer whose key is a multiple of 3 places none (specification 4.2.3): the
      // customer is uniform over the other keys, the j-th of which is 3 * (j / 2) + 1 + j % 2
      s.execute("CREATE TEMP TABLE o AS SELECT k AS o_orderkey, 3 * (j // 2) + 1 + j % 2 AS o_custkey, "
          + "DATE '1992-01-01' + CAST(" + uniform("k", 31, 2406) + " AS INTEGER) AS o_orderdate, "
          + pick("k", 32, PRIORITIES) + " AS o_orderpriority, " + padded("Clerk#", "1 + " + uniform("k", 33,
              count(1000))) + " AS o_clerk, 0 AS o_shippriority, 1 + " + uniform("k", 34, 7) + " AS n_lines "
          + "FROM (SELECT k, " + uniform("k", 30, customers - customers / 3) + " AS j FROM range(1, " + (orders + 1)
          + ") t(k))");
      s.execute("CREATE TEMP TABLE l AS SELECT o_orderkey AS l_orderkey, ln AS l_linenumber, pk AS l_partkey, "
          + "(pk + (" + uniform("o_orderkey, ln", 41, 4) + " * (" + (suppliers / 4) + " + (pk - 1) // " + suppliers
          + "))) % " + suppliers + " + 1 AS l_suppkey, q AS l_quantity, "
          + "q * (CAST(90000 + ((pk // 10) % 20001) + 100 * (pk % 1000) AS DOUBLE) / 100) AS l_extendedprice, "
          + "CAST(" + uniform("o_orderkey, ln", 43, 11) + " AS DOUBLE) / 100 AS l_discount, "
          + "CAST(" + uniform("o_orderkey, ln", 44, 9) + " AS DOUBLE) / 100 AS l_tax, "
          + "ship AS l_shipdate, o_orderdate + CAST(30 + " + uniform("o_orderkey, ln", 45, 61) + " AS INTEGER) "
          + "AS l_commitdate, ship + CAST(1 + " + uniform("o_orderkey, ln", 46, 30) + " AS INTEGER) AS l_receiptdate, "
          + pick("o_orderkey, ln", 47, SHIP_INSTRUCTIONS) + " AS l_shipinstruct, "
          + pick("o_orderkey, ln", 48, SHIP_MODES) + " AS l_shipmode, "
          + uniform("o_orderkey, ln", 49, 2) + " AS ra "
          + "FROM (SELECT o_orderkey, o_orderdate, ln, 1 + " + uniform("o_orderkey, ln", 40, parts) + " AS pk, "
          + "1 + " + uniform("o_orderkey, ln", 42, 50) + " AS q, "
          + "o_orderdate + CAST(1 + " + uniform("o_orderkey, ln", 50, 121) + " AS INTEGER) AS ship "
          + "FROM o, range(1, 8) r(ln) WHERE ln <= n_lines)");
      s.execute("CREATE TEMP TABLE lineitem AS SELECT l_orderkey, l_partkey, l_suppkey, l_linenumber, l_quantity, "
          + "l_extendedprice, l_discount, l_tax, "
          + "CASE WHEN l_receiptdate <= DATE '1995-06-17' THEN (CASE WHEN ra = 0 THEN 'R' ELSE 'A' END) ELSE 'N' END "
          + "AS l_returnflag, CASE WHEN l_shipdate > DATE '1995-06-17' THEN 'O' ELSE 'F' END AS l_linestatus, "
          + "l_shipdate, l_commitdate, l_receiptdate, l_shipinstruct, l_shipmode FROM l ORDER BY l_orderkey, "
          + "l_linenumber");
      s.execute("CREATE TEMP TABLE orders AS SELECT o.o_orderkey, o_custkey, "
          + "CASE WHEN f = n THEN 'F' WHEN f = 0 THEN 'O' ELSE 'P' END AS o_orderstatus, "
          + "round(total, 2) AS o_totalprice, o_orderdate, o_orderpriority, o_clerk, o_shippriority "
          + "FROM o JOIN (SELECT l_orderkey, COUNT(*) AS n, COUNT(*) FILTER (WHERE l_linestatus = 'F') AS f, "
          + "SUM(l_extendedprice * (1 + l_tax) * (1 - l_discount)) AS total FROM lineitem GROUP BY l_orderkey) x "
          + "ON x.l_orderkey = o.o_orderkey ORDER BY o.o_orderkey");
      StringBuilder pairs = new StringBuilder();
      for (int i = 0; i < FLAG_STATUS.size(); i++) {
        pairs.append(i == 0 ? "" : ", ").append("(").append(i + 1).append(", '").append(FLAG_STATUS.get(i).get(0))
            .append("', '").append(FLAG_STATUS.get(i).get(1)).append("')");
      }
      s.execute("CREATE TEMP TABLE flag_status AS SELECT CAST(k AS BIGINT) AS fs_key, f AS fs_returnflag, "
          + "st AS fs_linestatus FROM (VALUES " + pairs + ") t(k, f, st)");
      s.execute("DROP TABLE l");
      s.execute("DROP TABLE o");
      Map<String, Long> rows = new LinkedHashMap<>();
      for (String table : TABLES) {
        Path file = dir.resolve(table + ".parquet");
        s.execute("COPY " + table + " TO '" + file.toString().replace("'", "''") + "' (FORMAT PARQUET)");
        try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
          rs.next();
          rows.put(table, rs.getLong(1));
        }
      }
      return new Written(dir, sf, seed, Map.copyOf(rows));
    }
  }

  /** {@code TpchGenerator DIR SF [SEED]}: writes the files and the YAML, and prints the row counts. */
  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    double sf = Double.parseDouble(args[1]);
    long seed = args.length > 2 ? Long.parseLong(args[2]) : 19920101L;
    long t = System.nanoTime();
    Written w = write(dir, sf, seed);
    copyYaml(dir);
    System.out.printf(Locale.ROOT, "SF %s seed %d in %.1f s: %s%n", sf, seed, (System.nanoTime() - t) / 1e9,
        w.rows());
  }
}
