package io.switchboard.sip.device;

import java.security.SecureRandom;
import java.text.ParseException;
import javax.sip.InvalidArgumentException;
import javax.sip.RequestEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipException;
import javax.sip.SipProvider;
import javax.sip.TransactionAlreadyExistsException;
import javax.sip.header.ToHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Answering a phone's request through a server transaction, so that a retransmission is answered again. */
final class ServerAnswers {
    private static final Logger LOG = LoggerFactory.getLogger(ServerAnswers.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private ServerAnswers() {}

    /** The event's server transaction, else a new one; null when the request's original has one already. */
    static ServerTransaction transaction(RequestEvent event, SipProvider provider) throws SipException {
        if (event.getServerTransaction() != null) return event.getServerTransaction();
        SipProvider source = event.getSource() instanceof SipProvider p ? p : provider;
        try {
            return source.getNewServerTransaction(event.getRequest());
        } catch (TransactionAlreadyExistsException e) {
            return null;
        }
    }

    /** A final response to {@code request} with a To tag of ours (RFC 3261 8.2.6.2). */
    static Response create(MessageFactory messages, int status, Request request) throws ParseException {
        Response response = messages.createResponse(status, request);
        ToHeader to = (ToHeader) response.getHeader(ToHeader.NAME);
        if (to != null && to.getTag() == null) to.setTag(Long.toHexString(RANDOM.nextLong()));
        return response;
    }

    /** Sends; a failure is the peer's as often as ours, so it is only logged. */
    static void send(ServerTransaction transaction, Response response) {
        try {
            transaction.sendResponse(response);
        } catch (SipException | InvalidArgumentException | RuntimeException e) {
            LOG.debug("No {} to {}: {}", response.getStatusCode(), transaction.getRequest().getMethod(), e.toString());
        }
    }
}
