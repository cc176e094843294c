package org.dpq.mechanisms;

/**
 * The two noise families dpq releases with. Owns nothing by itself; it names which privacy guarantee a
 * {@link NoiseMechanism} gives: LAPLACE is pure epsilon-DP, GAUSSIAN is (epsilon, delta)-DP.
 */
public enum MechanismKind {
  /** Discrete Laplace noise: pure epsilon-DP for L1 sensitivity. */
  LAPLACE,
  /** Discrete Gaussian noise: (epsilon, delta)-DP for L2 sensitivity. */
  GAUSSIAN
}
