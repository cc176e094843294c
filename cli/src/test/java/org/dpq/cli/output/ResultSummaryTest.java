package org.dpq.cli.output;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** {@code budget history}'s one-line result: a recorded automatic bounds estimate reads as its bounds. */
class ResultSummaryTest {
  @Test
  void anAutoBoundsReleaseShowsItsBoundsExactly() {
    assertEquals("bounds [0, 131072]",
        ResultSummary.of("{\"column\":\"income\",\"found\":true,\"lower\":0.0,\"upper\":131072.0}", 60));
    assertEquals("bounds [-9.5367431640625E-7, 4611686018427387904]",
        ResultSummary.of("{\"column\":\"x\",\"found\":true,\"lower\":-9.5367431640625E-7,"
            + "\"upper\":4.611686018427387904E18}", 80));
    assertEquals("no bounds found",
        ResultSummary.of("{\"column\":\"income\",\"found\":false,\"lower\":0.0,\"upper\":0.0}", 60));
    assertEquals("(result not readable)", ResultSummary.of("{\"column\":\"income\"}", 60));
  }
}
