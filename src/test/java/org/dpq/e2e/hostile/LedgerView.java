package org.dpq.e2e.hostile;

import java.math.BigDecimal;
import java.nio.file.Path;
import org.dpq.budget.EntryKind;
import org.dpq.engine.Dpq;

/**
 * What a dataset's ledger says, read through the public Java API: the spend and the number of CHARGE entries.
 *
 * @param spentEpsilon exact epsilon spent
 * @param spentDelta exact delta spent
 * @param charges number of CHARGE entries
 * @param entries number of entries of any kind
 */
public record LedgerView(BigDecimal spentEpsilon, BigDecimal spentDelta, long charges, long entries) {

  /** Reads the ledger of the dataset {@code yaml} (opening it initialises a new ledger, spending nothing). */
  public static LedgerView of(Path yaml) {
    try (Dpq dpq = Dpq.open(yaml)) {
      return of(dpq);
    }
  }

  /** Reads the ledger of an open dataset. */
  public static LedgerView of(Dpq dpq) {
    var status = dpq.budgetStatus();
    long charges = dpq.history().stream().filter(e -> EntryKind.CHARGE.name().equals(e.kind())).count();
    return new LedgerView(status.spent().epsilon(), status.spent().delta(), charges, status.entries());
  }

  /** The epsilon spent since {@code before}. */
  public BigDecimal epsilonSince(LedgerView before) {
    return spentEpsilon.subtract(before.spentEpsilon);
  }

  /** CHARGE entries written since {@code before}. */
  public long chargesSince(LedgerView before) {
    return charges - before.charges;
  }
}
