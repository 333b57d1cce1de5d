package io.switchboard.sip.stack;

import javax.sip.ClientTransaction;
import javax.sip.ResponseEvent;

/**
 * The owner of a request sent through {@link SipRuntime#send}: the stack has one listener for everything,
 * so each client transaction carries its owner (as its application data) and the {@link SipDispatcher}
 * hands the owner what happens to it. Called on the stack's threads, one event at a time per transaction
 * but several transactions at once; whatever is thrown is logged and dropped, never given to the stack.
 */
public interface ClientCallback {

    /** How a transaction ended without a final response. */
    enum Failure {
        /** No final response in time (Timer B or F: 64 T1, 32 s at the default T1 of 500 ms). */
        TIMEOUT,
        /** The stack could not send, or lost the connection the request went out on. */
        TRANSPORT
    }

    /** For a request whose outcome changes nothing (a BYE of a call already over, say). */
    ClientCallback NONE = new ClientCallback() {
        @Override public void response(ResponseEvent event) {}

        @Override public void failed(ClientTransaction transaction, Failure failure) {}
    };

    /** A response to the request: provisional ones too, then the final one (and retransmissions of it). */
    void response(ResponseEvent event);

    /** The transaction ended without a final response. */
    void failed(ClientTransaction transaction, Failure failure);
}
