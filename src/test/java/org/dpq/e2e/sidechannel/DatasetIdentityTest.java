package org.dpq.e2e.sidechannel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.dpq.e2e.hostile.HostileData;
import org.dpq.e2e.hostile.LedgerView;
import org.dpq.engine.Dpq;
import org.dpq.engine.QueryOptions;
import org.dpq.engine.catalog.DatasetLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A second path to a dataset: a symbolic link to the YAML in another folder used to resolve relative paths (the
 * default ledger among them) from the link's folder, opening a fresh ledger with the full budget for the same
 * dataset. Both paths must now reach one ledger. The broken variant resolves from the folder of the path as given
 * (what main did), and the same check finds two ledgers.
 */
class DatasetIdentityTest {
  @Test
  void aSymlinkToTheYamlSharesItsLedger(@TempDir Path dir) throws IOException {
    Path csv = HostileData.people(dir.resolve("data"), 40, 7);
    Path real = HostileData.yaml(dir.resolve("owner"), "identity", "people", csv, "5", "1e-5");
    Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
    Path link = Files.createSymbolicLink(elsewhere.resolve("identity.yaml"), real);

    assertEquals(DatasetLoader.load(real).ledger(), DatasetLoader.load(link).ledger(), "one ledger for both paths");
    // The broken variant: resolving from the folder of the path as given.
    String asGiven = DatasetLoader.parse(Files.readString(link), link.getParent()).ledger();
    assertNotEquals(DatasetLoader.load(real).ledger(), asGiven, "the old resolution finds a second ledger");

    try (Dpq viaLink = Dpq.open(link)) {
      viaLink.query("SELECT COUNT(*) AS n FROM people", QueryOptions.defaults().withEpsilon("1").withAnalyst("a"));
    }
    LedgerView seenFromOwner = LedgerView.of(real);
    assertEquals(0, seenFromOwner.spentEpsilon().compareTo(java.math.BigDecimal.ONE),
        "a query through the link is charged to the dataset's one ledger");
    assertEquals(1, seenFromOwner.charges());
    try (var files = Files.list(elsewhere)) {
      assertFalse(files.anyMatch(p -> p.getFileName().toString().endsWith(".ledger.db")),
          "no fresh ledger beside the link");
    }
    assertTrue(Files.exists(Path.of(DatasetLoader.load(real).ledger())));
  }
}
