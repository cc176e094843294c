package org.dpq.budget;

import org.dpq.mechanisms.PrivacyLoss;

/**
 * The victim of the crash test: charges and releases in a loop until killed. After {@code charge} returns it
 * prints {@code ACK <sequence> <queryKey>} (the acknowledgement a caller would act on by reading data), and
 * after {@code recordRelease} returns, {@code REL <sequence>}. It starts by loading its classes, prints
 * {@code LOADED} and touches the ledger only once a line {@code GO} arrives on stdin, so the test can start the
 * next victim's JVM while it checks the ledger the previous one left (the kills are unchanged: each victim still
 * runs from opening the ledger until its SIGKILL).
 *
 * <p>Usage: {@code ChargeLoopChild <location> <dataset> <label>}
 */
public final class ChargeLoopChild {
  private ChargeLoopChild() {}

  public static void main(String[] args) throws java.io.IOException, ClassNotFoundException {
    String location = args[0];
    String dataset = args[1];
    String label = args[2];
    PrivacyLoss loss = PrivacyLoss.parse("0.001", "0.0000000001");
    // the classes of the charge path and both JDBC drivers, loaded before the ledger is touched
    Requests.request(dataset, label, loss);
    Class.forName(JdbcLedger.class.getName());
    Class.forName("org.sqlite.JDBC");
    Class.forName("org.postgresql.Driver");
    System.out.println("LOADED");
    System.out.flush();
    if (!"GO".equals(new java.io.BufferedReader(new java.io.InputStreamReader(System.in,
        java.nio.charset.StandardCharsets.UTF_8)).readLine())) {
      return; // the test ended without using this victim
    }
    try (Ledger ledger = Ledger.open(location)) {
      ledger.status(dataset);
      System.out.println("READY");
      System.out.flush();
      for (long i = 0; ; i++) {
        String key = label + "-" + i;
        ChargeOutcome o = ledger.charge(Requests.request(dataset, key, loss));
        long seq = ((ChargeOutcome.Charged) o).sequence();
        System.out.println("ACK " + seq + " " + key);
        System.out.flush();
        if (i % 3 != 2) { // leave some charges open, as a query that failed after it was charged would
          ledger.recordRelease(dataset, seq, "{\"i\":" + i + "}");
          System.out.println("REL " + seq);
          System.out.flush();
        }
      }
    }
  }
}
