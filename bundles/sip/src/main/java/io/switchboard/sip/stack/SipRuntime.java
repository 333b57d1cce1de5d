package io.switchboard.sip.stack;

import javax.sip.SipProvider;
import javax.sip.address.AddressFactory;
import javax.sip.header.HeaderFactory;
import javax.sip.message.MessageFactory;

/**
 * The runtime's one SIP stack, as the SIP features of this bundle (trunks, the B2BUA) use it: the provider
 * that sends and receives on the UDP and TCP listening points, and the factories for what it sends. A
 * service of this bundle only, so it speaks JAIN-SIP rather than the SDK.
 */
public interface SipRuntime {
    /** Sends over, and receives from, both listening points ({@code udp} and {@code tcp}, one address and port). */
    SipProvider provider();

    MessageFactory messageFactory();

    HeaderFactory headerFactory();

    AddressFactory addressFactory();
}
