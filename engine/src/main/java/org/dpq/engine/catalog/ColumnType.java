package org.dpq.engine.catalog;

/** The column types a dataset YAML may declare. Only numeric types with bounds can be summed. */
public enum ColumnType {
  INT, LONG, DOUBLE, STRING, BOOLEAN, DATE;

  /** True for types that SUM/AVG/VAR accept (given bounds). */
  public boolean isNumeric() {
    return this == INT || this == LONG || this == DOUBLE;
  }
}
