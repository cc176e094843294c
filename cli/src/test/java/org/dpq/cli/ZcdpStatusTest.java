package org.dpq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.file.Path;
import org.dpq.budget.Zcdp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dpq budget status|history} on a dataset accounted in zCDP: rho beside its epsilon, no false drift. */
class ZcdpStatusTest {
  @TempDir Path dir;

  @Test
  void statusAndHistoryShowRhoAndItsEpsilon() throws Exception {
    TestDataset d = new TestDataset(dir, "10.0, accounting: zcdp");
    // the default query loss is (1, 0) with Laplace noise: pure epsilon 1 costs rho 1/2
    TestDataset.Run q = d.run("query", "-d", d.yaml.toString(), "SELECT COUNT(*) FROM t");
    assertEquals(0, q.code(), q.toString());
    assertFalse(q.err().contains("warning"), q.err());
    TestDataset.Run s = d.run("budget", "status", "-d", d.yaml.toString());
    assertEquals(0, s.code(), s.toString());
    assertFalse(s.err().contains("warning"), s.err());
    assertTrue(s.out().contains("accounting zcdp"), s.out());
    assertTrue(s.out().contains("rho (zCDP)"), s.out());
    String rhoTotal = Zcdp.rhoBudget(BigDecimal.TEN, new BigDecimal("0.00001")).toPlainString();
    assertTrue(s.out().contains(rhoTotal), s.out());
    String spentEpsilon = Zcdp.epsilon(new BigDecimal("0.5"), new BigDecimal("0.00001")).toPlainString();
    assertTrue(s.out().contains(spentEpsilon), s.out());
    TestDataset.Run h = d.run("budget", "history", "-d", d.yaml.toString());
    assertEquals(0, h.code(), h.toString());
    assertTrue(h.out().contains("cost rho"), h.out());
    assertTrue(h.out().contains("accounting zcdp: spent rho 0.5 (epsilon " + spentEpsilon), h.out());
    TestDataset.Run raise = d.run("budget", "raise", "-d", d.yaml.toString(), "-e", "1", "--reason", "more");
    assertEquals(0, raise.code(), raise.toString());
    assertTrue(raise.out().contains("accounting zcdp: the epsilons above are rho"), raise.out());
    assertEquals(0, d.run("budget", "verify", "-d", d.yaml.toString()).code());
  }
}
