package org.dpq.client;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.dpq.api.BudgetView;
import org.dpq.budget.Allocation;
import org.dpq.budget.LedgerEntry;
import org.dpq.budget.LedgerStatus;
import org.dpq.budget.MeasurementCost;
import org.dpq.budget.VerifyReport;
import org.dpq.engine.Cell;
import org.dpq.engine.Explanation;
import org.dpq.engine.MeasurementExplanation;
import org.dpq.engine.QueryResult;
import org.dpq.mechanisms.Interval;
import org.dpq.mechanisms.MechanismKind;
import org.dpq.mechanisms.PrivacyLoss;

/**
 * dpq's wire contract: the JSON bodies of the HTTP API, each a record, and their exact mapping to and from the
 * result types of the embedded API. Owns exactness on the wire: every privacy loss is a pair of exact decimal
 * strings (a JSON number would be read as a binary double), and a released value keeps its kind (integers stay
 * integers), so a result read by {@link DpqClient} equals the one the server's engine produced.
 */
public final class Wire {
  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(DeserializationFeature.USE_LONG_FOR_INTS)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .serializationInclusion(JsonInclude.Include.ALWAYS)
      // A number or boolean where text is expected ({"sql": 42}) is a malformed request, not the text "42".
      .withCoercionConfig(LogicalType.Textual, c -> {
        c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        c.setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        c.setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
      })
      .build();

  private Wire() {}

  /** The mapper for every body. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** {@code value} as compact JSON. */
  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON for " + value.getClass().getSimpleName(), e);
    }
  }

  /** Reads a body; a body that does not parse is reported as {@link IllegalArgumentException}, without echoing it. */
  public static <T> T read(String json, Class<T> type) {
    try {
      return MAPPER.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("the body is not a valid " + type.getSimpleName() + " JSON object (at line "
          + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")");
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Requests

  /**
   * The body of {@code POST /v1/datasets/{name}/query} and {@code .../explain}; absent losses take the defaults.
   * {@code weights} (optional, JSON numbers by aggregate alias or output name, as {@code --weights}) steer the split
   * of epsilon over the query's measurements; the server passes them to the engine, which checks them as it does
   * locally (an unknown name or a weight outside [1e-6, 1e6], NaN included, is refused before any charge).
   */
  public record QueryRequest(String sql, String epsilon, String delta, String mechanism, Map<String, Double> weights) {
    /** A request without weights (every aggregate weighs 1). */
    public QueryRequest(String sql, String epsilon, String delta, String mechanism) {
      this(sql, epsilon, delta, mechanism, null);
    }
  }

  /** The body of {@code POST /v1/datasets/{name}/allocations}: an analyst's whole share (zero revokes it). */
  public record AllocationRequest(String analyst, String epsilon, String delta, String reason) {}

  /** The body of {@code POST /v1/datasets/{name}/raise}: the increase of the dataset's total. */
  public record RaiseRequest(String epsilon, String delta, String reason) {}

  // ---------------------------------------------------------------------------------------------------------
  // Responses

  /** A privacy loss as exact decimal strings in plain notation. */
  public record Loss(String epsilon, String delta) {
    public static Loss of(PrivacyLoss loss) {
      return new Loss(plain(loss.epsilon()), plain(loss.delta()));
    }

    public PrivacyLoss toLoss() {
      return new PrivacyLoss(new BigDecimal(epsilon), new BigDecimal(delta));
    }
  }

  /** The same JSON shape as the CLI's {@code query --format json}. */
  public record Result(List<String> columns, List<List<Object>> rows, List<List<double[]>> ci95, Loss cost,
      Loss remaining, boolean reused, long ledgerSequence) {

    public static Result of(QueryResult r) {
      List<List<Object>> rows = new ArrayList<>();
      List<List<double[]>> ci = new ArrayList<>();
      for (List<Cell> row : r.rows()) {
        List<Object> values = new ArrayList<>();
        List<double[]> intervals = new ArrayList<>();
        for (Cell cell : row) {
          values.add(cell.value());
          intervals.add(cell.ci95() == null ? null : new double[] {cell.ci95().low(), cell.ci95().high()});
        }
        rows.add(values);
        ci.add(intervals);
      }
      return new Result(r.columns(), rows, ci, Loss.of(r.cost()), Loss.of(r.remaining()), r.reused(),
          r.ledgerSequence());
    }

    public QueryResult toResult() {
      List<List<Cell>> cells = new ArrayList<>();
      for (int i = 0; i < rows.size(); i++) {
        List<Cell> row = new ArrayList<>();
        for (int j = 0; j < rows.get(i).size(); j++) {
          double[] ci = ci95.get(i).get(j);
          row.add(new Cell(rows.get(i).get(j), ci == null ? null : new Interval(ci[0], ci[1])));
        }
        cells.add(row);
      }
      return new QueryResult(columns, cells, cost.toLoss(), remaining.toLoss(), reused, ledgerSequence);
    }
  }

  /**
   * One measurement of an explanation: its sensitivities, exact share of the loss, mechanism, noise and (for a
   * SUM) the width of one value's declared range.
   */
  public record Measurement(String name, double l1, double l2, String epsilon, String delta, String mechanism,
      double scale, double halfWidth95, double valueWidth) {
    public static Measurement of(MeasurementExplanation m) {
      return new Measurement(m.name(), m.l1(), m.l2(), plain(m.loss().epsilon()), plain(m.loss().delta()),
          m.mechanism().name(), m.scale(), m.halfWidth95(), m.valueWidth());
    }

    public MeasurementExplanation toMeasurement() {
      return new MeasurementExplanation(name, l1, l2, new PrivacyLoss(new BigDecimal(epsilon), new BigDecimal(delta)),
          MechanismKind.valueOf(mechanism), scale, halfWidth95, valueWidth);
    }
  }

  /** The body of an explanation: the same JSON as the CLI's {@code explain --format json}. */
  public record Explain(String boundedSql, String partitionMode, Long threshold, List<Measurement> measurements,
      Loss total, Loss remaining, boolean groupLimitChosenAtRunTime, List<String> keys, List<String> bounds) {

    public static Explain of(Explanation e) {
      return new Explain(e.boundedSql(), e.partitionMode(),
          e.threshold().isPresent() ? e.threshold().getAsLong() : null,
          e.measurements().stream().map(Measurement::of).toList(), Loss.of(e.total()), Loss.of(e.remaining()),
          e.groupLimitChosenAtRunTime(), e.keys(), e.bounds());
    }

    public Explanation toExplanation() {
      return new Explanation(boundedSql, partitionMode, threshold == null ? OptionalLong.empty()
          : OptionalLong.of(threshold), measurements.stream().map(Measurement::toMeasurement).toList(),
          total.toLoss(), remaining.toLoss(), groupLimitChosenAtRunTime, keys, bounds);
    }
  }

  /** A dataset's (or an analyst's allocation's) balance. */
  public record Status(String dataset, Loss total, Loss spent, Loss remaining, long entries) {
    public static Status of(LedgerStatus s) {
      return new Status(s.datasetId(), Loss.of(s.total()), Loss.of(s.spent()), Loss.of(s.remaining()), s.entries());
    }

    public LedgerStatus toStatus() {
      return new LedgerStatus(dataset, total.toLoss(), spent.toLoss(), remaining.toLoss(), entries);
    }
  }

  /** One analyst's share. */
  public record Share(String analyst, Loss allocated, Loss spent, Loss remaining) {
    public static Share of(Allocation a) {
      return new Share(a.analyst(), Loss.of(a.allocated()), Loss.of(a.spent()), Loss.of(a.remaining()));
    }

    public Allocation toAllocation() {
      return new Allocation(analyst, allocated.toLoss(), spent.toLoss(), remaining.toLoss());
    }
  }

  /** The body of {@code GET /v1/datasets/{name}/budget}. */
  public record Budget(Status status, List<Share> allocations) {
    public static Budget of(BudgetView v) {
      return new Budget(Status.of(v.status()), v.allocations().stream().map(Share::of).toList());
    }

    public BudgetView toView() {
      return new BudgetView(status.toStatus(), allocations.stream().map(Share::toAllocation).toList());
    }
  }

  /** The body of {@code GET /v1/datasets}. */
  public record Datasets(List<String> datasets) {}

  /** One measurement's share of a charge. */
  public record MeasurementShare(String name, String mechanism, String epsilon, String delta) {
    public static MeasurementShare of(MeasurementCost m) {
      return new MeasurementShare(m.name(), m.mechanism(), plain(m.loss().epsilon()), plain(m.loss().delta()));
    }

    public MeasurementCost toCost() {
      return new MeasurementCost(name, mechanism, new PrivacyLoss(new BigDecimal(epsilon), new BigDecimal(delta)));
    }
  }

  /**
   * One ledger entry: the body of {@code GET .../history} and the CLI's {@code budget history --format json}
   * (null where a field does not apply to the kind). The released result is embedded as JSON, not as a string.
   */
  public record Entry(long sequence, String kind, String time, String analyst, String sql, String fingerprint,
      String planHash, List<MeasurementShare> measurements, Loss cost, Long refersTo, String note, JsonNode result,
      Loss spentAfter, Loss totalAfter, String previousHash, String hash) {

    public static Entry of(LedgerEntry e) {
      return new Entry(e.sequence(), e.kind(), e.time() == null ? null : e.time().toString(), e.analyst(), e.sql(),
          e.fingerprint(), e.planHash(), e.measurements().stream().map(MeasurementShare::of).toList(),
          loss(e.cost()), e.refersTo(), e.note(), tree(e.resultJson()), loss(e.spentAfter()),
          loss(e.totalAfter()), e.previousHash(), e.hash());
    }

    /** The entry of dataset {@code datasetId} (the wire leaves out the dataset, known from the path, and the query key). */
    public LedgerEntry toEntry(String datasetId) {
      return new LedgerEntry(sequence, kind, datasetId, fingerprint, time == null ? null : Instant.parse(time),
          analyst, sql, null, planHash, measurements == null ? List.of()
              : measurements.stream().map(MeasurementShare::toCost).toList(),
          cost == null ? null : cost.toLoss(), result == null || result.isNull() ? null : write(result),
          refersTo, note, spentAfter == null ? null : spentAfter.toLoss(), totalAfter == null ? null : totalAfter.toLoss(),
          previousHash, hash);
    }

    private static JsonNode tree(String json) {
      if (json == null) {
        return null;
      }
      try {
        return MAPPER.readTree(json);
      } catch (JsonProcessingException e) {
        return MAPPER.getNodeFactory().textNode(json);
      }
    }
  }

  /** The body of {@code POST .../verify} and the CLI's {@code budget verify --format json}. */
  public record Verified(String dataset, boolean ok, long entriesChecked, Long firstBadSequence, String problem) {
    public static Verified of(VerifyReport r) {
      return new Verified(r.datasetId(), r.ok(), r.entriesChecked(),
          r.firstBadSequence().isPresent() ? r.firstBadSequence().getAsLong() : null,
          r.problem() == null ? "" : r.problem());
    }

    public VerifyReport toReport() {
      return new VerifyReport(dataset, ok, entriesChecked, firstBadSequence == null ? OptionalLong.empty()
          : OptionalLong.of(firstBadSequence), problem == null ? "" : problem);
    }
  }

  /** Every error: {@code {"error": {"code": ..., "message": ...}}}, never with a data value. */
  public record ErrorBody(Error error) {
    public static ErrorBody of(ErrorCode code, String message) {
      return new ErrorBody(new Error(code.wireName(), message));
    }
  }

  /** The inside of an error body. */
  public record Error(String code, String message) {}

  private static Loss loss(PrivacyLoss loss) {
    return loss == null ? null : Loss.of(loss);
  }

  /** Exact plain notation without trailing zeros ({@code "0.5"}, {@code "0.0000001"}, {@code "0"}). */
  public static String plain(BigDecimal value) {
    return value.signum() == 0 ? "0" : value.stripTrailingZeros().toPlainString();
  }
}
