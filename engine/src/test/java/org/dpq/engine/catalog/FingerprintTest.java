package org.dpq.engine.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dpq.engine.PumsFiles;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FingerprintTest {
  @TempDir Path tmp;
  private Path csv;
  private String yaml;

  @BeforeEach
  void copySample() throws IOException {
    csv = Files.copy(PumsFiles.pums("PUMS_pid.csv"), tmp.resolve("pums.csv"));
    yaml = PumsFiles.designYaml(csv);
  }

  private String fingerprint(String text) {
    return Fingerprint.of(DatasetLoader.parse(text, tmp));
  }

  @Test
  void isAStableSha256Hex() {
    String f = fingerprint(yaml);
    assertTrue(f.matches("[0-9a-f]{64}"), f);
    assertEquals(f, fingerprint(yaml));
  }

  @Test
  void changesWhenOneByteOfTheFileChanges() throws IOException {
    String before = fingerprint(yaml);
    byte[] bytes = Files.readAllBytes(csv);
    int last = bytes.length - 2; // a digit of the last row
    bytes[last] = (byte) (bytes[last] == '0' ? '1' : '0');
    Files.write(csv, bytes);
    assertNotEquals(before, fingerprint(yaml));
  }

  /** How the file is read changes what the table holds; the unparsable-cell threshold does not. */
  @Test
  void changesWithTheCsvReadingOptionsAndTheSourceColumn() {
    String before = fingerprint(yaml);
    String source = "source: { csv: '" + csv + "'";
    assertEquals(before, fingerprint(yaml.replace(source, source + ", max_unparsable_fraction: 0.5")));
    assertEquals(before, fingerprint(yaml.replace(source, source + ", delimiter: \",\", header: true")));
    for (String option : List.of("delimiter: \";\"", "quote: \"'\"", "header: false", "null_string: NA",
        "date_format: \"%d/%m/%Y\"")) {
      assertNotEquals(before, fingerprint(yaml.replace(source, source + ", " + option)), option);
    }
    assertNotEquals(before, fingerprint(yaml.replace("educ:   { type: string }", "educ:   { type: string, from: race }")));
  }

  @Test
  void changesWhenABoundOrTheSchemaChanges() {
    String before = fingerprint(yaml);
    assertNotEquals(before, fingerprint(yaml.replace("upper: 100", "upper: 99")));
    assertNotEquals(before, fingerprint(yaml.replace("lower: 0, upper: 500000", "lower: 1, upper: 500000")));
    assertNotEquals(before, fingerprint(yaml.replace("max_rows_per_group: 1", "max_rows_per_group: 2")));
    assertNotEquals(before, fingerprint(yaml.replace("max_groups_contributed: 1", "max_groups_contributed: 2")));
    assertNotEquals(before, fingerprint(yaml.replace("public_values: [\"0\", \"1\"]", "public_values: [\"1\", \"0\"]")));
    assertNotEquals(before, fingerprint(yaml.replace("educ:   { type: string }", "educ: { type: int }")));
    assertNotEquals(before, fingerprint(yaml.replace("table: pums", "table: people")));
  }

  @Test
  void ignoresTheBudgetTheLedgerAndWhereTheFileLies() throws IOException {
    String before = fingerprint(yaml);
    assertEquals(before, fingerprint(yaml.replace("epsilon: 3.0", "epsilon: 9.0")));
    assertEquals(before, fingerprint(yaml + "ledger: elsewhere.db\n"));
    Path moved = Files.copy(csv, Files.createDirectories(tmp.resolve("moved")).resolve("renamed.csv"));
    assertEquals(before, fingerprint(PumsFiles.designYaml(moved)));
  }

  @Test
  void aMissingFileIsNamed() throws IOException {
    Files.delete(csv);
    UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> fingerprint(yaml));
    assertTrue(e.getMessage().contains(csv.toString()), e.getMessage());
  }

  @Test
  void jdbcSourcesAreIdentifiedByUrlWithoutCredentialsAndTable() {
    String jdbc = yaml.replace("source: { csv: '" + csv + "' }",
        "source: { jdbc: { url: 'jdbc:postgresql://127.0.0.1:5432/dpq?user=dpq&password=dpq&ssl=false', "
            + "table: public.pums } }");
    String withOtherCredentials = jdbc.replace("user=dpq&password=dpq", "user=alice&password=s3cret");
    String withUserInfo = jdbc.replace("//127.0.0.1", "//bob:pw@127.0.0.1").replace("user=dpq&password=dpq&", "");
    assertEquals(fingerprint(jdbc), fingerprint(withOtherCredentials));
    assertEquals(fingerprint(jdbc), fingerprint(withUserInfo));
    assertNotEquals(fingerprint(jdbc), fingerprint(jdbc.replace("table: public.pums", "table: public.other")));
    assertNotEquals(fingerprint(jdbc), fingerprint(jdbc.replace("/dpq?", "/prod?")));
    assertNotEquals(fingerprint(jdbc), fingerprint(jdbc.replace("ssl=false", "ssl=true")));
  }

  @Test
  void urlsLoseUserInfoAndCredentialParametersOnly() {
    assertEquals("jdbc:postgresql://h:5432/db?ssl=true",
        Fingerprint.withoutCredentials("jdbc:postgresql://u:p@h:5432/db?user=u&password=p&ssl=true"));
    assertEquals("jdbc:postgresql://h/db", Fingerprint.withoutCredentials("jdbc:postgresql://h/db?password=x"));
    assertEquals("jdbc:sqlserver://h;databaseName=d",
        Fingerprint.withoutCredentials("jdbc:sqlserver://h;user=u;password=p;databaseName=d"));
    assertEquals("jdbc:postgresql://h/db?ApplicationName=dpq",
        Fingerprint.withoutCredentials("jdbc:postgresql://h/db?ApplicationName=dpq&sslpassword=z"));
  }

  @Test
  void parquetGlobsCoverEveryMatchingFile() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("parts"));
    Files.writeString(dir.resolve("a.parquet"), "one");
    Files.writeString(dir.resolve("b.parquet"), "two");
    String glob = yaml.replace("source: { csv: '" + csv + "' }", "source: { parquet: 'parts/*.parquet' }");
    String before = fingerprint(glob);
    Files.writeString(dir.resolve("c.parquet"), "three");
    String added = fingerprint(glob);
    assertNotEquals(before, added);
    Files.writeString(dir.resolve("b.parquet"), "TWO");
    assertNotEquals(added, fingerprint(glob));
    Files.writeString(dir.resolve("b.parquet"), "two");
    assertEquals(added, fingerprint(glob));
  }
}
