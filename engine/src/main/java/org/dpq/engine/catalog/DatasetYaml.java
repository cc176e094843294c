package org.dpq.engine.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.util.List;
import java.util.Map;

/**
 * The dataset YAML exactly as written, bound by Jackson before any validation (keys are snake_case in YAML).
 * Numbers are kept as the text that was written so that the validator parses them exactly (as decimals) and can
 * name {@code .inf} or {@code .nan}; public values stay YAML nodes so that {@code 1} and {@code "1"} and
 * {@code yes} (a YAML boolean) can be told apart. Owns no privacy property: {@link DatasetValidator} does.
 */
record DatasetYaml(String name, String table, SourceYaml source, JsonNode privacyUnit,
    @JsonDeserialize(using = YamlScalars.NumberText.class) String maxGroupsContributed,
    @JsonDeserialize(using = YamlScalars.NumberText.class) String maxRowsPerGroup,
    @JsonDeserialize(using = YamlScalars.NumberText.class) String maxRowsPerUnit, BudgetYaml budget, LossYaml defaults,
    String ledger, LimitsYaml limits,
    Map<String, ColumnYaml> columns, Map<String, TableYaml> tables) {

  /**
   * One entry under {@code tables:}: a source and columns, and either {@code unit_via} (a private table: one
   * {@code column: table.column} pair) or {@code public: true} with its unique {@code key}; neither for the unit
   * table named by {@code privacy_unit: { table, column }}.
   */
  record TableYaml(SourceYaml source, Map<String, String> unitVia,
      @com.fasterxml.jackson.annotation.JsonProperty("public")
      @JsonDeserialize(using = YamlScalars.NumberText.class) String isPublic,
      String key, Map<String, ColumnYaml> columns, List<KeyDomainYaml> keyDomains) {}

  /** One entry of {@code key_domains:}: a public table and the private columns it holds (column to its column). */
  record KeyDomainYaml(String table, Map<String, String> columns) {}

  /** {@code privacy_unit: { table, column }} in a dataset of several tables. */
  record UnitYaml(String table, String column) {}

  /** {@code limits: { memory_mb, threads, timeout_seconds, response_quantum_ms }}, every key optional. */
  record LimitsYaml(@JsonDeserialize(using = YamlScalars.NumberText.class) String memoryMb,
      @JsonDeserialize(using = YamlScalars.NumberText.class) String threads,
      @JsonDeserialize(using = YamlScalars.NumberText.class) String timeoutSeconds,
      @JsonDeserialize(using = YamlScalars.NumberText.class) String responseQuantumMs) {}

  /**
   * {@code source:}: exactly one of csv, parquet, jdbc, spark must be given; the other keys are CSV options.
   * {@code header} stays text so that the validator can tell a YAML boolean from anything else.
   */
  record SourceYaml(String csv, String parquet, JdbcYaml jdbc, SparkYaml spark, String delimiter, String quote,
      @JsonDeserialize(using = YamlScalars.NumberText.class) String header, String nullString, String dateFormat,
      @JsonDeserialize(using = YamlScalars.NumberText.class) String maxUnparsableFraction) {}

  /** {@code source: { jdbc: { url, table } }}. */
  record JdbcYaml(String url, String table) {}

  /** {@code source: { spark: { table | csv | parquet, master } }}. */
  record SparkYaml(String table, String csv, String parquet, String master) {}

  /** {@code defaults:}. */
  record LossYaml(@JsonDeserialize(using = YamlScalars.NumberText.class) String epsilon,
      @JsonDeserialize(using = YamlScalars.NumberText.class) String delta) {}

  /** {@code budget:}: a loss and, optionally, its {@code accounting} ({@code basic} or {@code zcdp}). */
  record BudgetYaml(@JsonDeserialize(using = YamlScalars.NumberText.class) String epsilon,
      @JsonDeserialize(using = YamlScalars.NumberText.class) String delta, String accounting) {
    LossYaml loss() {
      return new LossYaml(epsilon, delta);
    }
  }

  /** One entry under {@code columns:}. */
  record ColumnYaml(String type, @JsonDeserialize(using = YamlScalars.NumberText.class) String lower,
      @JsonDeserialize(using = YamlScalars.NumberText.class) String upper,
      @JsonDeserialize(contentUsing = YamlScalars.PublicValue.class) List<JsonNode> publicValues,
      @JsonDeserialize(using = YamlScalars.NumberText.class) String from,
      @JsonDeserialize(using = YamlScalars.NumberText.class) String nullable, BoundsYaml bounds) {}

  /** {@code bounds: { auto: { epsilon: 0.1 } }}: bounds estimated with DP instead of lower and upper. */
  record BoundsYaml(AutoYaml auto) {}

  /** {@code auto: { epsilon: 0.1 }}: the share of the budget the one estimate spends. */
  record AutoYaml(@JsonDeserialize(using = YamlScalars.NumberText.class) String epsilon) {}
}
