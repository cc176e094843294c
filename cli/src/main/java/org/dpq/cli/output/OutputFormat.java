package org.dpq.cli.output;

/**
 * How results are printed: aligned text or a Markdown table for people, CSV, JSON (one object) and JSON Lines
 * (one object per row or entry) for programs.
 */
public enum OutputFormat {
  TABLE, CSV, JSON, MARKDOWN, JSONL;

  /** True for the formats whose layout is a table for people (text or Markdown). */
  public boolean forPeople() {
    return this == TABLE || this == MARKDOWN;
  }
}
