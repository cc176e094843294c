package org.dpq.cli.samples;

import java.util.List;

/**
 * One shipped synthetic data set: its CSV columns, how one privacy unit's rows are made, and the dataset YAML
 * that declares its privacy unit, contribution bounds, value bounds and public domains. Samples hold no real
 * data; their randomness comes from {@link DataGenPrng}, never from the noise source.
 */
public sealed interface Sample permits RatingsSample, ClinicSample, TransactionsSample {

  /** The name used on the command line and as the dataset and table name. */
  String name();

  /** One line for help texts. */
  String summary();

  /** The CSV header. */
  List<String> columns();

  /** The privacy unit column. */
  String unitColumn();

  /** A writer for a data set of about {@code rows} rows; pools (products, merchants) are drawn from {@code rng}. */
  UnitWriter writer(long rows, DataGenPrng rng);

  /** Writes the rows of one privacy unit. */
  @FunctionalInterface
  interface UnitWriter {
    /**
     * Writes all rows of unit {@code unitId}, but at most {@code maxRows} (at least one).
     *
     * @return the number of rows written
     */
    int writeUnit(long unitId, long maxRows, DataGenPrng rng, CsvSink out);
  }
}
