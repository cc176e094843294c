package org.dpq.engine.execution;

import java.nio.file.Path;
import java.util.List;
import org.dpq.engine.PumsFiles;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.DatasetLoader;

/**
 * A data set the backend tests load into every backend: a CSV file with a header row, the PostgreSQL columns
 * that hold it (in header order), and the columns a dataset YAML declares over it. Test-only.
 *
 * @param name the dataset's SQL table name
 * @param csv the file
 * @param postgresColumns column definitions for {@code CREATE TABLE}, in the file's order
 * @param unit the privacy unit column
 * @param columnsYaml the {@code columns:} block's entries, one per line
 */
public record TestTable(String name, Path csv, List<String> postgresColumns, String unit, String columnsYaml) {
  /** A PUMS sample (age, sex, educ, race, income, married, pid), unit pid. */
  public static TestTable pums(String file) {
    return new TestTable("pums", PumsFiles.pums(file),
        List.of("age integer", "sex text", "educ text", "race text", "income double precision", "married text",
            "pid integer"),
        "pid", """
        age:     { type: int, lower: 0, upper: 100 }
        sex:     { type: string, public_values: ["0", "1"] }
        educ:    { type: string }
        race:    { type: string }
        income:  { type: double, lower: 0, upper: 500000 }
        married: { type: string, public_values: ["0", "1"] }
        pid:     { type: int }
        """);
  }

  /** A CSV source fragment for this table's file. */
  public String csvSource() {
    return "{ csv: '" + csv.toAbsolutePath().toString().replace("'", "''") + "' }";
  }

  /** The dataset over {@code source} (a YAML flow mapping) with unit {@link #unit}, G and R. */
  public Dataset dataset(String source, int groups, int rows) {
    return dataset(source, unit, groups, rows);
  }

  /** The dataset over {@code source} with the given privacy unit ({@code row} for row-level units). */
  public Dataset dataset(String source, String privacyUnit, int groups, int rows) {
    return dataset(source, privacyUnit, groups, rows, 0);
  }

  /** The dataset over {@code source} with unit {@link #unit}, G, R and {@code max_rows_per_unit: cap} (0: none). */
  public Dataset dataset(String source, int groups, int rows, int cap) {
    return dataset(source, unit, groups, rows, cap);
  }

  private Dataset dataset(String source, String privacyUnit, int groups, int rows, int cap) {
    String yaml = """
        name: %s
        table: %s
        source: %s
        privacy_unit: %s
        max_groups_contributed: %d
        max_rows_per_group: %d
        %sbudget: { epsilon: 10, delta: 1.0e-5 }
        defaults: { epsilon: 1.0, delta: 1.0e-7 }
        columns:
        %s""".formatted(name, name, source, privacyUnit, groups, rows,
        cap > 0 ? "max_rows_per_unit: " + cap + "\n" : "", columnsYaml.indent(2));
    return DatasetLoader.parse(yaml, csv.toAbsolutePath().getParent());
  }
}
