package org.dpq.cli;

/** The process exit codes fixed by DESIGN.md; scripts rely on them. */
public final class ExitCodes {
  /** Success. */
  public static final int OK = 0;
  /** An internal error (a bug): reported without data. */
  public static final int INTERNAL = 1;
  /** Bad usage: unknown or malformed flags, missing arguments, an invalid dataset file. */
  public static final int USAGE = 2;
  /** The query was rejected before any data access (nothing charged). */
  public static final int REJECTED = 3;
  /** The dataset's privacy budget cannot pay for the query (nothing charged, nothing released). */
  public static final int BUDGET_EXHAUSTED = 4;
  /** The backend or the data failed, or the ledger is damaged. */
  public static final int BACKEND = 5;

  private ExitCodes() {}
}
