package org.dpq.engine.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;
import org.dpq.errors.DatasetValidationException;
import org.junit.jupiter.api.Test;

/** {@code bounds: { auto: { epsilon } }}: what the catalog accepts, and each refusal with its key path. */
class AutoBoundsYamlTest {
  private static final Path BASE = Path.of("/owner");
  private static final String INCOME = "income: { type: double, lower: 0, upper: 500000 }";

  private static String with(String income) {
    return DatasetLoaderTest.DESIGN_EXAMPLE.replace(INCOME, income);
  }

  private static List<String> problems(String yaml) {
    return assertThrows(DatasetValidationException.class, () -> DatasetLoader.parse(yaml, BASE)).problems();
  }

  @Test
  void autoBoundsAreAcceptedWithTheirShareAndNoDeclaredBounds() {
    Dataset d = DatasetLoader.parse(with("income: { type: double, bounds: { auto: { epsilon: 0.1 } } }"), BASE);
    Column income = d.column("income").orElseThrow();
    assertTrue(income.hasAutoBounds());
    assertFalse(income.isBounded(), "no bounds until the estimate is recorded");
    assertEquals(new BigDecimal("0.1"), income.autoBounds().get().epsilon());
    assertFalse(d.column("age").orElseThrow().hasAutoBounds());
    Column resolved = income.withBounds(-4, 8);
    assertTrue(resolved.isBounded() && resolved.hasAutoBounds());
    assertEquals(8.0, resolved.upper().getAsDouble());
  }

  @Test
  void theShareIsPartOfTheFingerprintAndNothingChangesForOtherDatasets() {
    Dataset declared = DatasetLoader.parse(with("income: { type: double }"), BASE);
    Dataset auto = DatasetLoader.parse(with("income: { type: double, bounds: { auto: { epsilon: 0.1 } } }"), BASE);
    Dataset other = DatasetLoader.parse(with("income: { type: double, bounds: { auto: { epsilon: 0.2 } } }"), BASE);
    Dataset same = DatasetLoader.parse(with("income: { type: double, bounds: { auto: { epsilon: 0.10 } } }"), BASE);
    String a = schemaPrint(auto);
    assertNotEquals(schemaPrint(declared), a);
    assertNotEquals(schemaPrint(other), a, "another share is another declaration: estimated again");
    assertEquals(schemaPrint(same), a, "0.10 and 0.1 are one share");
  }

  /** The fingerprint of a dataset whose source is a database table (no file to read). */
  private static String schemaPrint(Dataset d) {
    return Fingerprint.of(new Dataset(d.name(), d.table(), new Source.Jdbc("jdbc:postgresql://h/db", "pums"),
        d.unit(), d.maxGroupsContributed(), d.maxRowsPerGroup(), d.budget(), d.defaults(), d.ledger(), d.columns(),
        d.yamlPath()));
  }

  @Test
  void autoBoundsBesideDeclaredBoundsAreRefused() {
    assertEquals(List.of("columns.income.bounds: a column has either declared bounds (lower and upper) or automatic "
        + "ones (bounds: { auto: ... }), not both; remove one of them"),
        problems(with("income: { type: double, lower: 0, upper: 9, bounds: { auto: { epsilon: 0.1 } } }")));
  }

  @Test
  void eachMalformedDeclarationIsNamed() {
    assertEquals(List.of("columns.income.bounds: must be a mapping { auto: { epsilon: 0.1 } } (bounds estimated once "
        + "with DP, paid from the budget), or remove bounds and give lower and upper, not a single value"),
        problems(with("income: { type: double, bounds: auto }")));
    assertEquals(List.of("columns.income.bounds.auto: missing; give the share of the budget the one estimate spends, "
        + "e.g. bounds: { auto: { epsilon: 0.1 } }"), problems(with("income: { type: double, bounds: { } }")));
    assertEquals(List.of("columns.income.bounds.auto.epsilon: missing; give e.g. epsilon: 0.1"),
        problems(with("income: { type: double, bounds: { auto: { } } }")));
    List<String> negative = problems(with("income: { type: double, bounds: { auto: { epsilon: -1 } } }"));
    assertEquals(1, negative.size());
    assertTrue(negative.get(0).startsWith("columns.income.bounds.auto.epsilon: epsilon must be > 0"), negative.get(0));
    assertEquals(List.of("columns.income.bounds.auto.epsilon: must be <= budget.epsilon (3.0); the estimate is paid "
        + "from the dataset's budget"), problems(with("income: { type: double, bounds: { auto: { epsilon: 4 } } }")));
    assertEquals(List.of("columns.income.bounds: automatic bounds apply only to numeric columns (int, long, double), "
        + "not string; remove bounds"), problems(with("income: { type: string, bounds: { auto: { epsilon: 0.1 } } }")));
  }

  @Test
  void theUnitColumnIsRefusedAndZcdpAccountingAccepted() {
    String unitAuto = DatasetLoaderTest.DESIGN_EXAMPLE.replace("pid:    { type: int }",
        "pid:    { type: int, bounds: { auto: { epsilon: 0.1 } } }");
    assertEquals(List.of("columns.pid.bounds: the privacy unit column identifies people and is never summed; "
        + "remove bounds"), problems(unitAuto));
    String zcdp = with("income: { type: double, bounds: { auto: { epsilon: 0.1 } } }")
        .replace("budget: { epsilon: 3.0, delta: 1.0e-6 }",
            "budget: { epsilon: 3.0, delta: 1.0e-6, accounting: zcdp }");
    assertTrue(DatasetLoader.parse(zcdp, BASE).column("income").orElseThrow().hasAutoBounds());
  }
}
