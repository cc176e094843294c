package org.dpq.engine.execution;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.dpq.engine.catalog.ColumnType;
import org.dpq.engine.catalog.DatasetDraft;
import org.dpq.errors.BackendException;

/**
 * Reads what a data file's structure says about it, for {@code dpq datasets init}: the column names and types
 * DuckDB's CSV sniffer (or the Parquet schema) gives, and a CSV's delimiter, quote, header and date format.
 * Owns one privacy rule: only structure leaves here (names and types), never a value, a minimum, a maximum or a
 * set of distinct values, so a draft YAML cannot carry bounds or domains taken from the data.
 */
public final class SourceSniffer {
  private SourceSniffer() {}

  /**
   * The structure of a CSV or Parquet file (by its extension: {@code .parquet} is Parquet, anything else CSV).
   *
   * @throws BackendException when the file cannot be read (the message names the file, never its content)
   */
  public static DatasetDraft.Source sniff(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new BackendException("the file " + file + " does not exist or is not a file; give a CSV or Parquet "
          + "file to --from");
    }
    boolean parquet = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".parquet");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      return parquet ? parquet(s, file) : csv(s, file);
    } catch (SQLException e) {
      throw new BackendException("could not read the structure of " + file + ": " + DuckDbErrors.describe(e));
    }
  }

  private static DatasetDraft.Source parquet(Statement s, Path file) throws SQLException {
    List<DatasetDraft.SniffedColumn> columns = new ArrayList<>();
    try (ResultSet r = s.executeQuery("DESCRIBE SELECT * FROM " + DuckDbSql.parquetReader(file))) {
      while (r.next()) {
        columns.add(column(r.getString("column_name"), r.getString("column_type")));
      }
    }
    return new DatasetDraft.Source(file, true, Optional.empty(), Optional.empty(), true, Optional.empty(), columns);
  }

  private static DatasetDraft.Source csv(Statement s, Path file) throws SQLException {
    String sniff = "sniff_csv(" + DuckDbSql.literal(DuckDbSql.literalGlob(file.toString())) + ")";
    Optional<Character> delimiter;
    Optional<Character> quote;
    boolean header;
    Optional<String> dateFormat;
    try (ResultSet r = s.executeQuery("SELECT Delimiter, Quote, HasHeader, DateFormat FROM " + sniff)) {
      r.next();
      delimiter = oneChar(r.getString(1));
      quote = oneChar(r.getString(2));
      header = r.getBoolean(3);
      dateFormat = Optional.ofNullable(r.getString(4)).filter(f -> !f.isEmpty());
    }
    List<DatasetDraft.SniffedColumn> columns = new ArrayList<>();
    try (ResultSet r = s.executeQuery("SELECT c.name, c.type FROM (SELECT unnest(Columns) AS c FROM " + sniff + ")")) {
      while (r.next()) {
        columns.add(column(r.getString(1), r.getString(2)));
      }
    }
    return new DatasetDraft.Source(file, false, delimiter, quote, header, dateFormat, columns);
  }

  private static Optional<Character> oneChar(String text) {
    return text != null && text.length() == 1 ? Optional.of(text.charAt(0)) : Optional.empty();
  }

  private static DatasetDraft.SniffedColumn column(String name, String duckType) {
    String t = duckType.toUpperCase(Locale.ROOT);
    ColumnType type;
    if (t.matches("U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)")) {
      type = ColumnType.INT;
    } else if (t.equals("DOUBLE") || t.equals("FLOAT") || t.startsWith("DECIMAL")) {
      type = ColumnType.DOUBLE;
    } else if (t.equals("BOOLEAN")) {
      type = ColumnType.BOOLEAN;
    } else if (t.equals("DATE")) {
      type = ColumnType.DATE;
    } else {
      type = ColumnType.STRING;
    }
    return new DatasetDraft.SniffedColumn(name, type, t);
  }
}
