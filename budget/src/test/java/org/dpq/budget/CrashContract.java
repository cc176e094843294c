package org.dpq.budget;

import static org.dpq.budget.Requests.budget;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dpq.mechanisms.PrivacyLoss;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM charging and releasing in a loop is killed with SIGKILL at random moments, {@value #RUNS} times.
 * After each kill the ledger opens, verifies, its spend is the exact sum of its complete CHARGE entries, and
 * every charge and release the child acknowledged is there.
 */
abstract class CrashContract {
  static final int RUNS = 20;
  static final String DS = "crashy";

  @TempDir Path work;

  abstract LedgerTarget newTarget();

  private ChildJvm victim(LedgerTarget target, int run) throws java.io.IOException {
    return ChildJvm.start(work, ChargeLoopChild.class, target.location(), DS, "run" + run);
  }

  @Test
  void killingAChargingProcessLosesNothingAcknowledgedAndLeavesNoPartialEntry() throws Exception {
    SecureRandom random = new SecureRandom();
    try (LedgerTarget target = newTarget()) {
      try (Ledger ledger = Ledger.open(target.location())) {
        ledger.initialise(DS, "fp-1", budget("1000", "0.5"), "owner");
      }
      Map<Long, String> acknowledged = new HashMap<>();
      Set<Long> released = new HashSet<>();
      int unacknowledgedCommits = 0;
      int killedWithChargeOpen = 0;
      long entries = 0;
      // The next victim's JVM starts while the current one runs and its ledger is checked; it waits for GO
      // before it touches the ledger, so only one victim ever runs against it.
      ChildJvm next = victim(target, 0);
      try {
        for (int run = 0; run < RUNS; run++) {
          try (ChildJvm child = next) {
            child.await("LOADED", 120);
            child.send("GO");
            next = run + 1 < RUNS ? victim(target, run + 1) : null;
            child.await("ACK", 120);
            Thread.sleep(random.nextInt(150));
            child.kill();
            for (String line : child.output()) {
              String[] f = line.split(" ");
              if (f[0].equals("ACK")) {
                acknowledged.put(Long.parseLong(f[1]), f[2]);
              } else if (f[0].equals("REL")) {
                released.add(Long.parseLong(f[1]));
              }
            }
          }
          try (Ledger ledger = Ledger.open(target.location())) {
            VerifyReport v = ledger.verify(DS);
            assertTrue(v.ok(), "after kill " + run + ": " + v.problem());
            List<LedgerEntry> history = ledger.history(DS);
            LedgerStatus status = ledger.status(DS);
            assertEquals(history.size(), status.entries());
            PrivacyLoss sum = PrivacyLoss.ZERO;
            Map<Long, LedgerEntry> bySequence = new HashMap<>();
            Set<Long> releasedInLedger = new HashSet<>();
            for (LedgerEntry e : history) {
              bySequence.put(e.sequence(), e);
              if (e.kind().equals("CHARGE")) {
                assertNotNull(e.cost());
                sum = sum.plus(e.cost());
              } else if (e.kind().equals("RELEASE")) {
                releasedInLedger.add(e.refersTo());
              }
            }
            assertEquals(sum, status.spent(), "spend is the exact sum of complete charges after kill " + run);
            for (Map.Entry<Long, String> ack : acknowledged.entrySet()) {
              LedgerEntry e = bySequence.get(ack.getKey());
              assertNotNull(e, "acknowledged charge " + ack.getKey() + " lost after kill " + run);
              assertEquals("CHARGE", e.kind());
              assertEquals(ack.getValue(), e.queryKey());
            }
            assertTrue(releasedInLedger.containsAll(released), "an acknowledged release was lost after kill " + run);
            LedgerEntry last = history.get(history.size() - 1);
            if (last.kind().equals("CHARGE") && !acknowledged.containsKey(last.sequence())) {
              unacknowledgedCommits++;
            }
            if (last.kind().equals("CHARGE")) {
              killedWithChargeOpen++;
            }
            entries = history.size();
          }
        }
      } finally {
        if (next != null) {
          next.close();
        }
      }
      long charges = acknowledged.size();
      assertFalse(acknowledged.isEmpty());
      System.out.printf("[budget] %s crash: %d SIGKILLs, %d acknowledged charges, %d acknowledged releases, "
          + "%d ledger entries; %d kills left a CHARGE as the last entry, %d of them committed but never "
          + "acknowledged (killed between commit and print)%n",
          target.name(), RUNS, charges, released.size(), entries, killedWithChargeOpen, unacknowledgedCommits);
    }
  }
}
