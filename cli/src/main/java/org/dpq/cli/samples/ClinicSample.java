package org.dpq.cli.samples;

import java.util.List;

/**
 * Patients visit clinics several times: each patient has an age, a sex and a home clinic, and each visit a
 * department, a month and a cost (log-normal, with rare expensive outliers above the declared bound). The
 * privacy unit is the patient.
 */
public final class ClinicSample implements Sample {
  static final String[] CLINICS = {"north", "south", "east", "west", "central", "harbor"};
  static final String[] DEPARTMENTS = {"general", "cardiology", "dermatology", "orthopedics", "pediatrics", "radiology"};
  private static final double[] DEPT_MEDIAN_COST = {90, 420, 150, 300, 110, 260};
  private static final double[] ADULT_DEPT = DataGenPrng.cumulative(45, 12, 10, 13, 2, 18);
  private static final double[] CHILD_DEPT = DataGenPrng.cumulative(35, 2, 6, 7, 45, 5);
  private static final double[] AGE_BAND = DataGenPrng.cumulative(18, 30, 32, 20); // 0-17, 18-39, 40-64, 65-99
  private static final int[] AGE_LOW = {0, 18, 40, 65};
  private static final int[] AGE_HIGH = {17, 39, 64, 99};

  private static final byte[][] CLINIC_TOKENS = tokens(CLINICS);
  private static final byte[][] DEPT_TOKENS = tokens(DEPARTMENTS);
  private static final byte[][] MONTH_TOKENS = tokens(Months.MONTHS);
  private static final byte[] FEMALE = CsvSink.token("F");
  private static final byte[] MALE = CsvSink.token("M");

  @Override
  public String name() {
    return "clinic";
  }

  @Override
  public String summary() {
    return "patients' visits to clinics with department, month and cost; unit patient_id";
  }

  @Override
  public List<String> columns() {
    return List.of("patient_id", "clinic", "department", "visit_month", "age", "sex", "cost");
  }

  @Override
  public String unitColumn() {
    return "patient_id";
  }

  @Override
  public UnitWriter writer(long rows, DataGenPrng rng) {
    return (unitId, maxRows, r, out) -> {
      int band = r.pick(AGE_BAND);
      int age = r.nextInt(AGE_LOW[band], AGE_HIGH[band]);
      byte[] sex = r.chance(0.52) ? FEMALE : MALE;
      int home = r.nextInt(CLINICS.length);
      double[] deptCdf = age < 18 ? CHILD_DEPT : ADULT_DEPT;
      // Older patients visit more often.
      int n = (int) Math.min(maxRows, r.oneplusGeometric(1.5 + age / 40.0, 40));
      for (int i = 0; i < n; i++) {
        int clinic = r.chance(0.85) ? home : r.nextInt(CLINICS.length);
        int dept = r.pick(deptCdf);
        double cost = DEPT_MEDIAN_COST[dept] * Math.exp(0.6 * r.nextStandardNormal());
        out.field(unitId);
        out.field(CLINIC_TOKENS[clinic]);
        out.field(DEPT_TOKENS[dept]);
        out.field(MONTH_TOKENS[r.nextInt(12)]);
        out.field(age);
        out.field(sex);
        out.fixed2(Math.round(cost * 100));
        out.endRow();
      }
      return n;
    };
  }

  static byte[][] tokens(String[] values) {
    byte[][] t = new byte[values.length][];
    for (int i = 0; i < values.length; i++) {
      t[i] = CsvSink.token(values[i]);
    }
    return t;
  }
}
