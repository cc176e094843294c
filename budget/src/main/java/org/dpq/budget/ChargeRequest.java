package org.dpq.budget;

import java.util.List;
import java.util.Objects;
import org.dpq.mechanisms.PrivacyLoss;

/**
 * A request to pay for one query before its data is read. Owns nothing by itself: the ledger validates it
 * (exact, valid loss; measurements no larger than the total) and charges {@link #total()} atomically.
 *
 * @param datasetId the dataset whose budget pays
 * @param fingerprint the fingerprint of the data the query will read
 * @param analyst who asks (recorded)
 * @param sql the analyst's SQL text (recorded)
 * @param queryKey the normalized query and its parameters; together with the dataset id and fingerprint it
 *     identifies an identical query whose stored answer can be returned again at no cost
 * @param planHash a hash of the DP plan (recorded)
 * @param measurements the split of {@code total} over the query's measurements
 * @param total the loss charged: (epsilon, delta) under {@link Accounting#BASIC}; (rho, 0) under {@link
 *     Accounting#ZCDP}, each measurement's rho rounded up ({@link Zcdp})
 * @param accounting the accounting {@code total} is expressed in; it must be the dataset's (else refused)
 */
public record ChargeRequest(
    String datasetId,
    String fingerprint,
    String analyst,
    String sql,
    String queryKey,
    String planHash,
    List<MeasurementCost> measurements,
    PrivacyLoss total,
    Accounting accounting) {
  public ChargeRequest {
    Objects.requireNonNull(accounting, "accounting");
    Objects.requireNonNull(datasetId, "datasetId");
    Objects.requireNonNull(fingerprint, "fingerprint");
    Objects.requireNonNull(analyst, "analyst");
    Objects.requireNonNull(sql, "sql");
    Objects.requireNonNull(queryKey, "queryKey");
    Objects.requireNonNull(planHash, "planHash");
    Objects.requireNonNull(total, "total");
    measurements = List.copyOf(Objects.requireNonNull(measurements, "measurements"));
  }

  /** A request under {@link Accounting#BASIC} (epsilon, delta) composition. */
  public ChargeRequest(String datasetId, String fingerprint, String analyst, String sql, String queryKey,
      String planHash, List<MeasurementCost> measurements, PrivacyLoss total) {
    this(datasetId, fingerprint, analyst, sql, queryKey, planHash, measurements, total, Accounting.BASIC);
  }
}
