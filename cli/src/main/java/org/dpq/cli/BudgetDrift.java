package org.dpq.cli;

import java.io.PrintWriter;
import org.dpq.budget.LedgerStatus;
import org.dpq.cli.output.LossView;
import org.dpq.engine.catalog.Dataset;
import org.dpq.mechanisms.PrivacyLoss;

/**
 * Warns on standard error when the dataset YAML's {@code budget} differs from the total its ledger holds. The
 * YAML's budget only initialises the ledger; after a {@code dpq budget raise} (or an edited YAML) the ledger's
 * total is the one enforced, and an owner reading the YAML would otherwise believe another number.
 */
public final class BudgetDrift {
  private BudgetDrift() {}

  /** The warning, or null when the YAML and the ledger agree. */
  public static String warning(Dataset dataset, LedgerStatus status) {
    // Under zCDP the ledger holds (rho, delta): compare with the YAML budget converted the way the ledger does.
    PrivacyLoss yaml = dataset.accounting() == org.dpq.budget.Accounting.ZCDP
        ? new PrivacyLoss(org.dpq.budget.Zcdp.rhoBudget(dataset.budget().epsilon(), dataset.budget().delta()),
            dataset.budget().delta())
        : dataset.budget();
    if (yaml.equals(status.total())) {
      return null;
    }
    return "dpq: warning: the YAML's budget (" + LossView.of(yaml).text() + ") differs from the ledger's total ("
        + LossView.of(status.total()).text() + "), which is the one enforced; "
        + (yaml.fitsWithin(status.total())
            ? "the ledger's total was raised (see 'dpq budget history'): update the YAML's budget to match it"
            : "a YAML budget cannot change an existing ledger: use 'dpq budget raise' to raise it, or restore the "
                + "YAML's budget");
  }

  public static void warn(Dataset dataset, LedgerStatus status, PrintWriter err) {
    String w = warning(dataset, status);
    if (w != null) {
      err.println(w);
      err.flush();
    }
  }
}
