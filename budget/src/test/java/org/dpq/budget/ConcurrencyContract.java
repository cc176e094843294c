package org.dpq.budget;

import static org.dpq.budget.Requests.budget;
import static org.dpq.budget.Requests.loss;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.dpq.mechanisms.PrivacyLoss;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two JVM processes with 16 threads each race to charge one dataset whose budget admits exactly K requests:
 * exactly K succeed, with gap-free sequences, the recorded spend is their exact sum and verify passes.
 */
abstract class ConcurrencyContract {
  static final int K = 40;
  static final int THREADS = 16;
  static final int ATTEMPTS = 3;

  @TempDir Path work;

  abstract LedgerTarget newTarget();

  @Test
  void twoProcessesOfSixteenThreadsChargeExactlyWhatTheBudgetAdmits() throws Exception {
    try (LedgerTarget target = newTarget(); Ledger ledger = Ledger.open(target.location())) {
      PrivacyLoss each = loss("0.1", "0.00000001");
      PrivacyLoss total = budget("4.0", "0.0000004"); // exactly K = 40 requests of `each`, in both coordinates
      ledger.initialise("race", "fp-1", total, "owner");

      List<ChildJvm> children = new ArrayList<>();
      try {
        for (String label : List.of("left", "right")) {
          children.add(ChildJvm.start(work, ChargeRaceChild.class, target.location(), "race",
              String.valueOf(THREADS), String.valueOf(ATTEMPTS), "0.1", "0.00000001", label));
        }
        for (ChildJvm c : children) {
          c.await("READY", 120);
        }
        long t0 = System.nanoTime();
        for (ChildJvm c : children) {
          c.send("GO");
        }
        for (ChildJvm c : children) {
          assertEquals(0, c.waitForExit(300), "child failed: " + c.stderrText());
        }
        double seconds = (System.nanoTime() - t0) / 1e9;

        List<Long> charged = new ArrayList<>();
        int refused = 0;
        for (ChildJvm c : children) {
          for (String line : c.output()) {
            if (line.startsWith("CHARGED ")) {
              charged.add(Long.parseLong(line.substring(8)));
            } else if (line.equals("REFUSED")) {
              refused++;
            } else if (line.startsWith("ERROR")) {
              fail("a racing charge failed: " + line + "; stderr: " + c.stderrText());
            }
          }
        }
        int attempts = 2 * THREADS * ATTEMPTS;
        assertEquals(K, charged.size(), "successful charges");
        assertEquals(attempts - K, refused, "refused charges");
        Set<Long> expected = LongStream.rangeClosed(2, K + 1).boxed().collect(Collectors.toCollection(TreeSet::new));
        assertEquals(expected, new TreeSet<>(charged), "each success has its own gap-free sequence number");

        LedgerStatus s = ledger.status("race");
        assertEquals(total, s.spent());
        assertEquals(PrivacyLoss.ZERO, s.remaining());
        PrivacyLoss sum = PrivacyLoss.ZERO;
        for (LedgerEntry e : ledger.history("race")) {
          if (e.kind().equals("CHARGE")) {
            sum = sum.plus(e.cost());
          }
        }
        assertEquals(each.epsilon().multiply(BigDecimal.valueOf(K)).compareTo(sum.epsilon()), 0);
        assertEquals(s.spent(), sum);
        VerifyReport v = ledger.verify("race");
        assertTrue(v.ok(), v.problem());
        System.out.printf("[budget] %s race: 2 JVMs x %d threads, %d attempts, %d charged, %d refused, %.2f s%n",
            target.name(), THREADS, attempts, charged.size(), refused, seconds);
      } finally {
        for (ChildJvm c : children) {
          c.close();
        }
      }
    }
  }
}
