package io.switchboard.sip.stack;

import gov.nist.core.ServerLogger;
import gov.nist.javax.sip.message.SIPMessage;
import java.util.Properties;
import javax.sip.SipStack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stack's message log (its {@code gov.nist.javax.sip.SERVER_LOGGER}): every SIP message sent and
 * received, at DEBUG under {@code gov.nist.javax.sip.messages}, instead of a log file of its own. The stack
 * makes it by class name, hence public with a public constructor.
 */
public final class Slf4jServerLogger implements ServerLogger {
    private static final Logger LOG = LoggerFactory.getLogger("gov.nist.javax.sip.messages");

    public Slf4jServerLogger() {
        // made by the stack
    }

    @Override
    public void logMessage(SIPMessage message, String from, String to, boolean sender, long time) {
        logMessage(message, from, to, null, sender);
    }

    @Override
    public void logMessage(SIPMessage message, String from, String to, String status, boolean sender, long time) {
        logMessage(message, from, to, status, sender);
    }

    @Override
    public void logMessage(SIPMessage message, String from, String to, String status, boolean sender) {
        if (LOG.isDebugEnabled()) {
            LOG.debug("{} {} -> {}{}\n{}", sender ? "sent" : "received", from, to,
                    status == null ? "" : " (" + status + ")", message.encode());
        }
    }

    @Override
    public void logException(Exception ex) {
        LOG.debug("", ex);
    }

    @Override
    public void closeLogFile() {
        // no file
    }

    @Override
    public void setStackProperties(Properties stackProperties) {
        // levels come from the SLF4J configuration
    }

    @Override
    public void setSipStack(SipStack sipStack) {
        // not needed to log
    }
}
