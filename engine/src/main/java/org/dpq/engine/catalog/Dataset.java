package org.dpq.engine.catalog;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.dpq.budget.Accounting;
import org.dpq.mechanisms.PrivacyLoss;

/**
 * A validated dataset description (the YAML contract of DESIGN.md). Owns the contribution bounds every query
 * on the dataset is rewritten to respect (G groups per unit, R rows' worth per group) and the total budget.
 *
 * @param name dataset id (ledger key)
 * @param table SQL table name analysts query
 * @param source where rows live
 * @param unit the privacy unit
 * @param maxGroupsContributed G
 * @param maxRowsPerGroup R
 * @param budget lifetime total (epsilon, delta)
 * @param defaults per-query loss when the analyst gives none
 * @param ledger ledger location: a file path (resolved) or a jdbc:postgresql URL
 * @param columns declared columns, in YAML order
 * @param yamlPath the file this came from (resolution base), if any
 * @param limits per-query resource limits and the response quantum
 * @param maxRowsPerUnit C ({@code max_rows_per_unit}): the most rows one unit contributes over all groups of a
 *     query, in addition to G and R; empty: no total cap (a unit contributes up to G*R rows)
 * @param accounting how the ledger composes this dataset's queries ({@code budget.accounting}): basic (epsilon,
 *     delta) composition, or zCDP (rho, converted from and to (epsilon, delta)); fixed once the ledger has entries
 * @param tables every table of the dataset ({@code tables:} in the YAML); a single-table dataset (given as empty)
 *     is one {@link TableSpec.Link.Unit} table made of {@code table}, {@code source} and {@code columns}. With
 *     several tables, {@code table}, {@code source} and {@code columns} are those of the unit table
 */
public record Dataset(String name, String table, Source source, PrivacyUnit unit, int maxGroupsContributed,
    int maxRowsPerGroup, PrivacyLoss budget, PrivacyLoss defaults, String ledger, List<Column> columns,
    Optional<Path> yamlPath, Limits limits, OptionalInt maxRowsPerUnit, Accounting accounting,
    List<TableSpec> tables) {

  public Dataset {
    columns = List.copyOf(columns);
    if (tables == null || tables.isEmpty()) {
      tables = table == null || source == null ? List.of()
          : List.of(new TableSpec(table, source, columns, new TableSpec.Link.Unit()));
    } else {
      tables = List.copyOf(tables);
    }
    java.util.Objects.requireNonNull(limits, "limits");
    java.util.Objects.requireNonNull(maxRowsPerUnit, "maxRowsPerUnit");
    if (maxRowsPerUnit.isPresent() && maxRowsPerUnit.getAsInt() < 1) {
      throw new IllegalArgumentException("max_rows_per_unit must be >= 1");
    }
    java.util.Objects.requireNonNull(accounting, "accounting");
  }

  /** A single-table dataset (its one table made of {@code table}, {@code source} and {@code columns}). */
  public Dataset(String name, String table, Source source, PrivacyUnit unit, int maxGroupsContributed,
      int maxRowsPerGroup, PrivacyLoss budget, PrivacyLoss defaults, String ledger, List<Column> columns,
      Optional<Path> yamlPath, Limits limits, OptionalInt maxRowsPerUnit, Accounting accounting) {
    this(name, table, source, unit, maxGroupsContributed, maxRowsPerGroup, budget, defaults, ledger, columns,
        yamlPath, limits, maxRowsPerUnit, accounting, List.of());
  }

  /** A dataset with a total cap per unit (or none) and basic (epsilon, delta) accounting. */
  public Dataset(String name, String table, Source source, PrivacyUnit unit, int maxGroupsContributed,
      int maxRowsPerGroup, PrivacyLoss budget, PrivacyLoss defaults, String ledger, List<Column> columns,
      Optional<Path> yamlPath, Limits limits, OptionalInt maxRowsPerUnit) {
    this(name, table, source, unit, maxGroupsContributed, maxRowsPerGroup, budget, defaults, ledger, columns,
        yamlPath, limits, maxRowsPerUnit, Accounting.BASIC);
  }

  /** A dataset without a total cap per unit, with the given accounting. */
  public Dataset(String name, String table, Source source, PrivacyUnit unit, int maxGroupsContributed,
      int maxRowsPerGroup, PrivacyLoss budget, PrivacyLoss defaults, String ledger, List<Column> columns,
      Optional<Path> yamlPath, Limits limits, Accounting accounting) {
    this(name, table, source, unit, maxGroupsContributed, maxRowsPerGroup, budget, defaults, ledger, columns,
        yamlPath, limits, OptionalInt.empty(), accounting);
  }

  /** A dataset without a total cap per unit, with basic (epsilon, delta) accounting. */
  public Dataset(String name, String table, Source source, PrivacyUnit unit, int maxGroupsContributed,
      int maxRowsPerGroup, PrivacyLoss budget, PrivacyLoss defaults, String ledger, List<Column> columns,
      Optional<Path> yamlPath, Limits limits) {
    this(name, table, source, unit, maxGroupsContributed, maxRowsPerGroup, budget, defaults, ledger, columns,
        yamlPath, limits, OptionalInt.empty(), Accounting.BASIC);
  }

  /** A dataset with the default {@link Limits}. */
  public Dataset(String name, String table, Source source, PrivacyUnit unit, int maxGroupsContributed,
      int maxRowsPerGroup, PrivacyLoss budget, PrivacyLoss defaults, String ledger, List<Column> columns,
      Optional<Path> yamlPath) {
    this(name, table, source, unit, maxGroupsContributed, maxRowsPerGroup, budget, defaults, ledger, columns,
        yamlPath, Limits.DEFAULTS);
  }

  /** A dataset defined in code, validated like a YAML file; {@code name} is its id (the ledger key). */
  public static DatasetBuilder builder(String name) {
    return new DatasetBuilder(name);
  }

  /** True when the dataset declares more than one table ({@code tables:} with several entries). */
  public boolean hasSeveralTables() {
    return tables.size() > 1;
  }

  /** Every table of the dataset, the unit table among them, in declaration order. */
  public List<TableSpec> allTables() {
    return tables;
  }

  /** The table with this SQL name, compared case-insensitively. */
  public Optional<TableSpec> tableSpec(String tableName) {
    return tables.stream().filter(t -> t.name().equalsIgnoreCase(tableName)).findFirst();
  }

  /**
   * This dataset seen as the single table {@code spec} (its name, source and columns; every bound, the budget and
   * the ledger unchanged): what a backend loads one table from.
   */
  public Dataset single(TableSpec spec) {
    return new Dataset(name, spec.name(), spec.source(), unit, maxGroupsContributed, maxRowsPerGroup, budget,
        defaults, ledger, spec.columns(), yamlPath, limits, maxRowsPerUnit, accounting, List.of());
  }

  /** The column with this name, compared case-insensitively. */
  public Optional<Column> column(String columnName) {
    return columns.stream().filter(c -> c.name().equalsIgnoreCase(columnName)).findFirst();
  }
}
