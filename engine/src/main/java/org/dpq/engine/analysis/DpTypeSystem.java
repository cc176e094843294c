package org.dpq.engine.analysis;

import org.apache.calcite.rel.type.RelDataTypeSystem;
import org.apache.calcite.rel.type.RelDataTypeSystemImpl;

/**
 * Calcite's default type system, except that a CASE or union yielding strings of different lengths is typed
 * VARCHAR rather than blank-padded CHAR. Owns no privacy property; it keeps filters and post-processing
 * meaning what the analyst wrote (no {@code 'old  '} padding).
 */
final class DpTypeSystem extends RelDataTypeSystemImpl {
  static final RelDataTypeSystem INSTANCE = new DpTypeSystem();

  private DpTypeSystem() {}

  @Override
  public boolean shouldConvertRaggedUnionTypesToVarying() {
    return true;
  }
}
