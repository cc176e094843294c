package org.dpq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.dpq.cli.MainTest.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dpq datasets init} and the conversion counts of {@code dpq datasets validate}, in process. */
class DatasetsCommandTest {
  @TempDir Path dir;

  /** Values that appear in the data files below and must never appear in a draft or a message. */
  private static final List<String> DATA_VALUES = List.of("Zyxwvut", "Qopmarn", "123456", "654321", "97", "13",
      "1988", "2011");

  private static final String PEOPLE = """
      Person ID;Age;Salary;City;Joined
      1;97;123456.75;Zyxwvut;31/12/1988
      2;13;654321.25;Qopmarn;01/02/2011
      3;45;1000.5;Zyxwvut;15/06/2000
      """;

  @Test
  void initDraftsTypesAndCsvOptionsAndLeavesEveryPrivacyDecisionAsATodoThatValidateRefuses() throws Exception {
    Path csv = Files.writeString(dir.resolve("people.csv"), PEOPLE);
    Run init = MainTest.run("datasets", "init", "--from", csv.toString());
    assertEquals(0, init.code(), init.err());
    Path yaml = dir.resolve("people.yaml");
    String draft = Files.readString(yaml);
    for (String expected : List.of("source: { csv: \"people.csv\", delimiter: \";\", date_format: \"%d/%m/%Y\" }",
        "person_id: { type: int, from: \"Person ID\", lower: TODO, upper: TODO }",
        "Salary:    { type: double, lower: TODO, upper: TODO }", "City:      { type: string, public_values: TODO }",
        "Joined:    { type: date, public_values: TODO }", "privacy_unit: TODO",
        "budget: { epsilon: TODO, delta: TODO }")) {
      assertTrue(draft.contains(expected), "draft lacks " + expected + ":\n" + draft);
    }
    String data = draft.replaceAll("#[^\\n]*", "");
    for (String value : DATA_VALUES) {
      assertFalse(data.contains(value), "the draft holds the data value " + value + ":\n" + draft);
    }

    Run refused = MainTest.run("datasets", "validate", "--dataset", yaml.toString());
    assertEquals(2, refused.code(), refused.out());
    long todos = refused.err().lines().filter(l -> l.contains("still TODO")).count();
    assertEquals(3 + 2 + 2 + 2 * 3 + 2, todos, "unit, G, R, budget and defaults (2 each), 3 numeric columns' "
        + "bounds (2 each), 2 keys' public values:\n" + refused.err());

    String filled = draft.replace("privacy_unit: TODO", "privacy_unit: person_id")
        .replace("max_groups_contributed: TODO", "max_groups_contributed: 1")
        .replace("max_rows_per_group: TODO", "max_rows_per_group: 1")
        .replace("budget: { epsilon: TODO, delta: TODO }", "budget: { epsilon: 3.0, delta: 1.0e-6 }")
        .replace("defaults: { epsilon: TODO, delta: TODO }", "defaults: { epsilon: 0.5, delta: 1.0e-7 }")
        .replace("from: \"Person ID\", lower: TODO, upper: TODO", "from: \"Person ID\"")
        .replace("int, lower: TODO, upper: TODO", "int, lower: 0, upper: 120")
        .replace("double, lower: TODO, upper: TODO", "double, lower: 0, upper: 500000")
        .replace(", public_values: TODO", "");
    Files.writeString(yaml, filled);
    Run ok = MainTest.run("datasets", "validate", "--dataset", yaml.toString());
    assertEquals(0, ok.code(), ok.err() + "\n" + filled);
    assertTrue(ok.out().contains("people.yaml: OK"), ok.out());

    Run again = MainTest.run("datasets", "init", "--from", csv.toString());
    assertEquals(2, again.code(), "an existing YAML is not overwritten without --force");
    assertEquals(filled, Files.readString(yaml));
  }

  @Test
  void initReadsParquetTypes() throws Exception {
    Path parquet = dir.resolve("sales.parquet");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("COPY (SELECT 1 AS id, 97.5::DOUBLE AS amount, 'Zyxwvut' AS shop, DATE '2011-01-01' AS day, "
          + "true AS online) TO '" + parquet + "' (FORMAT parquet)");
    }
    Path yaml = dir.resolve("out/sales.yaml");
    Run init = MainTest.run("datasets", "init", "--from", parquet.toString(), "--out", yaml.toString());
    assertEquals(0, init.code(), init.err());
    String draft = Files.readString(yaml);
    for (String expected : List.of("source: { parquet: \"" + parquet.toAbsolutePath() + "\" }",
        "id:     { type: int, lower: TODO, upper: TODO }", "amount: { type: double, lower: TODO, upper: TODO }",
        "shop:   { type: string, public_values: TODO }", "day:    { type: date, public_values: TODO }",
        "online: { type: boolean, public_values: TODO }")) {
      assertTrue(draft.contains(expected), "draft lacks " + expected + ":\n" + draft);
    }
    String columns = draft.substring(draft.indexOf("\ncolumns:")).replaceAll("#[^\\n]*", "");
    assertFalse(columns.matches("(?s).*(Zyxwvut|97|2011).*"), "the draft holds a data value:\n" + draft);
  }

  private Path dataset(String csv, String source, String columns) throws Exception {
    Files.writeString(dir.resolve("pay.csv"), csv);
    return Files.writeString(dir.resolve("pay.yaml"), """
        name: pay
        table: pay
        source: { csv: pay.csv%s }
        privacy_unit: id
        max_groups_contributed: 1
        max_rows_per_group: 1
        budget: { epsilon: 1, delta: 0 }
        defaults: { epsilon: 0.5, delta: 0 }
        columns:
        %s""".formatted(source, columns.indent(2)));
  }

  @Test
  void validateCountsCsvCellsThatDoNotConvertAndFailsAboveTheThreshold() throws Exception {
    String csv = "id,salary,day\n1,123456.75,2020-01-31\n2,654321.25,31/01/2020\n3,1000,\n4,,2020-02-01\n";
    String columns = "id: { type: int }\nsalary: { type: int, lower: 0, upper: 1000000 }\nday: { type: date }";
    Run failed = MainTest.run("datasets", "validate", "--dataset", dataset(csv, "", columns).toString());
    assertEquals(5, failed.code(), failed.out() + failed.err());
    assertTrue(failed.err().contains("  - salary (int): 2 of 3 non-empty cells (too many)"), failed.err());
    assertTrue(failed.err().contains("  - day (date): 1 of 3 non-empty cells (too many)"), failed.err());
    assertTrue(failed.err().contains("FAILED"), failed.err());
    assertFalse(failed.err().contains("id ("), "columns that convert are not listed: " + failed.err());
    for (String value : DATA_VALUES) {
      assertFalse(failed.out().contains(value) || failed.err().contains(value), value + " leaked: " + failed.err());
    }

    Run tolerated = MainTest.run("datasets", "validate", "--dataset",
        dataset(csv, ", max_unparsable_fraction: 0.7", columns).toString());
    assertEquals(0, tolerated.code(), tolerated.err());
    assertTrue(tolerated.out().contains("  - salary (int): 2 of 3 non-empty cells\n"), tolerated.out());
    assertTrue(tolerated.out().contains("pay.yaml: OK"), tolerated.out());

    Run fixed = MainTest.run("datasets", "validate", "--dataset", dataset(csv.replace("31/01/2020", "2020-01-30"), "",
        columns.replace("salary: { type: int", "salary: { type: double")).toString());
    assertEquals(0, fixed.code(), fixed.err());
    assertFalse(fixed.out().contains("do not convert"), fixed.out());
  }

  @Test
  void validateCountsNullCellsOfColumnsDeclaredNotNullWithoutShowingValues() throws Exception {
    String csv = "id,salary,age\n1,123456.75,97\n2,,13\n3,654321.25,\n4,,45\n";
    String columns = "id: { type: int }\nsalary: { type: double, lower: 0, upper: 1000000, nullable: false }\n"
        + "age: { type: int, lower: 0, upper: 120 }";
    Run failed = MainTest.run("datasets", "validate", "--dataset", dataset(csv, "", columns).toString());
    assertEquals(5, failed.code(), failed.out() + failed.err());
    assertTrue(failed.err().contains("  - salary: 2 NULL cells"), failed.err());
    assertFalse(failed.err().contains("age:"), "a nullable column's NULLs are fine: " + failed.err());
    for (String value : DATA_VALUES) {
      assertFalse(failed.out().contains(value) || failed.err().contains(value), value + " leaked: " + failed.err());
    }
    Run ok = MainTest.run("datasets", "validate", "--dataset", dataset(csv, "",
        columns.replace("nullable: false", "nullable: true").replace("lower: 0, upper: 120", "lower: 0, upper: 120, "
            + "nullable: false").replace("age:", "age:")).toString());
    assertEquals(5, ok.code(), "age now is the non-nullable column with one NULL: " + ok.err());
    assertTrue(ok.err().contains("  - age: 1 NULL cells"), ok.err());
    Run clean = MainTest.run("datasets", "validate", "--dataset",
        dataset(csv.replace(",,13", ",1,13").replace(",,45", ",2,45"), "", columns).toString());
    assertEquals(0, clean.code(), clean.err());
    assertTrue(clean.out().contains("pay.yaml: OK"), clean.out());
  }

  @Test
  void validateComparesParquetTypesWithTheDeclaration() throws Exception {
    Path parquet = dir.resolve("pay.parquet");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("COPY (SELECT 1 AS id, 123456.75::DOUBLE AS salary, '12' AS code) TO '" + parquet
          + "' (FORMAT parquet)");
    }
    Path yaml = dataset("", "", "id: { type: int }\nsalary: { type: int }\ncode: { type: int }");
    Files.writeString(yaml, Files.readString(yaml).replace("{ csv: pay.csv }", "{ parquet: pay.parquet }"));
    Run r = MainTest.run("datasets", "validate", "--dataset", yaml.toString());
    assertEquals(5, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("salary (declared int, Parquet type DOUBLE), code (declared int, Parquet type "
        + "VARCHAR)"), r.err());
    assertFalse(r.err().contains("123456"), r.err());
  }
}
