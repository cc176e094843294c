package org.dpq.spark;

import org.dpq.engine.execution.TableEquivalenceCases;

/**
 * The cross-backend contract's single-table half ({@link TableEquivalenceCases}) on DuckDB, PostgreSQL and local
 * Spark; the other half is {@link SparkEquivalenceNeighboursTest}, a class of its own so that the build can run the
 * two in different test JVMs.
 */
class SparkEquivalenceTest extends SparkEquivalence implements TableEquivalenceCases {}
