package io.switchboard.sip.stack;

import javax.sip.RequestEvent;

/**
 * A part of this bundle that takes incoming requests (the B2BUA's INVITEs, the registrar's REGISTERs).
 * The handlers added to {@link SipRuntime} are asked in the order they were added; a request none of them
 * claims is answered as before anyone existed (see {@link RefusingListener}). Called on the stack's
 * threads, several requests at once.
 */
@FunctionalInterface
public interface RequestHandler {

    /**
     * True when this handler takes the request, and with it the duty to answer it (through the event's
     * server transaction, or a new one from the provider); false leaves it to the next.
     */
    boolean handle(RequestEvent event);
}
