package org.dpq.spark;

import org.dpq.engine.execution.NeighbourEquivalenceCases;

/**
 * The cross-backend contract's half over neighbouring data and the shop's joins ({@link NeighbourEquivalenceCases})
 * on DuckDB, PostgreSQL and local Spark; the single-table half is {@link SparkEquivalenceTest}.
 */
class SparkEquivalenceNeighboursTest extends SparkEquivalence implements NeighbourEquivalenceCases {}
