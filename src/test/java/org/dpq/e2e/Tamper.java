package org.dpq.e2e;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Alters a ledger file the way someone with write access to it could (sqlite3 on the file): drops the ledger's
 * append-only triggers, then changes one column of one entry.
 */
final class Tamper {
  private Tamper() {}

  /** Sets {@code column = value} on the entry {@code sequence}; returns the number of rows changed. */
  static int alter(Path ledgerFile, long sequence, String column, String value) throws SQLException {
    return alter(ledgerFile, null, sequence, column, value);
  }

  /** The same in a ledger that several datasets share: the entry {@code sequence} of {@code datasetId}. */
  static int alter(Path ledgerFile, String datasetId, long sequence, String column, String value)
      throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + ledgerFile);
         Statement s = c.createStatement()) {
      List<String> triggers = new ArrayList<>();
      try (ResultSet rs = s.executeQuery("SELECT name FROM sqlite_master WHERE type = 'trigger'")) {
        while (rs.next()) {
          triggers.add(rs.getString(1));
        }
      }
      for (String t : triggers) {
        s.execute("DROP TRIGGER \"" + t + "\"");
      }
      return s.executeUpdate("UPDATE dpq_ledger_entry SET " + column + " = '" + value + "' WHERE sequence = "
          + sequence + (datasetId == null ? "" : " AND dataset_id = '" + datasetId + "'"));
    }
  }
}
