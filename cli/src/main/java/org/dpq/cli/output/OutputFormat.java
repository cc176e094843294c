package org.dpq.cli.output;

/** How results are printed: aligned text for people, CSV and JSON for programs. */
public enum OutputFormat {
  TABLE, CSV, JSON
}
