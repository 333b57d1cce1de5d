package io.switchboard.sip.stack;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sip.ClientTransaction;
import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.SipListener;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionTerminatedEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provider's one listener (JAIN-SIP allows one per provider), shared by the parts of this bundle that
 * use the stack. What comes back for a request we sent goes to the {@link ClientCallback} its client
 * transaction carries; an incoming request goes to the first {@link RequestHandler} that claims it, else
 * (or when a handler throws) to the {@link RefusingListener}, as does anything nobody owns (a stray response, a server transaction's
 * timeout, an I/O error of no transaction of ours). Nothing thrown by an owner reaches the stack.
 */
final class SipDispatcher implements SipListener {
    private static final Logger LOG = LoggerFactory.getLogger(SipDispatcher.class);

    private final RefusingListener refusing;
    private final List<RequestHandler> handlers = new CopyOnWriteArrayList<>();

    SipDispatcher(RefusingListener refusing) {
        this.refusing = refusing;
    }

    void add(RequestHandler handler) {
        handlers.add(handler);
    }

    void remove(RequestHandler handler) {
        handlers.remove(handler);
    }

    @Override
    public void processRequest(RequestEvent event) {
        for (RequestHandler handler : handlers) {
            try {
                if (handler.handle(event)) return;
            } catch (RuntimeException e) {
                // a refusal is better than silence, and finds the transaction taken if the handler answered
                LOG.warn("A SIP request handler failed on {}: {}", event.getRequest().getMethod(), e.toString(), e);
                break;
            }
        }
        refusing.processRequest(event);
    }

    /** From when the provider exists: what takes a 2xx to an INVITE that nobody owns. */
    private volatile AnsweredElsewhere strays;

    void strays(AnsweredElsewhere strays) {
        this.strays = strays;
    }

    @Override
    public void processResponse(ResponseEvent event) {
        ClientCallback owner = owner(event.getClientTransaction());
        if (owner == null) {
            AnsweredElsewhere s = strays;
            if (s == null || !s.take(event.getResponse())) refusing.processResponse(event);
            return;
        }
        try {
            owner.response(event);
        } catch (RuntimeException e) {
            LOG.warn("The owner of a SIP transaction failed on its response: {}", e.toString(), e);
        }
    }

    @Override
    public void processTimeout(TimeoutEvent event) {
        ClientCallback owner = event.isServerTransaction() ? null : owner(event.getClientTransaction());
        if (owner == null) refusing.processTimeout(event);
        else fail(owner, event.getClientTransaction(), ClientCallback.Failure.TIMEOUT);
    }

    /** The stack raises a transaction's I/O error with the transaction as the event's source. */
    @Override
    public void processIOException(IOExceptionEvent event) {
        ClientTransaction transaction = event.getSource() instanceof ClientTransaction t ? t : null;
        ClientCallback owner = owner(transaction);
        if (owner == null) refusing.processIOException(event);
        else fail(owner, transaction, ClientCallback.Failure.TRANSPORT);
    }

    @Override
    public void processTransactionTerminated(TransactionTerminatedEvent event) {
        refusing.processTransactionTerminated(event);
    }

    @Override
    public void processDialogTerminated(DialogTerminatedEvent event) {
        refusing.processDialogTerminated(event);
    }

    private static ClientCallback owner(ClientTransaction transaction) {
        return transaction != null && transaction.getApplicationData() instanceof ClientCallback c ? c : null;
    }

    private static void fail(ClientCallback owner, ClientTransaction transaction, ClientCallback.Failure failure) {
        try {
            owner.failed(transaction, failure);
        } catch (RuntimeException e) {
            LOG.warn("The owner of a SIP transaction failed on its {}: {}", failure, e.toString(), e);
        }
    }
}
