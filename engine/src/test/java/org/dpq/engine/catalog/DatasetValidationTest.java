package org.dpq.engine.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.dpq.errors.DatasetValidationException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** One row per validation family: an edit of the valid example and exactly the problems it must produce. */
class DatasetValidationTest {
  private static final Path BASE = Path.of("/owner");
  private static final String OK = DatasetLoaderTest.DESIGN_EXAMPLE;

  private static Arguments edit(String family, String from, String to, String... problems) {
    if (!OK.contains(from)) {
      throw new IllegalArgumentException(family + ": the example has no '" + from + "'");
    }
    return Arguments.of(family, OK.replace(from, to), List.of(problems));
  }

  private static Arguments doc(String family, String yaml, String... problems) {
    return Arguments.of(family, yaml, List.of(problems));
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        // unknown keys, at every level
        edit("unknown column key", "lower: 0, upper: 100", "lowr: 0, lower: 0, upper: 100",
            "columns.age.lowr: unknown key; expected one of type, lower, upper, public_values, from, nullable, "
                + "bounds"),
        edit("unknown top-level key", "name: pums", "name: pums\nbudgte: 1",
            "budgte: unknown key; expected one of name, table, source, privacy_unit, max_groups_contributed, "
                + "max_rows_per_group, max_rows_per_unit, budget, defaults, ledger, limits, columns, tables"),
        edit("nullable not a boolean", "lower: 0, upper: 100", "lower: 0, upper: 100, nullable: maybe",
            "columns.age.nullable: must be true (the default: the column may hold NULL) or false (no row holds NULL "
                + "here; dpq datasets validate checks it)"),
        edit("unknown budget key", "{ epsilon: 3.0, delta: 1.0e-6 }", "{ epsilon: 3.0, delta: 1.0e-6, eps: 1 }",
            "budget.eps: unknown key; expected one of epsilon, delta, accounting"),
        edit("unknown source kind", "{ csv: data/pums.csv }", "{ tsv: data/pums.tsv }",
            "source.tsv: unknown key; expected one of csv, parquet, jdbc, spark, delimiter, quote, header, null_string, "
                + "date_format, max_unparsable_fraction"),
        // CSV options and from:
        edit("csv option on parquet", "{ csv: data/pums.csv }", "{ parquet: p.parquet, delimiter: \";\" }",
            "source.delimiter: is a CSV option; it applies only to source: { csv: ... }"),
        edit("two-character delimiter", "{ csv: data/pums.csv }", "{ csv: data/pums.csv, delimiter: \";;\" }",
            "source.delimiter: must be one character, e.g. delimiter: \";\" or delimiter: \"\\t\" for a tab"),
        edit("quote equals delimiter", "{ csv: data/pums.csv }", "{ csv: data/pums.csv, delimiter: \"'\", quote: \"'\" }",
            "source.quote: must differ from the delimiter"),
        edit("header not boolean", "{ csv: data/pums.csv }", "{ csv: data/pums.csv, header: maybe }",
            "source.header: must be true (the first line names the columns) or false"),
        edit("date format without %", "{ csv: data/pums.csv }", "{ csv: data/pums.csv, date_format: dd/mm/yyyy }",
            "source.date_format: must be a strptime format, e.g. date_format: \"%d/%m/%Y\" for 31/12/2024"),
        edit("fraction above 1", "{ csv: data/pums.csv }", "{ csv: data/pums.csv, max_unparsable_fraction: 5 }",
            "source.max_unparsable_fraction: must be a fraction from 0 to 1, e.g. 0.01 for 1% of a column's "
                + "non-empty cells"),
        doc("from on a database table", OK.replace("{ csv: data/pums.csv }",
                "{ jdbc: { url: \"jdbc:postgresql://h/db\", table: pums } }")
                .replace("age:    { type: int,", "age:    { type: int, from: Age,"),
            "columns.age.from: applies to CSV and Parquet sources only; for a table, expose a view with this name"),
        doc("from not a position without header", OK.replace("{ csv: data/pums.csv }",
                "{ csv: data/pums.csv, header: false }").replace("age:    { type: int,", "age:    { type: int, from: Age,"),
            "columns.age.from: must be the column's 1-based position when the CSV has no header (header: false)"),
        // placeholders left by dpq datasets init
        edit("unit still TODO", "privacy_unit: pid ", "privacy_unit: TODO ",
            "privacy_unit: still TODO (left by dpq datasets init): decide it from domain knowledge, never from the "
                + "data; name the column that identifies a person, or write row if every row belongs to a different "
                + "person"),
        edit("G still TODO", "max_groups_contributed: 1", "max_groups_contributed: TODO",
            "max_groups_contributed: still TODO (left by dpq datasets init): decide it from domain knowledge, never "
                + "from the data; give the most groups one unit may contribute to, e.g. max_groups_contributed: 1"),
        edit("bound still TODO", "lower: 0, upper: 100", "lower: TODO, upper: TODO",
            "columns.age.lower: still TODO (left by dpq datasets init): decide it from domain knowledge, never from "
                + "the data; give a number or remove the key where it is optional",
            "columns.age.upper: still TODO (left by dpq datasets init): decide it from domain knowledge, never from "
                + "the data; give a number or remove the key where it is optional"),
        // missing required keys
        edit("missing name", "name: pums\n", "", "name: missing; give the dataset id, e.g. name: pums"),
        edit("missing table", "table: pums ", "",
            "table: missing; give the SQL name analysts query, e.g. table: pums"),
        edit("missing budget", "budget: { epsilon: 3.0, delta: 1.0e-6 }\n", "",
            "budget: missing; give the dataset's lifetime budget, e.g. budget: { epsilon: 3.0, delta: 1.0e-6 }"),
        edit("missing delta", "delta: 1.0e-7", "",
            "defaults.delta: missing; give 0 for pure DP, or a small value below 1/(number of people), "
                + "e.g. delta: 1.0e-6"),
        edit("missing type", "educ:   { type: string }", "educ:   { public_values: [\"1\"] }",
            "columns.educ.type: missing; give one of int, long, double, string, boolean, date"),
        edit("column without definition", "educ:   { type: string }", "educ:",
            "columns.educ: missing; give the column's definition, at least { type: ... }"),
        edit("missing G", "max_groups_contributed: 1\n", "",
            "max_groups_contributed: missing; give the most groups one unit may contribute to, "
                + "e.g. max_groups_contributed: 1"),
        // wrong shapes and types
        edit("source not a mapping", "{ csv: data/pums.csv }", "data/pums.csv",
            "source: must be a mapping with exactly one of csv, parquet, jdbc, spark, e.g. { csv: data/pums.csv }, "
                + "not a single value"),
        edit("columns a list", "columns:", "columns: [age]\nignored:",
            "columns: must be a mapping of column name to its definition, e.g. age: { type: int, lower: 0, "
                + "upper: 100 }, not a list",
            "ignored: unknown key; expected one of name, table, source, privacy_unit, max_groups_contributed, "
                + "max_rows_per_group, max_rows_per_unit, budget, defaults, ledger, limits, columns, tables"),
        edit("name a list", "name: pums", "name: [pums]", "name: must be a single value, not a list"),
        edit("public values not a list", "public_values: [\"0\", \"1\"]", "public_values: \"0\"",
            "columns.sex.public_values: must be a list, e.g. [\"0\", \"1\"], not a single value"),
        edit("budget a number", "budget: { epsilon: 3.0, delta: 1.0e-6 }", "budget: 3",
            "budget: must be a mapping { epsilon: ..., delta: ... }, not a single value"),
        edit("bound a list", "lower: 0, upper: 100", "lower: [0], upper: 100",
            "columns.age.lower: must be a single value, not a list"),
        edit("empty csv path", "{ csv: data/pums.csv }", "{ csv: '' }",
            "source.csv: must not be empty; give the file path, relative to the YAML file's folder"),
        edit("infinite public value", "{ type: double, lower: 0, upper: 500000 }",
            "{ type: double, lower: 0, upper: 500000, public_values: [1, .inf] }",
            "columns.income.public_values[1]: must be a finite number in a double column"),
        edit("unknown type", "type: string }   #", "type: text }   #",
            "columns.educ.type: unknown type 'text'; expected one of int, long, double, string, boolean, date"),
        edit("bound not a number", "lower: 0, upper: 100", "lower: zero, upper: 100",
            "columns.age.lower: must be a number (got 'zero')"),
        // source
        edit("two sources", "{ csv: data/pums.csv }", "{ csv: data/pums.csv, parquet: data/p.parquet }",
            "source: give exactly one of csv, parquet, jdbc, spark"),
        edit("no source", "{ csv: data/pums.csv }", "{ }", "source: give exactly one of csv, parquet, jdbc, spark"),
        edit("jdbc incomplete", "{ csv: data/pums.csv }", "{ jdbc: { url: 'postgresql://h/db' } }",
            "source.jdbc.url: must be a JDBC URL starting with jdbc:, e.g. jdbc:postgresql://127.0.0.1:5432/dpq",
            "source.jdbc.table: missing; give the table that holds the rows, e.g. table: public.pums"),
        edit("jdbc bad table", "{ csv: data/pums.csv }", "{ jdbc: { url: 'jdbc:postgresql://h/db', table: 'a b' } }",
            "source.jdbc.table: must be a table name, optionally schema-qualified (schema.table), each part "
                + "letters, digits and _, not starting with a digit"),
        // identifiers
        edit("table not an identifier", "table: pums ", "table: 'pums; drop' ",
            "table: must be an SQL identifier: letters, digits and _, not starting with a digit, at most 63 "
                + "characters"),
        edit("column not an identifier", "educ:   { type: string }", "\"1educ\": { type: string }",
            "columns.1educ: column name must be an SQL identifier: letters, digits and _, not starting with a "
                + "digit, at most 63 characters"),
        edit("column too long", "educ:   { type: string }", "e" + "x".repeat(63) + ": { type: string }",
            "columns.e" + "x".repeat(63) + ": column name must be an SQL identifier: letters, digits and _, not "
                + "starting with a digit, at most 63 characters"),
        edit("case-insensitive duplicate column", "educ:   { type: string }", "educ: { type: string }\n  EDUC: { type: string }",
            "columns.EDUC: is the same name as column 'educ' (SQL compares names case-insensitively); keep one of them"),
        edit("dataset name unsafe for a file", "name: pums", "name: ../pums",
            "name: must be letters, digits, '_', '-' or '.', starting with a letter or digit, at most 128 "
                + "characters (it names the ledger file)"),
        // bounds
        edit("upper not above lower", "upper: 500000", "upper: 0", "columns.income.upper: must be > lower (0)"),
        edit("upper below lower", "upper: 500000", "upper: -1", "columns.income.upper: must be > lower (0)"),
        edit("only lower", "{ type: double, lower: 0, upper: 500000 }", "{ type: double, lower: 0 }",
            "columns.income.upper: missing; give lower and upper together, or neither"),
        edit("only upper", "{ type: int, lower: 0, upper: 100 }", "{ type: int, upper: 100 }",
            "columns.age.lower: missing; give lower and upper together, or neither"),
        edit("infinite bound", "upper: 500000", "upper: .inf",
            "columns.income.upper: must be a finite number, not infinite"),
        edit("NaN bound", "lower: 0, upper: 500000", "lower: .nan, upper: 500000",
            "columns.income.lower: must be a finite number, not NaN"),
        edit("bound beyond double", "upper: 500000", "upper: 1e400",
            "columns.income.upper: must be a finite number within the range of a double"),
        edit("fractional int bound", "lower: 0, upper: 100", "lower: 0.5, upper: 100",
            "columns.age.lower: must be a whole number for a int column"),
        edit("bounds on a string", "educ:   { type: string }", "educ: { type: string, lower: 1, upper: 16 }",
            "columns.educ.lower: bounds apply only to numeric columns (int, long, double) and dates, not string; "
                + "remove the bounds or change the type"),
        edit("bounds on a boolean", "educ:   { type: string }", "educ: { type: boolean, lower: 0, upper: 1 }",
            "columns.educ.lower: bounds apply only to numeric columns (int, long, double) and dates, not boolean; "
                + "remove the bounds or change the type"),
        // date bounds are ISO dates
        edit("date bounds reversed", "educ:   { type: string }",
            "educ:   { type: string }\n  d: { type: date, lower: \"2024-01-01\", upper: \"2023-12-31\" }",
            "columns.d.upper: must be on or after lower (2024-01-01); swap them"),
        edit("date bound not ISO", "educ:   { type: string }",
            "educ:   { type: string }\n  d: { type: date, lower: \"01/02/2020\", upper: 2024-12-31 }",
            "columns.d.lower: must be a date written yyyy-mm-dd in a date column, e.g. \"2024-01-31\" (got "
                + "'01/02/2020')"),
        edit("date bound a number", "educ:   { type: string }",
            "educ:   { type: string }\n  d: { type: date, lower: 0, upper: \"2024-02-30\" }",
            "columns.d.lower: must be a date written yyyy-mm-dd in a date column, e.g. \"2024-01-31\" (got '0')",
            "columns.d.upper: must be a date written yyyy-mm-dd in a date column, e.g. \"2024-01-31\" (got "
                + "'2024-02-30')"),
        edit("only a lower date", "educ:   { type: string }",
            "educ:   { type: string }\n  d: { type: date, lower: \"2020-01-01\" }",
            "columns.d.upper: missing; give lower and upper together, or neither"),
        // public values
        edit("empty public values", "public_values: [\"0\", \"1\"]", "public_values: []",
            "columns.sex.public_values: must list at least one value; remove public_values if the column has no "
                + "public domain"),
        edit("duplicate public values", "public_values: [\"0\", \"1\"]", "public_values: [\"0\", \"1\", \"0\"]",
            "columns.sex.public_values[2]: repeats public_values[0]; list each value once"),
        edit("YAML boolean in public values", "public_values: [\"0\", \"1\"]", "public_values: [yes, no]",
            "columns.sex.public_values[0]: is a YAML boolean (true/false/yes/no/on/off are booleans in YAML); quote "
                + "it, e.g. \"yes\"",
            "columns.sex.public_values[1]: is a YAML boolean (true/false/yes/no/on/off are booleans in YAML); quote "
                + "it, e.g. \"yes\""),
        edit("null and nested public values", "public_values: [\"0\", \"1\"]", "public_values: [~, [1], {a: 1}]",
            "columns.sex.public_values[0]: must be a value, not null (quote it if you mean the text \"null\")",
            "columns.sex.public_values[1]: must be a single string or number, not a list",
            "columns.sex.public_values[2]: must be a single string or number, not a mapping"),
        edit("non-integer public value for int", "{ type: int, lower: 0, upper: 100 }",
            "{ type: int, lower: 0, upper: 100, public_values: [1, 2.5, \"x\"] }",
            "columns.age.public_values[1]: must be a whole number in an integer column",
            "columns.age.public_values[2]: must be a whole number in an integer column"),
        edit("fraction in a string column", "public_values: [\"0\", \"1\"]", "public_values: [0, 1.5]",
            "columns.sex.public_values[1]: is a number with a fraction in a string column; quote it so its exact "
                + "text is kept, e.g. \"1.5\""),
        edit("canonical duplicates", "{ type: double, lower: 0, upper: 500000 }",
            "{ type: double, lower: 0, upper: 500000, public_values: [1, 1.0] }",
            "columns.income.public_values[1]: repeats public_values[0]; list each value once"),
        // privacy unit and contribution bounds
        edit("unit not declared", "privacy_unit: pid", "privacy_unit: pid2",
            "privacy_unit: column 'pid2' is not declared under columns; declare it (e.g. pid2: { type: int }) or "
                + "write row if every row is a different person"),
        edit("unit with bounds", "pid:    { type: int }", "pid: { type: int, lower: 0, upper: 10 }",
            "columns.pid: the privacy unit column identifies people and is never summed; remove lower and upper"),
        edit("unit with public values", "pid:    { type: int }", "pid: { type: int, public_values: [1, 2] }",
            "columns.pid.public_values: the privacy unit column cannot have a public domain (grouping by the unit "
                + "would release per-person results); remove public_values"),
        edit("unit of type double", "pid:    { type: int }", "pid: { type: double }",
            "columns.pid.type: the privacy unit column identifies people, so it must be int, long or string, not "
                + "double"),
        edit("unit missing", "privacy_unit: pid ", "",
            "privacy_unit: missing; give the column that identifies a person (e.g. privacy_unit: pid), or row if "
                + "every row belongs to a different person"),
        doc("row unit with G > 1", OK.replace("privacy_unit: pid ", "privacy_unit: row ")
                .replace("max_groups_contributed: 1", "max_groups_contributed: 3"),
            "max_groups_contributed: must be 1 when privacy_unit is row (each row is its own unit: one row in one "
                + "group)"),
        edit("G zero", "max_groups_contributed: 1", "max_groups_contributed: 0",
            "max_groups_contributed: must be an integer >= 1 (got 0)"),
        edit("G fractional", "max_groups_contributed: 1", "max_groups_contributed: 1.5",
            "max_groups_contributed: must be an integer >= 1 (got 1.5)"),
        edit("R beyond int", "max_rows_per_group: 1", "max_rows_per_group: 3000000000",
            "max_rows_per_group: must be an integer >= 1 (got 3000000000)"),
        edit("R text", "max_rows_per_group: 1", "max_rows_per_group: many",
            "max_rows_per_group: must be an integer >= 1 (got many)"),
        edit("C zero", "max_rows_per_group: 1", "max_rows_per_group: 1\nmax_rows_per_unit: 0",
            "max_rows_per_unit: must be an integer >= 1 (got 0): the most rows one unit may contribute over all "
                + "groups of a query, e.g. max_rows_per_unit: 7; or remove it for no cap"),
        edit("C fractional", "max_rows_per_group: 1", "max_rows_per_group: 1\nmax_rows_per_unit: 2.5",
            "max_rows_per_unit: must be an integer >= 1 (got 2.5): the most rows one unit may contribute over all "
                + "groups of a query, e.g. max_rows_per_unit: 7; or remove it for no cap"),
        // budget and defaults (messages from PrivacyLoss)
        edit("budget epsilon zero", "budget: { epsilon: 3.0", "budget: { epsilon: 0",
            "budget.epsilon: epsilon must be > 0 (got a value <= 0); use a positive value, typically 0.1 to 1"),
        edit("budget delta one", "delta: 1.0e-6", "delta: 1",
            "budget.delta: delta must be < 1; a typical value is below 1/(number of people), e.g. 1e-7"),
        edit("budget epsilon NaN", "budget: { epsilon: 3.0", "budget: { epsilon: .nan",
            "budget.epsilon: must be a finite number, not NaN"),
        edit("defaults epsilon above the per-query cap", "defaults: { epsilon: 0.5", "defaults: { epsilon: 101",
            "defaults.epsilon: epsilon above 100 gives no meaningful protection; use a value of at most 100"),
        edit("defaults beyond budget", "defaults: { epsilon: 0.5, delta: 1.0e-7 }", "defaults: { epsilon: 4, delta: 1.0e-5 }",
            "defaults.epsilon: must be <= budget.epsilon (3.0); one default query may not cost more than the whole "
                + "budget",
            "defaults.delta: must be <= budget.delta (0.0000010)"),
        edit("defaults delta under a pure budget", "delta: 1.0e-6", "delta: 0",
            "defaults.delta: must be <= budget.delta (0); the budget is pure DP, so use delta: 0"),
        // ledger
        edit("ledger of another database", "ledger: pums.ledger.db", "ledger: 'jdbc:mysql://h/db'",
            "ledger: only PostgreSQL URLs (jdbc:postgresql://...) are supported; or give a file path"),
        edit("ledger is the data", "ledger: pums.ledger.db", "ledger: data/pums.csv",
            "ledger: is the data file itself; give the ledger its own file, e.g. pums.ledger.db"),
        // the document itself
        doc("empty document", "", "(top level): the document is empty; expected a mapping with keys name, table, "
            + "source, privacy_unit, max_groups_contributed, max_rows_per_group, max_rows_per_unit, budget, defaults, ledger, limits, columns, tables"),
        doc("a list document", "- a\n- b\n", "(top level): must be a mapping with keys name, table, source, "
            + "privacy_unit, max_groups_contributed, max_rows_per_group, max_rows_per_unit, budget, defaults, ledger, limits, columns, tables, not a list"),
        doc("duplicate key", OK.replace("table: pums ", "table: pums\ntable: other "),
            "table: given twice; each key may appear only once (line 3, column 6)"),
        doc("two documents", OK + "---\nname: other\n",
            "(top level): only one YAML document is allowed (found another after '---' (line 17, column 1))"),
        doc("syntax error", "name: pums\n  table: x\n",
            "(top level): not valid YAML: mapping values are not allowed here (line 2, column 8)"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void reportsTheProblemWithItsKeyPath(String family, String yaml, List<String> expected) {
    DatasetValidationException e = assertThrows(DatasetValidationException.class,
        () -> DatasetLoader.parse(yaml, BASE));
    assertEquals(expected, e.problems(), family);
  }
}
