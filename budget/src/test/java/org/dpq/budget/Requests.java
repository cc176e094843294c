package org.dpq.budget;

import java.math.BigDecimal;
import java.util.List;
import org.dpq.mechanisms.PrivacyLoss;

/** Builders for test requests and budgets. */
final class Requests {
  private Requests() {}

  static PrivacyLoss loss(String epsilon, String delta) {
    return new PrivacyLoss(new BigDecimal(epsilon), new BigDecimal(delta));
  }

  static PrivacyLoss budget(String epsilon, String delta) {
    return PrivacyLoss.budget(new BigDecimal(epsilon), new BigDecimal(delta));
  }

  /** A one-measurement request for {@code loss} with its own query key. */
  static ChargeRequest request(String datasetId, String queryKey, PrivacyLoss loss) {
    return new ChargeRequest(datasetId, "fp-1", "alice", "SELECT COUNT(*) FROM t", queryKey, "plan-" + queryKey,
        List.of(new MeasurementCost("count", "laplace", loss)), loss);
  }
}
