package io.switchboard.sip.stack;

import gov.nist.core.StackLogger;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stack's logger (its {@code gov.nist.javax.sip.STACK_LOGGER}), writing to SLF4J under
 * {@code gov.nist.javax.sip} so that no log4j is needed. The stack makes it by class name, hence public
 * with a public constructor.
 *
 * <p>Its levels go out one step lower: the stack reports what the network sends it as errors (each
 * malformed packet: "Error while processing incoming UDP packet", "Dropped Bad Msg") and routine facts as
 * warnings (no TLS key store, at every start), and logs at INFO for every message. Passed on as they are,
 * anyone who can send a datagram could fill the log. Its errors and warnings become INFO, its info DEBUG,
 * its debug TRACE; only its fatal errors stay errors.
 */
public final class Slf4jStackLogger implements StackLogger {
    private static final Logger LOG = LoggerFactory.getLogger("gov.nist.javax.sip");
    private volatile boolean enabled = true;

    public Slf4jStackLogger() {
        // made by the stack
    }

    @Override
    public boolean isLoggingEnabled() {
        return enabled;
    }

    @Override
    public boolean isLoggingEnabled(int level) {
        if (!enabled || level <= TRACE_NONE) return false;
        if (level <= TRACE_FATAL) return LOG.isErrorEnabled();
        if (level <= TRACE_WARN) return LOG.isInfoEnabled();
        if (level <= TRACE_INFO) return LOG.isDebugEnabled();
        return LOG.isTraceEnabled();
    }

    @Override
    public void logFatalError(String message) {
        if (enabled) LOG.error(message);
    }

    @Override
    public void logError(String message) {
        if (enabled) LOG.info(message);
    }

    @Override
    public void logError(String message, Exception ex) {
        if (enabled) LOG.info(message, ex);
    }

    @Override
    public void logException(Throwable ex) {
        if (enabled) LOG.info("", ex);
    }

    @Override
    public void logWarning(String message) {
        if (enabled) LOG.info(message);
    }

    @Override
    public void logInfo(String message) {
        if (enabled) LOG.debug(message);
    }

    @Override
    public void logDebug(String message) {
        if (enabled) LOG.trace(message);
    }

    @Override
    public void logDebug(String message, Exception ex) {
        if (enabled) LOG.trace(message, ex);
    }

    @Override
    public void logTrace(String message) {
        if (enabled) LOG.trace(message);
    }

    @Override
    public void logStackTrace() {
        if (enabled && LOG.isTraceEnabled()) LOG.trace("Stack trace", new Throwable());
    }

    @Override
    public void logStackTrace(int level) {
        if (isLoggingEnabled(level) && LOG.isTraceEnabled()) LOG.trace("Stack trace", new Throwable());
    }

    /** The stack's own switch ({@code SipStackImpl.disableLogging}). */
    @Override
    public void disableLogging() {
        enabled = false;
    }

    @Override
    public void enableLogging() {
        enabled = true;
    }

    @Override
    public int getLineCount() {
        return 0;
    }

    @Override
    public String getLoggerName() {
        return LOG.getName();
    }

    @Override
    public void setBuildTimeStamp(String buildTimeStamp) {
        // not logged
    }

    @Override
    public void setStackProperties(Properties stackProperties) {
        // levels come from the SLF4J configuration, not from TRACE_LEVEL
    }
}
