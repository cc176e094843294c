package org.dpq.budget;

import java.math.BigDecimal;
import java.util.Arrays;
import org.dpq.mechanisms.PrivacyLoss;

/**
 * Measures the wall time of one durable charge (validate, head check, budget check, append, commit with sync)
 * on a warm ledger, and of opening a ledger. Usage: {@code ChargeLatency <location> [charges]}; prints the
 * median and the 90th percentile. Not a test: run it by hand (see the budget README section of the report).
 */
public final class ChargeLatency {
  private ChargeLatency() {}

  public static void main(String[] args) {
    String location = args[0];
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 500;
    String dataset = "latency-" + LedgerTarget.randomHex(4);
    long[] opens = new long[20];
    for (int i = 0; i < opens.length; i++) {
      long t0 = System.nanoTime();
      Ledger.open(location).close();
      opens[i] = System.nanoTime() - t0;
    }
    try (Ledger ledger = Ledger.open(location)) {
      ledger.initialise(dataset, "fp", PrivacyLoss.budget(new BigDecimal("1000000"), BigDecimal.ZERO), "bench");
      PrivacyLoss q = PrivacyLoss.parse("0.01", "0");
      for (int i = 0; i < 50; i++) { // warm-up
        ledger.charge(Requests.request(dataset, "warm-" + i, q));
      }
      long[] charges = new long[n];
      for (int i = 0; i < n; i++) {
        long t0 = System.nanoTime();
        ledger.charge(Requests.request(dataset, "q-" + i, q));
        charges[i] = System.nanoTime() - t0;
      }
      long t0 = System.nanoTime();
      VerifyReport r = ledger.verify(dataset);
      long verifyCold = System.nanoTime() - t0;
      t0 = System.nanoTime();
      ledger.verify(dataset);
      long verify = System.nanoTime() - t0;
      System.out.printf("location=%s charges=%d median=%.3f ms p90=%.3f ms; open median=%.3f ms; verify of %d "
          + "entries: first %.1f ms, again %.1f ms (ok=%s)%n", location.replaceAll("password=[^&]*", "password=***"), n,
          pct(charges, 50), pct(charges, 90), pct(opens, 50), r.entriesChecked(), verifyCold / 1e6, verify / 1e6, r.ok());
    }
  }

  private static double pct(long[] nanos, int p) {
    long[] s = nanos.clone();
    Arrays.sort(s);
    return s[Math.min(s.length - 1, s.length * p / 100)] / 1e6;
  }
}
