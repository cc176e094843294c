package org.dpq.cli.samples;

import java.util.List;

/**
 * Card transactions: each customer makes many purchases, mostly at a handful of favourite merchants; each
 * merchant has one category, and amounts are log-normal around the category's typical spend. The privacy unit
 * is the customer.
 */
public final class TransactionsSample implements Sample {
  static final String[] CATEGORIES = {"grocery", "restaurants", "travel", "fuel", "online", "entertainment",
      "health", "utilities"};
  private static final double[] CATEGORY_WEIGHT = {30, 20, 4, 12, 16, 8, 5, 5};
  private static final double[] MEDIAN_AMOUNT = {42, 28, 310, 55, 48, 35, 70, 110};
  private static final byte[][] CATEGORY_TOKENS = ClinicSample.tokens(CATEGORIES);
  private static final byte[][] MONTH_TOKENS = ClinicSample.tokens(Months.MONTHS);
  private static final byte[] ONLINE = CsvSink.token("online");
  private static final byte[] IN_STORE = CsvSink.token("in_store");
  private static final int ONLINE_CATEGORY = 4;

  @Override
  public String name() {
    return "transactions";
  }

  @Override
  public String summary() {
    return "card transactions with merchant, category, channel, month and amount; unit customer_id";
  }

  @Override
  public List<String> columns() {
    return List.of("customer_id", "merchant", "category", "channel", "month", "amount");
  }

  @Override
  public String unitColumn() {
    return "customer_id";
  }

  @Override
  public UnitWriter writer(long rows, DataGenPrng rng) {
    int merchants = (int) Math.max(50, Math.min(50_000, rows / 40));
    double[] categoryCdf = DataGenPrng.cumulative(CATEGORY_WEIGHT);
    int[] merchantCategory = new int[merchants];
    byte[][] merchantTokens = new byte[merchants][];
    for (int m = 0; m < merchants; m++) {
      merchantCategory[m] = rng.pick(categoryCdf);
      merchantTokens[m] = CsvSink.token(String.format("m%05d", m + 1));
    }
    return (unitId, maxRows, r, out) -> {
      int n = (int) Math.min(maxRows, r.oneplusGeometric(24, 300));
      int[] favourites = new int[r.nextInt(3, 8)];
      for (int i = 0; i < favourites.length; i++) {
        favourites[i] = popularMerchant(merchants, r);
      }
      double spendLevel = Math.exp(0.4 * r.nextStandardNormal()); // some customers spend more everywhere
      for (int i = 0; i < n; i++) {
        int m = r.chance(0.7) ? favourites[r.nextInt(favourites.length)] : popularMerchant(merchants, r);
        int category = merchantCategory[m];
        boolean online = category == ONLINE_CATEGORY || r.chance(0.2);
        double amount = MEDIAN_AMOUNT[category] * spendLevel * Math.exp(0.7 * r.nextStandardNormal());
        out.field(unitId);
        out.field(merchantTokens[m]);
        out.field(CATEGORY_TOKENS[category]);
        out.field(online ? ONLINE : IN_STORE);
        out.field(MONTH_TOKENS[r.nextInt(12)]);
        out.fixed2(Math.max(1, Math.round(amount * 100)));
        out.endRow();
      }
      return n;
    };
  }

  private static int popularMerchant(int merchants, DataGenPrng r) {
    double u = r.nextDouble();
    return (int) (merchants * u * u * u);
  }
}
