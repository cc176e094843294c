package org.dpq.server;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.dpq.api.BudgetView;
import org.dpq.api.DpqService;
import org.dpq.budget.Allocation;
import org.dpq.budget.LedgerEntry;
import org.dpq.budget.LedgerStatus;
import org.dpq.budget.VerifyReport;
import org.dpq.client.Wire;
import org.dpq.engine.Dpq;
import org.dpq.engine.Explanation;
import org.dpq.engine.QueryOptions;
import org.dpq.engine.QueryResult;
import org.dpq.mechanisms.PrivacyLoss;

/**
 * The command interface as one authenticated principal sees it. Owns invariant 8 on the server: the analyst
 * recorded and charged is always the principal (whatever the request says), an analyst sees and queries only
 * the datasets they hold an allocation on, and sees only their own allocation.
 */
final class PrincipalService implements DpqService {
  private final ServedDatasets served;
  private final ServerConfig.Principal principal;

  PrincipalService(ServedDatasets served, ServerConfig.Principal principal) {
    this.served = served;
    this.principal = principal;
  }

  boolean isOfficer() {
    return principal.role() == ServerConfig.Role.OFFICER;
  }

  @Override
  public List<String> datasets() {
    return served.names().stream().filter(this::mayUse).toList();
  }

  @Override
  public QueryResult query(String dataset, String sql, QueryOptions options) {
    QueryResult r = dpq(dataset).query(sql, options.withAnalyst(principal.name()));
    return isOfficer() ? r : new QueryResult(r.columns(), r.rows(), r.cost(), ownRemaining(dataset, r.remaining()),
        r.reused(), r.ledgerSequence());
  }

  @Override
  public Explanation explain(String dataset, String sql, QueryOptions options) {
    Explanation e = dpq(dataset).explain(sql, options.withAnalyst(principal.name()));
    return isOfficer() ? e : new Explanation(e.boundedSql(), e.partitionMode(), e.threshold(), e.measurements(),
        e.total(), ownRemaining(dataset, e.remaining()), e.groupLimitChosenAtRunTime(), e.keys(), e.bounds());
  }

  /**
   * What an analyst may still spend: the smaller of their allocation's remainder and the dataset's, per
   * coordinate, so the dataset's remainder (which reflects others' spending) shows only where it is what binds.
   */
  private PrivacyLoss ownRemaining(String dataset, PrivacyLoss datasetRemaining) {
    PrivacyLoss own = served.allocation(dataset, principal.name()).map(Allocation::remaining)
        .orElse(PrivacyLoss.ZERO);
    return new PrivacyLoss(own.epsilon().min(datasetRemaining.epsilon()), own.delta().min(datasetRemaining.delta()));
  }

  @Override
  public BudgetView budget(String dataset) {
    Dpq dpq = dpq(dataset);
    if (isOfficer()) {
      return new BudgetView(dpq.budgetStatus(), dpq.allocations());
    }
    Allocation own = served.allocation(dataset, principal.name()).orElseThrow(() -> notServed(dataset));
    return new BudgetView(new LedgerStatus(dataset, own.allocated(), own.spent(), own.remaining(), 0),
        List.of(own));
  }

  @Override
  public List<LedgerEntry> history(String dataset) {
    return officerDpq(dataset).history();
  }

  /**
   * The caller's own part of a dataset's ledger, for any principal who may use the dataset (invariant 8): their
   * CHARGE entries, the RELEASE or ABANDON that ended each, and the ALLOCATE entries that set their share. The
   * dataset-wide balances and the hash chain are left out, since they reflect other analysts' spending.
   */
  List<Wire.Entry> ownHistory(String dataset) {
    String me = principal.name();
    Set<Long> charges = new HashSet<>();
    List<Wire.Entry> own = new ArrayList<>();
    for (LedgerEntry e : dpq(dataset).history()) {
      boolean mine = switch (e.kind()) {
        case "CHARGE" -> me.equals(e.analyst()) && charges.add(e.sequence());
        case "RELEASE", "ABANDON" -> e.refersTo() != null && charges.contains(e.refersTo());
        case "ALLOCATE" -> me.equals(e.analyst());
        default -> false;
      };
      if (mine) {
        Wire.Entry w = Wire.Entry.of(e);
        own.add(new Wire.Entry(w.sequence(), w.kind(), w.time(), w.analyst(), w.sql(), w.fingerprint(),
            w.planHash(), w.measurements(), w.cost(), w.refersTo(), w.note(), w.result(), null, null, null, null));
      }
    }
    return own;
  }

  @Override
  public VerifyReport verify(String dataset) {
    return officerDpq(dataset).verify();
  }

  /** The dataset, for an officer; an analyst is refused (403) before the dataset is looked up. */
  Dpq officerDpq(String dataset) {
    if (!isOfficer()) {
      throw new ApiException(org.dpq.client.ErrorCode.FORBIDDEN, "only an officer may do this; analysts may "
          + "query, explain, and read their own budget");
    }
    return dpq(dataset);
  }

  /** The dataset, if this principal may use it; otherwise the same 404 as for a dataset that does not exist. */
  Dpq dpq(String dataset) {
    if (!mayUse(dataset)) {
      throw notServed(dataset);
    }
    return served.get(dataset).orElseThrow(() -> notServed(dataset));
  }

  private boolean mayUse(String dataset) {
    if (served.get(dataset).isEmpty()) {
      return false;
    }
    return isOfficer() || served.allocation(dataset, principal.name()).isPresent();
  }

  static ApiException notServed(String dataset) {
    return new ApiException(org.dpq.client.ErrorCode.NOT_FOUND, "no dataset named '" + ApiException.safe(dataset)
        + "' is served to you; GET /v1/datasets lists those you may query");
  }

  @Override
  public void close() {
    // Nothing: the datasets belong to the server.
  }
}
