package io.switchboard.sip.stack;

import java.time.Duration;
import javax.sip.ClientTransaction;
import javax.sip.SipException;
import javax.sip.SipProvider;
import javax.sip.address.AddressFactory;
import javax.sip.header.HeaderFactory;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;

/**
 * The runtime's one SIP stack, as the SIP features of this bundle (trunks, the B2BUA) use it: the provider
 * that sends and receives on the UDP and TCP listening points, and the factories for what it sends. A
 * service of this bundle only, so it speaks JAIN-SIP rather than the SDK.
 *
 * <p>The provider has one listener, the stack's: requests go out through {@link #send}, which makes the
 * sender the owner of the transaction and of what comes back for it, and incoming requests go to the
 * {@link RequestHandler}s added here.
 */
public interface SipRuntime {
    /** RFC 3261's T1, the base of a transaction's retransmissions and of its timeout (64 T1). */
    Duration DEFAULT_T1 = Duration.ofMillis(500);

    /** Sends over, and receives from, both listening points ({@code udp} and {@code tcp}, one address and port). */
    SipProvider provider();

    MessageFactory messageFactory();

    HeaderFactory headerFactory();

    AddressFactory addressFactory();

    /**
     * Sends {@code request} in a new client transaction owned by {@code owner}, which hears its responses,
     * its timeout and its I/O errors; {@code t1} sets its retransmission base (a shorter one gives up
     * sooner: after 64 {@code t1}). The owner may hear of the transaction before this returns. A
     * SipException when it cannot be sent now (a TCP connection refused, say): the owner hears nothing then.
     */
    ClientTransaction send(Request request, ClientCallback owner, Duration t1) throws SipException;

    /** Asks {@code handler} about incoming requests from now on, after those added before it. */
    void addRequestHandler(RequestHandler handler);

    void removeRequestHandler(RequestHandler handler);
}
