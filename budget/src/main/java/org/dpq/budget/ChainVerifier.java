package org.dpq.budget;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.dpq.errors.InvalidPrivacyParameterException;
import org.dpq.mechanisms.PrivacyLoss;

/**
 * Recomputes a dataset's hash chain and its running balances from the stored rows. Owns tamper evidence: the
 * first entry that was changed, removed, inserted or moved is named by its sequence number, and the running
 * spend must equal the exact sum of the charges and never exceed the total. Problems never quote stored values.
 */
final class ChainVerifier {
  private ChainVerifier() {}

  /**
   * @param headSequence the sequence recorded in the dataset's head row, or null if the row is missing
   * @param headHash the hash recorded in the dataset's head row, or null
   * @param entries the dataset's stored entries in ascending sequence order
   */
  static VerifyReport verify(String datasetId, Long headSequence, String headHash, List<StoredEntry> entries) {
    long expected = 1;
    String previousHash = EntryCodec.GENESIS_HASH;
    Balance balance = null;
    Map<Long, Boolean> chargeClosed = new HashMap<>();
    long checked = 0;
    Accounting accounting = entries.isEmpty() ? null : JdbcLedger.accountingOf(entries.get(0));
    for (StoredEntry e : entries) {
      long seq = e.sequence();
      if (seq != expected) {
        return seq > expected
            ? bad(datasetId, checked, expected, "entry " + expected + " is missing (the next stored entry is " + seq + ")")
            : bad(datasetId, checked, seq, "entry " + seq + " is out of order");
      }
      checked++;
      if (!EntryCodec.hash(e).equals(e.hash())) {
        return bad(datasetId, checked, seq, "the stored hash of entry " + seq
            + " does not match its contents: a field of this entry was changed, or entries were reordered");
      }
      if (!previousHash.equals(e.previousHash())) {
        return bad(datasetId, checked, seq, "entry " + seq + " does not link to the hash of entry " + (seq - 1)
            + ": an entry was removed, replaced or reordered");
      }
      Result r = checkSemantics(e, balance, chargeClosed, accounting);
      if (r.problem != null) {
        return bad(datasetId, checked, seq, "entry " + seq + " " + r.problem);
      }
      balance = r.balance;
      previousHash = e.hash();
      expected++;
    }
    long last = expected - 1;
    if (last == 0) {
      return bad(datasetId, 0, 1, "the dataset has a chain head but no entries: all its entries were removed");
    }
    if (headSequence == null) {
      return bad(datasetId, checked, last + 1,
          "the dataset's chain head record is missing, so entries after " + last + " may have been removed");
    }
    if (headSequence > last) {
      return bad(datasetId, checked, last + 1, "entries " + (last + 1) + " to " + headSequence
          + " are missing: the chain head records " + headSequence + " entries");
    }
    if (headSequence < last) {
      return bad(datasetId, checked, headSequence + 1,
          "entry " + (headSequence + 1) + " lies beyond the recorded chain head " + headSequence);
    }
    if (!previousHash.equals(headHash)) {
      return bad(datasetId, checked, last, "entry " + last + " does not match the hash recorded in the chain head");
    }
    return new VerifyReport(datasetId, true, checked, OptionalLong.empty(), "");
  }

  private record Balance(PrivacyLoss spent, PrivacyLoss total) {}

  private record Result(Balance balance, String problem) {
    static Result problem(String p) {
      return new Result(null, p);
    }
  }

  private static Result checkSemantics(StoredEntry e, Balance before, Map<Long, Boolean> chargeClosed,
      Accounting accounting) {
    if (EntryCodec.parseTime(e.time()) == null) {
      return Result.problem("has an unreadable time");
    }
    PrivacyLoss spent = EntryCodec.parseLoss(e.spentEpsilon(), e.spentDelta());
    PrivacyLoss total = EntryCodec.parseLoss(e.totalEpsilon(), e.totalDelta());
    if (spent == null || total == null) {
      return Result.problem("has an unreadable running spend or total");
    }
    EntryKind kind;
    try {
      kind = EntryKind.valueOf(String.valueOf(e.kind()));
    } catch (IllegalArgumentException ex) {
      return Result.problem("has an unknown kind");
    }
    if ((e.sequence() == 1) != (kind == EntryKind.INIT)) {
      return Result.problem(e.sequence() == 1 ? "is not the INIT entry a chain must start with" : "is a second INIT entry");
    }
    Balance after = new Balance(spent, total);
    switch (kind) {
      case INIT -> {
        if (e.fingerprint() == null || e.costEpsilon() != null || e.costDelta() != null) {
          return Result.problem("is a malformed INIT entry");
        }
        if (!spent.equals(PrivacyLoss.ZERO) || !validBudget(total)) {
          return Result.problem("does not start with zero spend and a valid total");
        }
        if (accounting == null) {
          return Result.problem("names an unknown accounting in its note");
        }
        if (accounting == Accounting.ZCDP && total.isPure()) {
          return Result.problem("is a zCDP INIT entry without the delta its rho is converted at");
        }
      }
      case CHARGE -> {
        PrivacyLoss cost = EntryCodec.parseLoss(e.costEpsilon(), e.costDelta());
        if (cost == null || !validRequest(cost)) {
          return Result.problem("has an unreadable or invalid cost");
        }
        if (!java.util.Objects.equals(e.note(), accounting.entryNote())) {
          return Result.problem("is a charge whose recorded accounting is not the dataset's (" + accounting.yamlName()
              + ")");
        }
        if (accounting == Accounting.ZCDP && !cost.isPure()) {
          return Result.problem("is a zCDP charge with a delta (a rho charge carries delta 0)");
        }
        List<MeasurementCost> ms = EntryCodec.parseMeasurements(e.measurements());
        if (ms == null || ms.isEmpty()) {
          return Result.problem("has unreadable measurements");
        }
        PrivacyLoss sum = PrivacyLoss.ZERO;
        for (MeasurementCost m : ms) {
          sum = sum.plus(m.loss());
        }
        if (!sum.fitsWithin(cost)) {
          return Result.problem("has measurements that add up to more than its cost");
        }
        if (!spent.equals(before.spent.plus(cost)) || !total.equals(before.total)) {
          return Result.problem("has a running spend that is not the exact sum of the charges before it and its own cost");
        }
        if (!spent.fitsWithin(total)) {
          return Result.problem("spends more than the dataset's total budget");
        }
        chargeClosed.put(e.sequence(), false);
      }
      case RELEASE, ABANDON -> {
        Long ref = e.refersTo();
        if (ref == null || !Boolean.FALSE.equals(chargeClosed.get(ref))) {
          return Result.problem("does not refer to an earlier charge that is still open");
        }
        if (kind == EntryKind.RELEASE && e.resultJson() == null) {
          return Result.problem("is a RELEASE without a result");
        }
        if (!spent.equals(before.spent) || !total.equals(before.total)) {
          return Result.problem("changes the running spend or total, which only charges and raises may do");
        }
        chargeClosed.put(ref, true);
      }
      case RAISE -> {
        if (!spent.equals(before.spent) || !before.total.fitsWithin(total) || total.equals(before.total)
            || !validBudget(total)) {
          return Result.problem("is a RAISE that does not raise the total or changes the spend");
        }
      }
      case ALLOCATE -> {
        PrivacyLoss allocation = EntryCodec.parseLoss(e.costEpsilon(), e.costDelta());
        if (e.analyst() == null || e.analyst().isBlank() || allocation == null || !validAllocation(allocation)) {
          return Result.problem("is an ALLOCATE entry without an analyst or with an invalid allocation");
        }
        if (!spent.equals(before.spent) || !total.equals(before.total)) {
          return Result.problem("changes the running spend or total, which only charges and raises may do");
        }
      }
      default -> throw new IllegalStateException("unhandled entry kind");
    }
    return new Result(after, null);
  }

  private static boolean validBudget(PrivacyLoss total) {
    try {
      PrivacyLoss.budget(total.epsilon(), total.delta());
      return true;
    } catch (InvalidPrivacyParameterException | IllegalArgumentException ex) {
      return false;
    }
  }

  /** An allocation is zero (revoked) or a valid budget. */
  static boolean validAllocation(PrivacyLoss allocation) {
    return allocation.equals(PrivacyLoss.ZERO) || validBudget(allocation);
  }

  private static boolean validRequest(PrivacyLoss loss) {
    try {
      loss.validatedRequest();
      return true;
    } catch (InvalidPrivacyParameterException | IllegalArgumentException ex) {
      return false;
    }
  }

  private static VerifyReport bad(String datasetId, long checked, long sequence, String problem) {
    return new VerifyReport(datasetId, false, checked, OptionalLong.of(sequence), problem);
  }
}
