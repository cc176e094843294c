package org.dpq.mechanisms;

/** A two-sided interval [low, high] from a noise distribution. */
public record Interval(double low, double high) {}
