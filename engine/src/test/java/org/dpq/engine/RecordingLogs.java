package org.dpq.engine;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * A test-only SLF4J 2 provider that keeps every formatted message of dpq's loggers in memory, so tests can read
 * what dpq logs. Chosen by {@code -Dslf4j.provider} in the engine's surefire configuration (not registered as a
 * service, so that modules using the engine test-jar keep their own provider).
 */
public final class RecordingLogs implements SLF4JServiceProvider {
  private static final List<String> LINES = new CopyOnWriteArrayList<>();

  private final ILoggerFactory loggers = RecordingLogger::new;
  private final IMarkerFactory markers = new BasicMarkerFactory();
  private final MDCAdapter mdc = new NOPMDCAdapter();

  /** Every message logged by an {@code org.dpq} logger so far, as {@code LEVEL logger: message}. */
  public static List<String> lines() {
    return List.copyOf(LINES);
  }

  @Override
  public ILoggerFactory getLoggerFactory() {
    return loggers;
  }

  @Override
  public IMarkerFactory getMarkerFactory() {
    return markers;
  }

  @Override
  public MDCAdapter getMDCAdapter() {
    return mdc;
  }

  @Override
  public String getRequestedApiVersion() {
    return "2.0.99";
  }

  @Override
  public void initialize() {
    // nothing to set up
  }

  private static final class RecordingLogger extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;

    RecordingLogger(String name) {
      this.name = name;
    }

    private boolean ours() {
      return name.startsWith("org.dpq");
    }

    @Override
    public boolean isTraceEnabled() {
      return ours();
    }

    @Override
    public boolean isDebugEnabled() {
      return ours();
    }

    @Override
    public boolean isInfoEnabled() {
      return ours();
    }

    @Override
    public boolean isWarnEnabled() {
      return ours();
    }

    @Override
    public boolean isErrorEnabled() {
      return ours();
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] arguments,
        Throwable throwable) {
      LINES.add(level + " " + name + ": " + MessageFormatter.basicArrayFormat(pattern, arguments)
          + (throwable == null ? "" : " [" + throwable.getClass().getName() + "]"));
    }
  }
}
