package io.switchboard.sip.trunk;

import io.switchboard.sip.stack.SipRuntime;
import java.text.ParseException;
import java.util.List;
import java.util.Locale;
import javax.sip.InvalidArgumentException;
import javax.sip.ListeningPoint;
import javax.sip.address.Address;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.header.HeaderFactory;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;

/**
 * Requests to a trunk's PBX, sent to {@code host:port} over the trunk's transport from our listening point
 * of that transport. The request URI carries {@code transport=tcp} for TCP, which is what makes the stack
 * open a connection instead of sending a datagram.
 */
final class TrunkRequests {
    private TrunkRequests() {}

    /** {@code host:port/transport}, as errors and logs name the PBX. */
    static String where(Trunk t) {
        return t.host() + ":" + t.port() + "/" + transport(t);
    }

    static String transport(Trunk t) {
        return t.transport().name().toLowerCase(Locale.ROOT);
    }

    /** Our listening point of the trunk's transport: Via and Contact name it. */
    static ListeningPoint local(SipRuntime sip, Trunk t) {
        return sip.provider().getListeningPoint(transport(t));
    }

    /** {@code sip:host:port}, with {@code ;transport=tcp} over TCP. */
    static SipURI target(SipRuntime sip, Trunk t) throws ParseException {
        SipURI uri = sip.addressFactory().createSipURI(null, t.host());
        uri.setPort(t.port());
        if (t.transport() == Trunk.Transport.TCP) uri.setTransportParam(ListeningPoint.TCP);
        return uri;
    }

    /** {@code sip:user@ourAddress:ourPort}, with {@code ;transport=tcp} over TCP. */
    static SipURI contact(SipRuntime sip, Trunk t, String user) throws ParseException {
        ListeningPoint lp = local(sip, t);
        SipURI uri = sip.addressFactory().createSipURI(user, lp.getIPAddress());
        uri.setPort(lp.getPort());
        if (t.transport() == Trunk.Transport.TCP) uri.setTransportParam(ListeningPoint.TCP);
        return uri;
    }

    /** A request with the headers every request needs; the stack adds the Via branch. */
    static Request create(SipRuntime sip, Trunk t, String method, SipURI requestUri, Address from, String fromTag,
                          Address to, String callId, long cseq) throws ParseException, InvalidArgumentException {
        HeaderFactory headers = sip.headerFactory();
        ListeningPoint lp = local(sip, t);
        ViaHeader via = headers.createViaHeader(lp.getIPAddress(), lp.getPort(), lp.getTransport(), null);
        via.setRPort();
        Request request = sip.messageFactory().createRequest(requestUri, method, headers.createCallIdHeader(callId),
                headers.createCSeqHeader(cseq, method), headers.createFromHeader(from, fromTag),
                headers.createToHeader(to, null), List.of(via), headers.createMaxForwardsHeader(70));
        request.addHeader(headers.createUserAgentHeader(List.of("Switchboard")));
        return request;
    }

    /** {@code sip:user@host}, the address of record of a register trunk (or our name in a probe). */
    static Address addressOfRecord(AddressFactory addresses, String user, String host) throws ParseException {
        return addresses.createAddress(addresses.createSipURI(user, host));
    }
}
