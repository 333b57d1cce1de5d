package io.switchboard.sip.stack;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.ListIterator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sip.ClientTransaction;
import javax.sip.ListeningPoint;
import javax.sip.ResponseEvent;
import javax.sip.SipException;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.RecordRouteHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A 2xx to an INVITE of ours that no dialog takes: the far end answered as our CANCEL crossed it, and
 * the transaction or dialog was over by then (a proxy's 487 came first, say). The call is up at the
 * far end all the same, so it is acknowledged and hung up in the dialog the 2xx itself makes (RFC 3261
 * 13.2.2.4, 12.1.2): to its Contact, over its Record-Route reversed, with its tags. Every copy of the
 * 2xx gets its ACK; the BYE goes once.
 */
public final class AnsweredElsewhere {
    private static final Logger LOG = LoggerFactory.getLogger(AnsweredElsewhere.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    /** How long a hung-up dialog is remembered, so that the 2xx's retransmissions get no second BYE. */
    private static final long REMEMBER_MS = 64 * SipRuntime.DEFAULT_T1.toMillis();
    private static final ClientCallback IGNORED = new ClientCallback() {
        @Override public void response(ResponseEvent event) {}

        @Override public void failed(ClientTransaction transaction, Failure failure) {}
    };

    private final SipRuntime sip;
    private final Map<String, Long> hungUp = new ConcurrentHashMap<>();

    public AnsweredElsewhere(SipRuntime sip) {
        this.sip = sip;
    }

    /** True when {@code response} is a 2xx to an INVITE: then it has been acknowledged (and hung up) here. */
    public boolean take(Response response) {
        CSeqHeader cseq = (CSeqHeader) response.getHeader(CSeqHeader.NAME);
        if (response.getStatusCode() / 100 != 2 || cseq == null || !Request.INVITE.equals(cseq.getMethod())) return false;
        String dialog = ((CallIdHeader) response.getHeader(CallIdHeader.NAME)).getCallId() + ";"
                + ((ToHeader) response.getHeader(ToHeader.NAME)).getTag();
        try {
            sip.provider().sendRequest(inDialogOf(sip, response, Request.ACK, cseq.getSeqNumber()));
            long now = System.currentTimeMillis();
            hungUp.values().removeIf(at -> now - at > REMEMBER_MS);
            if (hungUp.putIfAbsent(dialog, now) == null) {
                sip.send(inDialogOf(sip, response, Request.BYE, cseq.getSeqNumber() + 1), IGNORED, SipRuntime.DEFAULT_T1);
                LOG.info("A 2xx no dialog takes ({}) acknowledged and hung up", dialog);
            }
        } catch (Exception e) {
            LOG.info("A 2xx no dialog takes ({}) not acknowledged: {}", dialog, e.toString());
        }
        return true;
    }

    /** A request of ours in the dialog the 2xx {@code ok} makes, as its UAC (RFC 3261 12.1.2, 12.2.1.1). */
    public static Request inDialogOf(SipRuntime sip, Response ok, String method, long cseq) throws Exception {
        ContactHeader contact = (ContactHeader) ok.getHeader(ContactHeader.NAME);
        if (contact == null) throw new SipException("the 2xx names no Contact");
        String transport = ((ViaHeader) ok.getHeader(ViaHeader.NAME)).getTransport().toLowerCase(Locale.ROOT);
        ListeningPoint lp = sip.provider().getListeningPoint(transport);
        if (lp == null) throw new SipException("no listening point for " + transport);
        HeaderFactory headers = sip.headerFactory();
        ViaHeader via = headers.createViaHeader(lp.getIPAddress(), lp.getPort(), transport,
                "z9hG4bK" + Long.toHexString(RANDOM.nextLong()));
        Request r = sip.messageFactory().createRequest(contact.getAddress().getURI(), method,
                (CallIdHeader) ok.getHeader(CallIdHeader.NAME).clone(), headers.createCSeqHeader(cseq, method),
                (FromHeader) ok.getHeader(FromHeader.NAME).clone(), (ToHeader) ok.getHeader(ToHeader.NAME).clone(),
                List.of(via), headers.createMaxForwardsHeader(70));
        List<RecordRouteHeader> recordRoutes = new ArrayList<>();
        ListIterator<?> it = ok.getHeaders(RecordRouteHeader.NAME);
        while (it.hasNext()) recordRoutes.add((RecordRouteHeader) it.next());
        Collections.reverse(recordRoutes);
        for (RecordRouteHeader rr : recordRoutes) r.addHeader(headers.createRouteHeader(rr.getAddress()));
        return r;
    }
}
