package org.dpq.mechanisms;

/** The noise mechanisms dpq releases with. */
public enum MechanismKind { LAPLACE, GAUSSIAN }
