package org.dpq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ProgressTest {

  @Test
  void staysSilentWhenNotOnATerminal() {
    StringWriter err = new StringWriter();
    try (Progress p = Progress.counter(false, new PrintWriter(err), "generating", 100)) {
      p.update(50);
      p.update(100);
    }
    try (Progress p = Progress.spinner(false, new PrintWriter(err), "running")) {
      p.update(1);
    }
    assertEquals("", err.toString());
  }

  @Test
  void drawsCountsOnATerminalAndClearsTheLineWhenDone() {
    StringWriter err = new StringWriter();
    try (Progress p = Progress.counter(true, new PrintWriter(err), "generating ratings", 2_000_000)) {
      p.update(2_000_000);
    }
    String text = err.toString();
    assertTrue(text.startsWith("\rgenerating ratings: 100% (2,000,000 / 2,000,000 rows"), text);
    assertTrue(text.endsWith("\r"), "the line is cleared afterwards");
  }
}
