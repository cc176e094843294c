package org.dpq.errors;

import java.util.EnumSet;
import java.util.Set;

/**
 * Every failure dpq reports on purpose, as one closed family: a caller that catches {@code DpqException} has
 * handled every kind, and a caller that catches one kind never catches another (catching a corrupt ledger does
 * not also catch an exhausted budget). Owns the rule that these messages name the problem and its fix without
 * any data value, any released result or any command-line flag (front ends add their own spelling of a fix
 * from {@link #parameters()}).
 *
 * <p>The family is sealed, and a sealed class in the unnamed module (the class path) may only permit classes of
 * its own package, compiled with it. It therefore lives in this one package of the lowest module, which every
 * module that throws one of its kinds (mechanisms, budget, engine, spark) depends on.
 */
public abstract sealed class DpqException extends RuntimeException
    permits QueryRejectedException, InvalidPrivacyParameterException, BudgetExhaustedException, BackendException,
        LedgerException, DatasetValidationException {
  private static final long serialVersionUID = 1L;

  private final transient Set<QueryParameter> parameters;

  DpqException(String message, Set<QueryParameter> parameters, Throwable cause) {
    super(message, cause);
    this.parameters = parameters.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(parameters));
  }

  /** The per-query parameters whose change would fix the failure (empty when none would). */
  public Set<QueryParameter> parameters() {
    return parameters == null ? Set.of() : parameters;
  }
}
