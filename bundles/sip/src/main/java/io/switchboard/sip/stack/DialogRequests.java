package io.switchboard.sip.stack;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.ListIterator;
import java.util.Locale;
import javax.sip.ListeningPoint;
import javax.sip.SipException;
import javax.sip.address.Address;
import javax.sip.address.URI;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.RecordRouteHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Message;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * Requests in a dialog the stack holds no usable state for, made from the message that set the dialog
 * up (RFC 3261 12.1): the ACK and BYE of a 2xx that came outside a dialog of ours (as its UAC), and the
 * BYE of an answer never acknowledged (as its UAS, whose dialog the stack confirms only on the ACK).
 */
public final class DialogRequests {
    private static final SecureRandom RANDOM = new SecureRandom();

    private DialogRequests() {}

    /** As the UAC of the 2xx {@code ok}: to its Contact, over its Record-Route reversed, its tags kept. */
    public static Request asUac(SipRuntime sip, Response ok, String method, long cseq) throws Exception {
        FromHeader from = (FromHeader) ok.getHeader(FromHeader.NAME);
        ToHeader to = (ToHeader) ok.getHeader(ToHeader.NAME);
        List<Address> routes = recordRoute(ok);
        Collections.reverse(routes);
        return request(sip, ok, contact(ok), method, cseq, from.getAddress(), from.getTag(), to.getAddress(), to.getTag(),
                routes);
    }

    /**
     * As the UAS of {@code invite}, answered with the To tag {@code ourTag}: to its Contact, over its
     * Record-Route as it came, From and To swapped.
     */
    public static Request asUas(SipRuntime sip, Request invite, String ourTag, String method, long cseq) throws Exception {
        FromHeader caller = (FromHeader) invite.getHeader(FromHeader.NAME);
        ToHeader us = (ToHeader) invite.getHeader(ToHeader.NAME);
        return request(sip, invite, contact(invite), method, cseq, us.getAddress(), ourTag, caller.getAddress(),
                caller.getTag(), recordRoute(invite));
    }

    private static Request request(SipRuntime sip, Message from, URI target, String method, long cseq, Address local,
                                   String localTag, Address remote, String remoteTag, List<Address> routes)
            throws Exception {
        String transport = ((ViaHeader) from.getHeader(ViaHeader.NAME)).getTransport().toLowerCase(Locale.ROOT);
        ListeningPoint lp = sip.provider().getListeningPoint(transport);
        if (lp == null) throw new SipException("no listening point for " + transport);
        HeaderFactory headers = sip.headerFactory();
        ViaHeader via = headers.createViaHeader(lp.getIPAddress(), lp.getPort(), transport,
                "z9hG4bK" + Long.toHexString(RANDOM.nextLong()));
        Request r = sip.messageFactory().createRequest(target, method,
                (CallIdHeader) from.getHeader(CallIdHeader.NAME).clone(), headers.createCSeqHeader(cseq, method),
                headers.createFromHeader(local, localTag), headers.createToHeader(remote, remoteTag), List.of(via),
                headers.createMaxForwardsHeader(70));
        for (Address route : routes) r.addHeader(headers.createRouteHeader(route));
        return r;
    }

    private static URI contact(Message m) throws SipException {
        ContactHeader contact = (ContactHeader) m.getHeader(ContactHeader.NAME);
        if (contact == null) throw new SipException("the " + (m instanceof Request ? "request" : "2xx") + " names no Contact");
        return contact.getAddress().getURI();
    }

    private static List<Address> recordRoute(Message m) {
        List<Address> out = new ArrayList<>();
        ListIterator<?> it = m.getHeaders(RecordRouteHeader.NAME);
        while (it.hasNext()) out.add(((RecordRouteHeader) it.next()).getAddress());
        return out;
    }
}
