package org.dpq.cli;

import java.math.BigDecimal;
import java.util.List;
import org.dpq.engine.QueryOptions;
import org.dpq.mechanisms.MechanismChoice;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * The per-query privacy options: epsilon, delta, mechanism and analyst. There is deliberately no seed and no
 * way to turn noise off; values that parse but are not valid privacy parameters are rejected by the engine
 * (exit 3), text that is not a number is a usage error (exit 2).
 */
public final class LossOptions {
  @Option(names = {"--epsilon", "-e"}, paramLabel = "E", converter = DecimalConverter.class,
      description = "Epsilon to spend on this query (default: the dataset's defaults.epsilon).")
  BigDecimal epsilon;

  @Option(names = "--delta", paramLabel = "D", converter = DecimalConverter.class,
      description = "Delta to spend on this query, 0 for pure DP (default: the dataset's defaults.delta).")
  BigDecimal delta;

  @Option(names = {"--mechanism", "-m"}, paramLabel = "M", defaultValue = "auto",
      converter = MechanismConverter.class, completionCandidates = MechanismConverter.Names.class,
      description = "Noise mechanism: laplace, gaussian (needs delta > 0) or auto (smaller variance). "
          + "Default: ${DEFAULT-VALUE}.")
  MechanismChoice mechanism;

  @Option(names = "--weights", paramLabel = "NAME=W", split = ",",
      description = "How much each aggregate's relative error counts when epsilon is split over the query's "
          + "measurements, by alias or output name, e.g. --weights avg_price=4,count_order=1 (others weigh 1; each "
          + "weight in [1e-6, 1e6]). The split minimises the weighted sum of relative variances; the total spent "
          + "is the same. Shown in explain's epsilon column.")
  java.util.Map<String, Double> weights;

  @Option(names = "--analyst", paramLabel = "NAME",
      description = "Who is asking, recorded in the ledger (default: your user name).")
  String analyst;

  /** The engine options these flags describe. */
  public QueryOptions toQueryOptions() {
    QueryOptions o = QueryOptions.defaults().withMechanism(mechanism);
    if (epsilon != null) {
      o = o.withEpsilon(epsilon);
    }
    if (delta != null) {
      o = o.withDelta(delta);
    }
    if (weights != null && !weights.isEmpty()) {
      o = o.withWeights(weights);
    }
    if (analyst != null) {
      if (analyst.isBlank()) {
        throw new CliUsageException("--analyst must not be blank");
      }
      o = o.withAnalyst(analyst.strip());
    }
    return o;
  }

  /** Parses a decimal number; anything else (including NaN and Infinity) is a usage error. */
  static final class DecimalConverter implements ITypeConverter<BigDecimal> {
    @Override
    public BigDecimal convert(String value) {
      String v = value.strip();
      if (v.length() > 64) {
        throw new TypeConversionException("'" + v.substring(0, 20) + "...' is too long for a number");
      }
      try {
        return new BigDecimal(v);
      } catch (NumberFormatException e) {
        throw new TypeConversionException("'" + value + "' is not a decimal number (e.g. 0.5 or 1e-7)");
      }
    }
  }

  /** Parses laplace|gaussian|auto case-insensitively. */
  static final class MechanismConverter implements ITypeConverter<MechanismChoice> {
    @Override
    public MechanismChoice convert(String value) {
      try {
        return MechanismChoice.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException("'" + value + "' is not a mechanism; use laplace, gaussian or auto");
      }
    }

    /** Completion candidates in lower case. */
    static final class Names implements Iterable<String> {
      @Override
      public java.util.Iterator<String> iterator() {
        return List.of("laplace", "gaussian", "auto").iterator();
      }
    }
  }
}
