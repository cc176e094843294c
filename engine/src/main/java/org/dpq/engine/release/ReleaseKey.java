package org.dpq.engine.release;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.apache.calcite.rel.RelFieldCollation;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.dpq.engine.analysis.AggregateSpec;
import org.dpq.engine.analysis.DpPlan;
import org.dpq.engine.analysis.GroupKey;
import org.dpq.engine.analysis.Measurement;
import org.dpq.engine.catalog.Column;
import org.dpq.mechanisms.MechanismChoice;
import org.dpq.mechanisms.PrivacyLoss;

/**
 * The name of a release for the ledger's stored answers. Owns the half of invariant 4 that says a stored answer
 * is reused only for a query whose release is the same: the key is a SHA-256 over a canonical description of
 * everything that determines the released table, built from the analysed plan (never from SQL text), so that
 * whitespace, keyword or identifier casing, aliases of the same output name and other spellings Calcite
 * normalises give one key, while any difference in what is released gives another:
 *
 * <ul>
 *   <li>the bounded computation: table, privacy unit, WHERE, group keys (with their columns and public domains),
 *       every measurement with its clamps, centre, per-unit bounds, sensitivities and integrality, the partition
 *       mode and the selection measurement;
 *   <li>the derivation from noisy measurements: each user-visible aggregate with its kind (COUNT, SUM, AVG,
 *       VARIANCE or STDDEV), operands, bounds and integrality;
 *   <li>the post-processing: every output expression, HAVING, ORDER BY (field, direction, NULL order), OFFSET and
 *       LIMIT, and the released column names and types;
 *   <li>the noise: each measurement's share of the loss, mechanism and calibrated parameters, the partition
 *       threshold, the total charge; and the parameters (requested epsilon and delta as exact decimals, the
 *       mechanism choice).
 * </ul>
 *
 * <p>Expressions are written out node by node with their full SQL types (nullability included) and literals
 * with their types, so {@code CAST(x AS INTEGER)} and {@code CAST(x AS DOUBLE)} differ. Every field is tagged
 * and length-prefixed, so no two different descriptions concatenate to the same text. The dataset's identity
 * (data and declarations) is not part of the key: the ledger matches it separately through the fingerprint.
 * {@link #VERSION} changes whenever the bounded computation changes, so an answer stored by an older dpq is not
 * handed out for a computation it did not perform.
 */
public final class ReleaseKey {
  /** Bumped whenever the meaning of a bounded value changes (v3: real sums in exact grid steps). */
  static final String VERSION = "dpq-release-key-v3";

  /** How {@code Dpq} names a release; {@link #CANONICAL} is the only one production code uses. */
  @FunctionalInterface
  public interface Scheme {
    /** The stored-answer key of a release with these parameters. */
    String key(DpPlan plan, NoisePlan noisePlan, PrivacyLoss requested, MechanismChoice choice);
  }

  /** The canonical key of this class. */
  public static final Scheme CANONICAL = ReleaseKey::of;

  private ReleaseKey() {}

  /** The stored-answer key: the release ({@link #planHash}) and the analyst's parameters. */
  public static String of(DpPlan plan, NoisePlan noisePlan, PrivacyLoss requested, MechanismChoice choice) {
    Canon c = new Canon();
    c.field("release", describe(plan, noisePlan));
    c.field("requested.epsilon", decimal(requested.epsilon()));
    c.field("requested.delta", decimal(requested.delta()));
    c.field("mechanism", choice.name());
    return sha256(c.text());
  }

  /**
   * The stored-answer key of one analyst on a served dataset: {@code key} scoped to {@code analyst}, so that one
   * principal's stored answer (and the fact that the query was asked) is never handed to another (invariant 8: a
   * principal never reads another's history); each analyst's own repeats still get their stored answer, free.
   */
  public static String forAnalyst(String key, String analyst) {
    Canon c = new Canon();
    c.field("release-key", key);
    c.field("analyst", analyst);
    return sha256(c.text());
  }

  /** A hash of the release alone (plan, derivation, post-processing, noise), recorded in the ledger. */
  public static String planHash(DpPlan plan, NoisePlan noisePlan) {
    return sha256(describe(plan, noisePlan));
  }

  /** The canonical description that {@link #of} and {@link #planHash} hash. */
  static String describe(DpPlan plan, NoisePlan noisePlan) {
    Canon c = new Canon();
    c.field("version", VERSION);
    c.field("table", plan.scan().getTable() != null ? String.join(".", plan.scan().getTable().getQualifiedName())
        : org.apache.calcite.plan.RelOptUtil.toString(plan.scan())); // a join: its whole plan
    c.field("scan.row", type(plan.scan().getRowType()));
    c.field("unit", plan.unitField().map(String::valueOf).orElse("row"));
    plan.perUnit().ifPresent(p -> c.field("perUnit", p.canonical()));
    c.field("where", plan.where().map(ReleaseKey::rex).orElse("-"));
    c.field("keys", String.valueOf(plan.keys().size()));
    for (GroupKey k : plan.keys()) {
      c.field("key.name", k.name());
      c.field("key.expression", rex(k.expression()));
      k.inputClamps().ifPresent(clamped -> c.field("key.inputClamps", rex(clamped)));
      c.field("key.column", column(k.column()));
      k.joint().ifPresent(j -> {
        // the tuples themselves: another public table (or another version of it) is another release
        c.field("key.joint", j.table() + " " + j.keys());
        j.tuples().forEach(t -> t.forEach(v -> c.field("key.tuple", v)));
      });
    }
    c.field("partition", plan.partitionMode().name());
    c.field("selection", String.valueOf(plan.selectionMeasurement()));
    c.field("measurements", String.valueOf(plan.measurements().size()));
    for (Measurement m : plan.measurements()) {
      c.field("measurement", measurement(m));
    }
    c.field("aggregates", String.valueOf(plan.aggregates().size()));
    for (AggregateSpec a : plan.aggregates()) {
      c.field("aggregate", aggregate(a));
    }
    c.field("outputs", String.valueOf(plan.post().outputs().size()));
    for (RexNode e : plan.post().outputs()) {
      c.field("output", rex(e));
    }
    for (String name : plan.post().outputNames()) {
      c.field("output.name", name);
    }
    for (String name : OutputNames.of(plan)) {
      c.field("released.name", name);
    }
    for (RelDataType t : plan.post().outputTypes()) {
      c.field("output.type", type(t));
    }
    c.field("having", plan.post().having().map(ReleaseKey::rex).orElse("-"));
    c.field("order", String.valueOf(plan.post().orderBy().size()));
    for (RelFieldCollation fc : plan.post().orderBy()) {
      c.field("order.by", fc.getFieldIndex() + " " + fc.getDirection().name() + " " + fc.nullDirection.name());
    }
    c.field("offset", plan.post().offset().isPresent() ? String.valueOf(plan.post().offset().getAsLong()) : "-");
    c.field("limit", plan.post().limit().isPresent() ? String.valueOf(plan.post().limit().getAsLong()) : "-");
    c.field("noise", String.valueOf(noisePlan.measurements().size()));
    for (MeasurementNoise mn : noisePlan.measurements()) {
      c.field("noise.label", mn.label());
      c.field("noise.epsilon", decimal(mn.loss().epsilon()));
      c.field("noise.delta", decimal(mn.loss().delta()));
      c.field("noise.mechanism", mn.mechanism().toString());
      c.field("noise.threshold", mn.threshold().map(Object::toString).orElse("-"));
    }
    c.field("threshold", noisePlan.threshold().map(Object::toString).orElse("-"));
    c.field("total.epsilon", decimal(noisePlan.total().epsilon()));
    c.field("total.delta", decimal(noisePlan.total().delta()));
    return c.text();
  }

  private static String measurement(Measurement m) {
    Canon c = new Canon();
    c.field("kind", m.kind().name());
    c.field("argument", m.argument().map(ReleaseKey::rex).orElse("-"));
    c.field("lower", Double.toHexString(m.lower()));
    c.field("upper", Double.toHexString(m.upper()));
    c.field("center", Double.toHexString(m.center()));
    c.field("perUnitLower", Double.toHexString(m.perUnitLower()));
    c.field("perUnitUpper", Double.toHexString(m.perUnitUpper()));
    c.field("l1", Double.toHexString(m.l1()));
    c.field("l2", Double.toHexString(m.l2()));
    c.field("integral", String.valueOf(m.integral()));
    m.tree().ifPresent(t -> c.field("tree", Double.toHexString(t.lower()) + " " + Double.toHexString(t.upper()) + " "
        + t.branching() + " " + t.depth()));
    return c.text();
  }

  private static String aggregate(AggregateSpec a) {
    Canon c = new Canon();
    c.field("name", a.name());
    if (a instanceof AggregateSpec.Count n) {
      c.field("COUNT", String.valueOf(n.count()));
    } else if (a instanceof AggregateSpec.CountUnits u) {
      c.field("COUNT_UNITS", String.valueOf(u.units()));
    } else if (a instanceof AggregateSpec.Sum s) {
      c.field("SUM", s.sum() + " " + s.integral());
    } else if (a instanceof AggregateSpec.DerivedSum d) {
      c.field("DERIVED_SUM", d.centredSum() + " " + d.count() + " " + Double.toHexString(d.centre()) + " "
          + d.integral() + " " + d.nonNegative());
    } else if (a instanceof AggregateSpec.Mean m) {
      c.field("MEAN", m.centredSum() + " " + m.count() + " " + Double.toHexString(m.lower()) + " "
          + Double.toHexString(m.upper()));
    } else if (a instanceof AggregateSpec.Variance v) {
      c.field(v.stddev() ? "STDDEV" : "VARIANCE", v.centredSquares() + " " + v.centredSum() + " " + v.count()
          + " " + Double.toHexString(v.lower()) + " " + Double.toHexString(v.upper()));
    } else if (a instanceof AggregateSpec.Quantile q) {
      c.field("QUANTILE", q.tree() + " " + Double.toHexString(q.fraction()) + " " + q.extreme() + " " + q.integral());
    } else {
      throw new IllegalStateException("an aggregate kind without a release key: " + a.getClass().getSimpleName());
    }
    return c.text();
  }

  private static String column(Column col) {
    Canon c = new Canon();
    c.field("name", col.name());
    c.field("type", col.type().name());
    c.field("lower", col.lower().isPresent() ? Double.toHexString(col.lower().getAsDouble()) : "-");
    c.field("upper", col.upper().isPresent() ? Double.toHexString(col.upper().getAsDouble()) : "-");
    List<String> domain = col.publicValues().orElse(null);
    c.field("public", domain == null ? "-" : String.valueOf(domain.size()));
    if (domain != null) {
      domain.forEach(v -> c.field("value", v));
    }
    return c.text();
  }

  /** An expression node by node, each with its full type; literals with their value's class and type. */
  static String rex(RexNode node) {
    Canon c = new Canon();
    if (node instanceof RexInputRef ref) {
      c.field("ref", String.valueOf(ref.getIndex()));
    } else if (node instanceof RexLiteral lit) {
      Object value = lit.getValue();
      c.field("literal", value == null ? "NULL" : value.getClass().getSimpleName() + " " + value);
    } else if (node instanceof RexCall call) {
      c.field("call", call.getOperator().getName() + " " + call.getKind().name() + " "
          + call.getOperator().getSyntax().name());
      c.field("operands", String.valueOf(call.getOperands().size()));
      for (RexNode operand : call.getOperands()) {
        c.field("operand", rex(operand));
      }
    } else {
      // The analyser admits no other node kinds; should one appear, its digest still separates it.
      c.field(node.getClass().getSimpleName(), node.toString());
    }
    c.field("type", type(node.getType()));
    return c.text();
  }

  private static String type(RelDataType t) {
    return t.getFullTypeString();
  }

  /** A decimal in one spelling per value: 0.5, 0.50 and 5E-1 are the same loss. */
  private static String decimal(BigDecimal d) {
    return d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
  }

  /** The SHA-256 of a text's UTF-8 bytes, in hex (also the plan hash of an automatic bounds estimate). */
  public static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(
          text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Tagged, length-prefixed fields: {@code tag=length:value;}, so concatenations are unambiguous. */
  private static final class Canon {
    private final StringBuilder text = new StringBuilder();

    void field(String tag, String value) {
      text.append(tag).append('=').append(value.length()).append(':').append(value).append(';');
    }

    String text() {
      return text.toString();
    }
  }
}
