package org.dpq.e2e.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * An empirical lower bound on the epsilon of a whole release. (epsilon, delta)-DP implies, for every output event
 * E and neighbours D, D', {@code P_D(E) <= e^epsilon P_D'(E) + delta} in both directions, so with Clopper-Pearson
 * bounds {@code epsilon >= ln((lower(P_D(E)) - delta) / upper(P_D'(E)))}. Each event is tested in both directions;
 * a Bonferroni split of {@code alpha} over all the bounds keeps the chance that the reported lower bound exceeds
 * the true epsilon at most {@code alpha}. The events must be fixed before the samples are drawn.
 */
public final class EpsilonAudit {
  /** A named output event over one release (its released numbers, in a fixed order). */
  public record Event(String name, Predicate<double[]> holds) {}

  /**
   * The audit's result: the largest lower bound and the event and direction that gave it.
   *
   * @param epsilonLowerBound the largest lower confidence bound on epsilon over the events (0 without evidence)
   * @param event the event that gave it
   * @param counts "k/n on the first dataset vs k/n on the second", for the report
   */
  public record Result(double epsilonLowerBound, String event, String counts) {}

  private EpsilonAudit() {}

  /** The audit of {@code onD} against {@code onNeighbour} over {@code events}. */
  public static Result lowerBound(List<double[]> onD, List<double[]> onNeighbour, List<Event> events, double delta,
      double alpha) {
    int bounds = events.size() * 2 * 2; // each event in both directions, each needing a lower and an upper bound
    double a = alpha / bounds;
    Result best = new Result(0, "none", "");
    for (Event e : events) {
      long k1 = count(onD, e);
      long k2 = count(onNeighbour, e);
      List<Result> both = new ArrayList<>();
      both.add(new Result(bound(k1, onD.size(), k2, onNeighbour.size(), delta, a), e.name() + " (D over D')",
          k1 + "/" + onD.size() + " vs " + k2 + "/" + onNeighbour.size()));
      both.add(new Result(bound(k2, onNeighbour.size(), k1, onD.size(), delta, a), e.name() + " (D' over D)",
          k2 + "/" + onNeighbour.size() + " vs " + k1 + "/" + onD.size()));
      for (Result r : both) {
        if (r.epsilonLowerBound() > best.epsilonLowerBound()) {
          best = r;
        }
      }
    }
    return best;
  }

  private static double bound(long kNum, int nNum, long kDen, int nDen, double delta, double a) {
    double lower = ClopperPearson.lower(kNum, nNum, a) - delta;
    double upper = ClopperPearson.upper(kDen, nDen, a);
    return lower <= 0 ? 0 : Math.max(0, Math.log(lower / upper));
  }

  private static long count(List<double[]> samples, Event e) {
    return samples.stream().filter(e.holds()).count();
  }
}
