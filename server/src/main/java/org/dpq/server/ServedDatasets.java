package org.dpq.server;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.dpq.budget.Allocation;
import org.dpq.budget.Ledger;
import org.dpq.engine.Dpq;
import org.dpq.mechanisms.PrivacyLoss;

/**
 * The datasets one server serves, all charging its one ledger within each analyst's allocation. Owns the start-up
 * grant of the configured allocations: a configured share is written (as an ALLOCATE entry) only for an analyst
 * who has none in the ledger yet, so an officer's later change through the API is never undone by a restart.
 */
final class ServedDatasets implements AutoCloseable {
  private final Ledger ledger;
  private final Map<String, Dpq> byName = new LinkedHashMap<>();

  private ServedDatasets(Ledger ledger) {
    this.ledger = ledger;
  }

  static ServedDatasets open(ServerConfig config, Path configFile) {
    Ledger ledger = Ledger.open(config.ledger());
    ServedDatasets served = new ServedDatasets(ledger);
    try {
      for (Path yaml : config.datasets()) {
        Dpq dpq = Dpq.openServed(yaml, ledger);
        if (served.byName.putIfAbsent(dpq.dataset().name(), dpq) != null) {
          dpq.close();
          throw new IllegalArgumentException("two dataset YAMLs of the server config name the dataset '"
              + dpq.dataset().name() + "'; dataset names must be unique");
        }
      }
      served.grant(config, configFile);
    } catch (RuntimeException e) {
      served.close();
      throw e;
    }
    return served;
  }

  /**
   * Grants each analyst of the config the allocations its {@code budgets} give, on the datasets that have none for
   * them in the ledger yet (at start-up, and when the principals are re-read).
   */
  void grant(ServerConfig config, Path configFile) {
    for (ServerConfig.Principal p : config.principals().values()) {
      p.budgets().forEach((dataset, share) -> {
        if (!byName.containsKey(dataset)) {
          throw new IllegalArgumentException("principal '" + p.name() + "' has a budget on dataset '" + dataset
              + "', which the server does not serve; list its YAML under datasets:");
        }
        boolean hasOne = ledger.allocations(dataset).stream().anyMatch(a -> a.analyst().equals(p.name()));
        if (!hasOne) {
          ledger.allocate(dataset, p.name(), PrivacyLoss.budget(share.epsilon(), share.delta()), "server config",
              "initial allocation from " + configFile.getFileName());
        }
      });
    }
  }

  Ledger ledger() {
    return ledger;
  }

  List<String> names() {
    return List.copyOf(byName.keySet());
  }

  Optional<Dpq> get(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /** The analyst's allocation on the dataset, if the ledger has one. */
  Optional<Allocation> allocation(String dataset, String analyst) {
    return ledger.allocations(dataset).stream().filter(a -> a.analyst().equals(analyst)).findFirst();
  }

  @Override
  public void close() {
    byName.values().forEach(Dpq::close);
    ledger.close();
  }
}
