package org.dpq.cli;

/** A usage problem found after parsing (e.g. a --dataset file that does not exist); exits with code 2. */
public final class CliUsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CliUsageException(String message) {
    super(message);
  }
}
