package org.dpq.budget;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.dpq.errors.InvalidPrivacyParameterException;
import org.dpq.errors.LedgerException;
import org.dpq.mechanisms.PrivacyLoss;

/**
 * The canonical encoding of ledger entries (Jackson, fixed field order, exact decimal text) and their SHA-256
 * hashes; the conversion between stored rows and {@link LedgerEntry}. Owns what the hash chain covers.
 */
final class EntryCodec {
  /** The previous hash of a dataset's first entry. */
  static final String GENESIS_HASH = "0".repeat(64);

  static final String FORMAT = "dpq-ledger-entry/1";

  private static final JsonMapper MAPPER = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private static final TypeReference<List<MeasurementJson>> MEASUREMENTS = new TypeReference<>() {};

  private EntryCodec() {}

  /** Every stored field of an entry but its own hash, in a fixed order; the input of the hash. */
  @JsonPropertyOrder(alphabetic = true)
  record CanonicalEntry(
      @JsonProperty("format") String format,
      @JsonProperty("datasetId") String datasetId,
      @JsonProperty("sequence") long sequence,
      @JsonProperty("kind") String kind,
      @JsonProperty("fingerprint") String fingerprint,
      @JsonProperty("time") String time,
      @JsonProperty("analyst") String analyst,
      @JsonProperty("sql") String sql,
      @JsonProperty("queryKey") String queryKey,
      @JsonProperty("planHash") String planHash,
      @JsonProperty("measurements") String measurements,
      @JsonProperty("costEpsilon") String costEpsilon,
      @JsonProperty("costDelta") String costDelta,
      @JsonProperty("resultJson") String resultJson,
      @JsonProperty("refersTo") Long refersTo,
      @JsonProperty("note") String note,
      @JsonProperty("spentEpsilon") String spentEpsilon,
      @JsonProperty("spentDelta") String spentDelta,
      @JsonProperty("totalEpsilon") String totalEpsilon,
      @JsonProperty("totalDelta") String totalDelta,
      @JsonProperty("previousHash") String previousHash) {}

  /** A measurement as stored in the measurements column. */
  @JsonPropertyOrder({"name", "mechanism", "epsilon", "delta"})
  record MeasurementJson(
      @JsonProperty("name") String name,
      @JsonProperty("mechanism") String mechanism,
      @JsonProperty("epsilon") String epsilon,
      @JsonProperty("delta") String delta) {}

  /** The canonical encoding of {@code e} (its {@code hash} field excluded). */
  static byte[] canonical(StoredEntry e) {
    CanonicalEntry c = new CanonicalEntry(FORMAT, e.datasetId(), e.sequence(), e.kind(), e.fingerprint(), e.time(),
        e.analyst(), e.sql(), e.queryKey(), e.planHash(), e.measurements(), e.costEpsilon(), e.costDelta(),
        e.resultJson(), e.refersTo(), e.note(), e.spentEpsilon(), e.spentDelta(), e.totalEpsilon(),
        e.totalDelta(), e.previousHash());
    try {
      return MAPPER.writeValueAsString(c).getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException("cannot encode a ledger entry", ex);
    }
  }

  /** SHA-256 (lower-case hex) of the canonical encoding. */
  static String hash(StoredEntry e) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical(e)));
    } catch (NoSuchAlgorithmException ex) {
      throw new IllegalStateException("SHA-256 is not available in this JVM", ex);
    }
  }

  /** The exact, canonical decimal text of {@code d}: no exponent, no trailing zeros. */
  static String decimal(BigDecimal d) {
    return d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
  }

  /** Parses canonical decimal text; null if it is not exactly the canonical form of a non-negative decimal. */
  static BigDecimal parseDecimal(String text) {
    if (text == null || text.isEmpty() || text.length() > 400) {
      return null;
    }
    try {
      BigDecimal d = new BigDecimal(text);
      return d.signum() >= 0 && decimal(d).equals(text) ? d : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** A stored pair of decimals as a loss; null if either is absent or not canonical. */
  static PrivacyLoss parseLoss(String epsilon, String delta) {
    BigDecimal e = parseDecimal(epsilon);
    BigDecimal d = parseDecimal(delta);
    return e == null || d == null ? null : new PrivacyLoss(e, d);
  }

  static String encodeMeasurements(List<MeasurementCost> measurements) {
    List<MeasurementJson> out = new ArrayList<>(measurements.size());
    for (MeasurementCost m : measurements) {
      out.add(new MeasurementJson(m.name(), m.mechanism(), decimal(m.loss().epsilon()), decimal(m.loss().delta())));
    }
    try {
      return MAPPER.writeValueAsString(out);
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException("cannot encode measurements", ex);
    }
  }

  /** Parses a measurements column; null if it is not readable. */
  static List<MeasurementCost> parseMeasurements(String text) {
    if (text == null) {
      return null;
    }
    try {
      List<MeasurementJson> in = MAPPER.readValue(text, MEASUREMENTS);
      if (in == null) {
        return null;
      }
      List<MeasurementCost> out = new ArrayList<>(in.size());
      for (MeasurementJson m : in) {
        PrivacyLoss loss = m == null ? null : parseLoss(m.epsilon(), m.delta());
        if (loss == null || m.name() == null || m.mechanism() == null) {
          return null;
        }
        out.add(new MeasurementCost(m.name(), m.mechanism(), loss));
      }
      return List.copyOf(out);
    } catch (JsonProcessingException | InvalidPrivacyParameterException | IllegalArgumentException ex) {
      return null;
    }
  }

  /** True when {@code text} is one well-formed JSON value. */
  static boolean isJson(String text) {
    try {
      MAPPER.readTree(text);
      return !text.isBlank();
    } catch (JsonProcessingException ex) {
      return false;
    }
  }

  static Instant parseTime(String text) {
    try {
      Instant t = Instant.parse(text);
      return t.toString().equals(text) ? t : null;
    } catch (DateTimeParseException | NullPointerException ex) {
      return null;
    }
  }

  /**
   * The public view of a stored entry.
   *
   * @throws LedgerException if a field cannot be read (the message names the entry, never its contents)
   */
  static LedgerEntry toEntry(StoredEntry s) {
    Instant time = parseTime(s.time());
    PrivacyLoss spent = parseLoss(s.spentEpsilon(), s.spentDelta());
    PrivacyLoss total = parseLoss(s.totalEpsilon(), s.totalDelta());
    PrivacyLoss cost = s.costEpsilon() == null && s.costDelta() == null ? null : parseLoss(s.costEpsilon(), s.costDelta());
    List<MeasurementCost> measurements = s.measurements() == null ? List.of() : parseMeasurements(s.measurements());
    if (time == null || spent == null || total == null || measurements == null
        || (cost == null && (s.costEpsilon() != null || s.costDelta() != null))) {
      throw new LedgerException("ledger entry " + s.sequence() + " of dataset '" + s.datasetId()
          + "' has an unreadable field; run `dpq budget verify` and restore the ledger from a backup");
    }
    return new LedgerEntry(s.sequence(), s.kind(), s.datasetId(), s.fingerprint(), time, s.analyst(), s.sql(),
        s.queryKey(), s.planHash(), measurements, cost, s.resultJson(), s.refersTo(), s.note(), spent, total,
        s.previousHash(), s.hash());
  }
}
