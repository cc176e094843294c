package org.dpq.engine.catalog;

import java.util.List;
import java.util.Optional;

/**
 * One table of a dataset: its SQL name, where its rows live, its declared columns, and how its rows relate to the
 * privacy unit. Owns the table-level half of the several-table privacy contract: every private row belongs to
 * exactly one unit, either directly (the unit table) or through a declared key chain ({@link Link.Private}), and
 * a public table ({@link Link.Public}) holds no unit's data and has a unique key, so joining it on that key can
 * never multiply a private row.
 *
 * @param name the SQL name analysts write
 * @param source where its rows live
 * @param columns its declared columns, in declaration order
 * @param link how its rows reach the privacy unit
 * @param keyDomains joint public domains of several of its columns ({@code key_domains:}, private tables only)
 */
public record TableSpec(String name, Source source, List<Column> columns, Link link, List<KeyDomain> keyDomains) {
  public TableSpec {
    java.util.Objects.requireNonNull(name, "name");
    java.util.Objects.requireNonNull(source, "source");
    java.util.Objects.requireNonNull(link, "link");
    columns = List.copyOf(columns);
    keyDomains = List.copyOf(keyDomains);
  }

  /** A table without joint key domains. */
  public TableSpec(String name, Source source, List<Column> columns, Link link) {
    this(name, source, columns, link, List.of());
  }

  /** How a table's rows reach the privacy unit. */
  public sealed interface Link {
    /** The table that holds the privacy unit column: each row belongs to the unit it names. */
    record Unit() implements Link {}

    /**
     * A private table whose rows belong to the unit of the row of {@code target}'s table whose {@code target}
     * column equals this table's {@code column} ({@code unit_via: { customer_id: customers.customer_id }}).
     */
    record Private(String column, ColumnRef target) implements Link {}

    /** A public table (no unit's data, no protection, no budget) with a unique {@code key} column. */
    record Public(String key) implements Link {}
  }

  /** True for the unit table and tables linked to it (rows that belong to a unit). */
  public boolean isPrivate() {
    return !(link instanceof Link.Public);
  }

  /** The column with this name, compared case-insensitively. */
  public Optional<Column> column(String columnName) {
    return columns.stream().filter(c -> c.name().equalsIgnoreCase(columnName)).findFirst();
  }
}
