package org.dpq.cli;

import java.lang.reflect.InvocationTargetException;
import java.util.List;
import org.dpq.budget.LedgerEntry;
import org.dpq.budget.LedgerStatus;
import org.dpq.budget.VerifyReport;
import org.dpq.engine.Dpq;

/**
 * The budget commands' view of a dataset's ledger, through the engine facade ({@code Dpq.budgetStatus()},
 * {@code history()}, {@code verify()}). Until the facade has those methods they are looked up by name, so the
 * CLI builds against either version of the facade; the calls become direct once they land.
 */
final class LedgerAccess {
  private LedgerAccess() {}

  static LedgerStatus status(Dpq dpq) {
    return call(dpq, "budgetStatus", LedgerStatus.class);
  }

  @SuppressWarnings("unchecked")
  static List<LedgerEntry> history(Dpq dpq) {
    return call(dpq, "history", List.class);
  }

  static VerifyReport verify(Dpq dpq) {
    return call(dpq, "verify", VerifyReport.class);
  }

  private static <T> T call(Dpq dpq, String method, Class<T> type) {
    try {
      return type.cast(Dpq.class.getMethod(method).invoke(dpq));
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException("Dpq." + method + " failed", e.getCause());
    } catch (NoSuchMethodException | IllegalAccessException e) {
      throw new UnsupportedOperationException("this engine has no Dpq." + method + "()", e);
    }
  }
}
