package org.dpq.engine;

import java.nio.file.Path;
import java.util.Objects;
import javax.sql.DataSource;
import org.dpq.budget.Ledger;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.DatasetLoader;

/**
 * Opens a {@link Dpq} from parts given in code: the dataset (a YAML file, YAML text, or {@link Dataset#builder}),
 * the ledger (a location, or a PostgreSQL {@link DataSource}) and the backend's connections (a DataSource, for a
 * PostgreSQL source whose YAML URL then carries no password). Owns no privacy property: the {@code Dpq} it opens
 * has exactly the guarantees of one opened from a YAML file (the same validation, ledger and noise).
 *
 * <pre>{@code
 * try (Dpq dpq = Dpq.builder().dataset(Path.of("pums.yaml")).ledger(ledgerPool).backend(readerPool).build()) {
 *   QueryResult r = dpq.query("SELECT COUNT(*) FROM pums WHERE age >= ?", QueryOptions.defaults(), 18);
 * }
 * }</pre>
 */
public final class DpqBuilder {
  private Path yaml;
  private Dataset dataset;
  private String ledgerLocation;
  private DataSource ledgerSource;
  private DataSource backendSource;

  DpqBuilder() {}

  /** The dataset described by a YAML file (paths in it relative to the file). */
  public DpqBuilder dataset(Path datasetYaml) {
    this.yaml = Objects.requireNonNull(datasetYaml, "datasetYaml");
    this.dataset = null;
    return this;
  }

  /** A dataset defined in code ({@link Dataset#builder}) or parsed from YAML text ({@link DatasetLoader#parse}). */
  public DpqBuilder dataset(Dataset value) {
    this.dataset = Objects.requireNonNull(value, "dataset");
    this.yaml = null;
    return this;
  }

  /** The ledger at this location (an SQLite file path or a {@code jdbc:postgresql:} URL), not the dataset's. */
  public DpqBuilder ledger(String location) {
    this.ledgerLocation = Objects.requireNonNull(location, "location");
    this.ledgerSource = null;
    return this;
  }

  /** The ledger in this PostgreSQL DataSource's current schema (tables created on first use). */
  public DpqBuilder ledger(DataSource value) {
    this.ledgerSource = Objects.requireNonNull(value, "ledger DataSource");
    this.ledgerLocation = null;
    return this;
  }

  /** Connections to the dataset's PostgreSQL source come from this DataSource, not from the YAML's URL. */
  public DpqBuilder backend(DataSource value) {
    this.backendSource = Objects.requireNonNull(value, "backend DataSource");
    return this;
  }

  /**
   * Validates the dataset, opens the ledger (initialising the dataset's budget on first use) and returns the
   * engine; the backend is opened on first use.
   *
   * @throws IllegalStateException when no dataset was given
   * @throws org.dpq.errors.DatasetValidationException when the dataset is invalid
   * @throws org.dpq.errors.LedgerException when the ledger cannot be opened
   */
  public Dpq build() {
    if (yaml == null && dataset == null) {
      throw new IllegalStateException("no dataset given; call dataset(Path) or dataset(Dataset) before build()");
    }
    Dataset d = dataset != null ? dataset : DatasetLoader.load(yaml);
    Ledger ledger = ledgerSource != null ? Ledger.open(ledgerSource)
        : Ledger.open(ledgerLocation != null ? ledgerLocation : d.ledger());
    return Dpq.open(d, ledger, backendSource);
  }
}
