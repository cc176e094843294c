package org.dpq.engine.catalog;

/**
 * Who is protected: neighbouring datasets differ by all rows of one unit. Owns the definition of the unit the
 * rewrite bounds contributions for.
 */
public sealed interface PrivacyUnit {
  /** Each row is its own unit. */
  record Row() implements PrivacyUnit {}

  /** All rows sharing this column's value belong to one unit. */
  record ByColumn(String column) implements PrivacyUnit {}
}
