package org.dpq.engine.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.dpq.engine.PumsFiles;
import org.dpq.errors.DatasetValidationException;
import org.dpq.mechanisms.PrivacyLoss;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetLoaderTest {
  @TempDir Path tmp;

  /** DESIGN.md's example, verbatim apart from the pid column the unit needs. */
  static final String DESIGN_EXAMPLE = """
      name: pums
      table: pums                  # the SQL name
      source: { csv: data/pums.csv }   # or { parquet: ... } or { jdbc: { url: ..., table: ... } }
      privacy_unit: pid            # or: row
      max_groups_contributed: 1
      max_rows_per_group: 1
      budget: { epsilon: 3.0, delta: 1.0e-6 }
      defaults: { epsilon: 0.5, delta: 1.0e-7 }   # per query, when the analyst gives none
      ledger: pums.ledger.db       # optional; default <name>.ledger.db beside the YAML; or a jdbc:postgresql URL
      columns:
        age:    { type: int, lower: 0, upper: 100 }
        sex:    { type: string, public_values: ["0", "1"] }
        income: { type: double, lower: 0, upper: 500000 }
        educ:   { type: string }   # no bounds: may be grouped, filtered and counted, never summed
        pid:    { type: int }
      """;

  @Test
  void loadsTheDesignExampleFromAFileWithPathsRelativeToIt() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("owner"));
    Files.createDirectories(dir.resolve("data"));
    Files.copy(PumsFiles.pums("PUMS_dup.csv"), dir.resolve("data/pums.csv"));
    Path yaml = Files.writeString(dir.resolve("pums.yaml"), DESIGN_EXAMPLE);

    Dataset d = DatasetLoader.load(yaml);

    assertEquals("pums", d.name());
    assertEquals("pums", d.table());
    assertEquals(new Source.Csv(dir.resolve("data/pums.csv").toAbsolutePath()), d.source());
    assertEquals(new PrivacyUnit.ByColumn("pid"), d.unit());
    assertEquals(1, d.maxGroupsContributed());
    assertEquals(1, d.maxRowsPerGroup());
    assertEquals(PrivacyLoss.budget(new BigDecimal("3.0"), new BigDecimal("1.0e-6")), d.budget());
    assertEquals(PrivacyLoss.of(new BigDecimal("0.5"), new BigDecimal("1.0e-7")), d.defaults());
    assertEquals(dir.resolve("pums.ledger.db").toAbsolutePath().toString(), d.ledger());
    assertEquals(Optional.of(yaml.toAbsolutePath()), d.yamlPath());
    assertEquals(List.of("age", "sex", "income", "educ", "pid"), d.columns().stream().map(Column::name).toList());
    assertEquals(new Column("age", ColumnType.INT, OptionalDouble.of(0), OptionalDouble.of(100), Optional.empty()),
        d.columns().get(0));
    assertEquals(new Column("sex", ColumnType.STRING, OptionalDouble.empty(), OptionalDouble.empty(),
        Optional.of(List.of("0", "1"))), d.columns().get(1));
    assertEquals(500000.0, d.columns().get(2).upper().getAsDouble());
    assertEquals(ColumnType.DOUBLE, d.columns().get(2).type());
    assertFalse(d.columns().get(3).isBounded());
    assertFalse(d.columns().get(3).hasPublicDomain());
  }

  @Test
  void defaultLedgerIsNamedAfterTheDatasetBesideTheYaml() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("a/b"));
    Path yaml = Files.writeString(dir.resolve("x.yaml"),
        DESIGN_EXAMPLE.replace("name: pums", "name: census-2020").replace("ledger: pums.ledger.db", ""));
    Dataset d = DatasetLoader.load(yaml);
    assertEquals(dir.resolve("census-2020.ledger.db").toAbsolutePath().toString(), d.ledger());
  }

  @Test
  void ledgerMayBeAPostgresUrlOrARelativePath() {
    Dataset pg = DatasetLoader.parse(DESIGN_EXAMPLE.replace("ledger: pums.ledger.db",
        "ledger: jdbc:postgresql://127.0.0.1:5432/dpq"), tmp);
    assertEquals("jdbc:postgresql://127.0.0.1:5432/dpq", pg.ledger());
    Dataset rel = DatasetLoader.parse(DESIGN_EXAMPLE.replace("ledger: pums.ledger.db", "ledger: ../l/p.db"), tmp);
    assertEquals(tmp.toAbsolutePath().getParent().resolve("l/p.db").toString(), rel.ledger());
  }

  @Test
  void parquetAndJdbcSourcesAndRowUnit() {
    Dataset parquet = DatasetLoader.parse(DESIGN_EXAMPLE.replace("{ csv: data/pums.csv }",
        "{ parquet: 'data/*.parquet' }"), tmp);
    assertEquals(new Source.Parquet(tmp.toAbsolutePath().resolve("data/*.parquet")), parquet.source());

    Dataset jdbc = DatasetLoader.parse(DESIGN_EXAMPLE.replace("{ csv: data/pums.csv }",
        "{ jdbc: { url: 'jdbc:postgresql://127.0.0.1:5432/dpq', table: public.pums } }"), tmp);
    assertEquals(new Source.Jdbc("jdbc:postgresql://127.0.0.1:5432/dpq", "public.pums"), jdbc.source());

    Dataset row = DatasetLoader.parse(DESIGN_EXAMPLE.replace("privacy_unit: pid ", "privacy_unit: row ")
        .replace("max_groups_contributed: 1\n", "").replace("max_rows_per_group: 1\n", ""), tmp);
    assertInstanceOf(PrivacyUnit.Row.class, row.unit());
    assertEquals(1, row.maxGroupsContributed());
    assertEquals(1, row.maxRowsPerGroup());
  }

  @Test
  void numbersMayBeWrittenAsIntsFloatsOrExponents() {
    Dataset d = DatasetLoader.parse(DESIGN_EXAMPLE
        .replace("budget: { epsilon: 3.0, delta: 1.0e-6 }", "budget: { epsilon: 3, delta: 1e-6 }")
        .replace("defaults: { epsilon: 0.5, delta: 1.0e-7 }", "defaults: { epsilon: 5e-1, delta: 0 }")
        .replace("max_groups_contributed: 1", "max_groups_contributed: 2.0")
        .replace("{ type: int, lower: 0, upper: 100 }", "{ type: int, lower: -5.0, upper: 1e2 }")
        .replace("{ type: double, lower: 0, upper: 500000 }", "{ type: double, lower: -0.5, upper: 500_000 }"), tmp);
    assertEquals(PrivacyLoss.budget(new BigDecimal("3"), new BigDecimal("0.000001")), d.budget());
    assertEquals(PrivacyLoss.of(new BigDecimal("0.5"), BigDecimal.ZERO), d.defaults());
    assertEquals(2, d.maxGroupsContributed());
    assertEquals(-5.0, d.columns().get(0).lower().getAsDouble());
    assertEquals(100.0, d.columns().get(0).upper().getAsDouble());
    assertEquals(-0.5, d.columns().get(2).lower().getAsDouble());
    assertEquals(500000.0, d.columns().get(2).upper().getAsDouble());
    Dataset exp = DatasetLoader.parse(DESIGN_EXAMPLE.replace("upper: 500000", "upper: 5.0e5"), tmp);
    assertEquals(500000.0, exp.columns().get(2).upper().getAsDouble());
  }

  @Test
  void publicValuesAreStoredInTheBackendsCanonicalText() {
    Dataset d = DatasetLoader.parse(DESIGN_EXAMPLE
        .replace("age:    { type: int, lower: 0, upper: 100 }", "age: { type: int, public_values: [1, \"2\", 3.0] }")
        .replace("sex:    { type: string, public_values: [\"0\", \"1\"] }", "sex: { type: string, public_values: [0, 1] }")
        .replace("educ:   { type: string }", "educ: { type: double, public_values: [1, 2.5, \"3\"] }\n"
            + "  married: { type: boolean, public_values: [true, \"False\"] }\n"
            + "  day: { type: date, public_values: [\"2024-01-31\"] }"), tmp);
    assertEquals(Optional.of(List.of("1", "2", "3")), d.column("age").orElseThrow().publicValues());
    assertEquals(Optional.of(List.of("0", "1")), d.column("sex").orElseThrow().publicValues());
    assertEquals(Optional.of(List.of("1.0", "2.5", "3.0")), d.column("educ").orElseThrow().publicValues());
    assertEquals(Optional.of(List.of("true", "false")), d.column("married").orElseThrow().publicValues());
    assertEquals(Optional.of(List.of("2024-01-31")), d.column("day").orElseThrow().publicValues());
  }

  @Test
  void dateBoundsAreIsoDatesHeldAsEpochDays() {
    Dataset d = DatasetLoader.parse(DESIGN_EXAMPLE.replace("educ:   { type: string }", "educ:   { type: string }\n"
        + "  d: { type: date, lower: \"2020-01-01\", upper: 2024-12-31 }\n"
        + "  one: { type: date, lower: \"2021-03-04\", upper: \"2021-03-04\" }"), tmp);
    Column c = d.column("d").orElseThrow();
    assertEquals(java.time.LocalDate.parse("2020-01-01").toEpochDay(), (long) c.lower().getAsDouble());
    assertEquals(java.time.LocalDate.parse("2024-12-31").toEpochDay(), (long) c.upper().getAsDouble());
    assertEquals(Optional.of(new Column.DateRange(java.time.LocalDate.parse("2020-01-01"),
        java.time.LocalDate.parse("2024-12-31"))), c.dateBounds());
    assertEquals(d.column("one").orElseThrow().lower(), d.column("one").orElseThrow().upper(),
        "a single day is a valid range");
    assertEquals(Optional.empty(), d.column("age").orElseThrow().dateBounds(), "only date columns have dates");
  }

  @Test
  void unitColumnIsMatchedCaseInsensitivelyAndStoredAsDeclared() {
    Dataset d = DatasetLoader.parse(DESIGN_EXAMPLE.replace("privacy_unit: pid", "privacy_unit: PID"), tmp);
    assertEquals(new PrivacyUnit.ByColumn("pid"), d.unit());
  }

  @Test
  void rejectsMoreGroupsPerUnitThanTheNoiseCalibrationCovers() {
    assertEquals(4096, DatasetLoader.parse(DESIGN_EXAMPLE.replace("max_groups_contributed: 1",
        "max_groups_contributed: 4096"), tmp).maxGroupsContributed());
    DatasetValidationException e = assertThrows(DatasetValidationException.class, () -> DatasetLoader.parse(
        DESIGN_EXAMPLE.replace("max_groups_contributed: 1", "max_groups_contributed: 4097"), tmp));
    assertEquals(List.of("max_groups_contributed: must be at most 4096 (the noise calibration covers rounding in "
        + "at most that many groups per unit)"), e.problems());
  }

  @Test
  void reportsEveryProblemAtOnce() {
    DatasetValidationException e = assertThrows(DatasetValidationException.class, () -> DatasetLoader.parse(
        DESIGN_EXAMPLE.replace("upper: 500000", "upper: -1").replace("lower: 0, upper: 100", "lowr: 0, upper: 100")
            .replace("max_groups_contributed: 1", "max_groups_contributed: 0")
            .replace("privacy_unit: pid", "privacy_unit: pid2"), tmp));
    assertEquals(List.of(
        "columns.age.lowr: unknown key; expected one of type, lower, upper, public_values, from, nullable, "
            + "bounds",
        "columns.age.lower: missing; give lower and upper together, or neither",
        "columns.income.upper: must be > lower (0)",
        "privacy_unit: column 'pid2' is not declared under columns; declare it (e.g. pid2: { type: int }) or write "
            + "row if every row is a different person",
        "max_groups_contributed: must be an integer >= 1 (got 0)"), e.problems());
    assertTrue(e.getMessage().contains("has 5 problems"), e.getMessage());
    for (String p : e.problems()) {
      assertTrue(e.getMessage().contains(p), p);
    }
  }

  @Test
  void unreadableFileIsOneProblem() {
    DatasetValidationException e = assertThrows(DatasetValidationException.class,
        () -> DatasetLoader.load(tmp.resolve("nope.yaml")));
    assertEquals(List.of("(file): not found; check the path of the dataset file"), e.problems());
  }
}
