package org.dpq.cli.samples;

import java.util.List;

/**
 * Users rate products from 1 to 5: about 80% fours and 20% threes (the classic worked example), each user rating
 * a few products, mostly with their personal habit. The privacy unit is the user.
 */
public final class RatingsSample implements Sample {
  private static final double[] HABIT = DataGenPrng.cumulative(0.2, 0.8); // 3 or 4
  private static final double KEEPS_HABIT = 0.85;

  @Override
  public String name() {
    return "ratings";
  }

  @Override
  public String summary() {
    return "users rate products 1 to 5 (about 80% fours, 20% threes); unit user_id";
  }

  @Override
  public List<String> columns() {
    return List.of("user_id", "product_id", "rating");
  }

  @Override
  public String unitColumn() {
    return "user_id";
  }

  @Override
  public UnitWriter writer(long rows, DataGenPrng rng) {
    int products = (int) Math.max(20, Math.min(100_000, rows / 20));
    return (unitId, maxRows, r, out) -> {
      int n = (int) Math.min(maxRows, r.oneplusGeometric(1.5, 25));
      int habit = 3 + r.pick(HABIT);
      int[] rated = new int[n];
      for (int i = 0; i < n; i++) {
        int product;
        boolean repeat;
        do {
          double u = r.nextDouble();
          product = 1 + (int) (products * u * u); // popular products get most ratings
          repeat = false;
          for (int j = 0; j < i; j++) {
            repeat |= rated[j] == product;
          }
        } while (repeat && n < products / 2);
        rated[i] = product;
        int rating = r.chance(KEEPS_HABIT) ? habit : 3 + r.pick(HABIT);
        out.field(unitId);
        out.field(product);
        out.field(rating);
        out.endRow();
      }
      return n;
    };
  }
}
