package io.switchboard.sip.stack;

import java.security.SecureRandom;
import java.text.ParseException;
import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.InvalidArgumentException;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipException;
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionAlreadyExistsException;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What answers the requests no {@link RequestHandler} claims, and takes what the {@link SipDispatcher}
 * finds no owner for: OPTIONS, which peers send to see whether we are up, gets 200 OK; INVITE, REGISTER
 * and MESSAGE get 403 Forbidden, as no part of the bundle took them, so nobody knows the sender, and an
 * unknown sender may not call, register or send through us (no open relay); ACK is never answered;
 * anything else gets 501 Not Implemented. Answers go through a server transaction, so that they return over the connection the
 * request came in on and a retransmitted request is answered again by the stack; a request the stack
 * makes no transaction for (a PUBLISH without Event, say) goes unanswered, like the malformed ones the
 * stack drops itself. The stack runs this on its own threads: nothing is thrown back to it.
 */
final class RefusingListener implements SipListener {
    private static final Logger LOG = LoggerFactory.getLogger(RefusingListener.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final MessageFactory messages;

    RefusingListener(MessageFactory messages) {
        this.messages = messages;
    }

    private static int statusFor(String method) {
        return switch (method) {
            case Request.OPTIONS -> Response.OK;
            case Request.INVITE, Request.REGISTER, Request.MESSAGE -> Response.FORBIDDEN;
            default -> Response.NOT_IMPLEMENTED;
        };
    }

    @Override
    public void processRequest(RequestEvent event) {
        Request request = event.getRequest();
        if (Request.ACK.equals(request.getMethod())) return;
        try {
            ServerTransaction transaction = event.getServerTransaction();
            if (transaction == null) transaction = ((SipProvider) event.getSource()).getNewServerTransaction(request);
            Response response = messages.createResponse(statusFor(request.getMethod()), request);
            ToHeader to = (ToHeader) response.getHeader(ToHeader.NAME);
            if (to.getTag() == null) to.setTag(Long.toHexString(RANDOM.nextLong()));
            transaction.sendResponse(response);
        } catch (TransactionAlreadyExistsException e) {
            // a retransmission that overtook its original: the original's transaction answers both
        } catch (SipException | ParseException | InvalidArgumentException | RuntimeException e) {
            // a peer's doing as often as ours, so no louder than the stack's own complaints
            LOG.debug("No answer to {} ({}): {}", request.getMethod(), request.getHeader(ViaHeader.NAME), e.toString());
        }
    }

    @Override
    public void processResponse(ResponseEvent event) {
        // a response whose transaction has no owner (ended already, or a stray): nobody waits for it
    }

    @Override
    public void processTimeout(TimeoutEvent event) {
        // a final response not acknowledged, or a request of no owner unanswered: it ends by itself
    }

    @Override
    public void processIOException(IOExceptionEvent event) {
        LOG.debug("SIP I/O error towards {}:{}/{}", event.getHost(), event.getPort(), event.getTransport());
    }

    @Override
    public void processTransactionTerminated(TransactionTerminatedEvent event) {
        // no state of ours to release
    }

    @Override
    public void processDialogTerminated(DialogTerminatedEvent event) {
        // no dialogs: automatic dialog support is off and none are made here
    }
}
