package io.switchboard.sip.stack;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A 2xx to an INVITE of ours that no dialog takes: the far end answered as our CANCEL crossed it, and
 * the transaction or dialog was over by then (a proxy's 487 came first, say). The call is up at the
 * far end all the same, so it is acknowledged and hung up in the dialog the 2xx itself makes (RFC 3261
 * 13.2.2.4; see {@link DialogRequests#asUac}). Every copy of the 2xx gets its ACK; the BYE goes once.
 */
public final class AnsweredElsewhere {
    private static final Logger LOG = LoggerFactory.getLogger(AnsweredElsewhere.class);
    /** How long a hung-up dialog is remembered, so that the 2xx's retransmissions get no second BYE. */
    private static final long REMEMBER_MS = 64 * SipRuntime.DEFAULT_T1.toMillis();

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
            sip.provider().sendRequest(DialogRequests.asUac(sip, response, Request.ACK, cseq.getSeqNumber()));
            long now = System.currentTimeMillis();
            hungUp.values().removeIf(at -> now - at > REMEMBER_MS);
            if (hungUp.putIfAbsent(dialog, now) == null) {
                sip.send(DialogRequests.asUac(sip, response, Request.BYE, cseq.getSeqNumber() + 1), ClientCallback.NONE,
                        SipRuntime.DEFAULT_T1);
                LOG.info("A 2xx no dialog takes ({}) acknowledged and hung up", dialog);
            }
        } catch (Exception e) {
            LOG.info("A 2xx no dialog takes ({}) not acknowledged: {}", dialog, e.toString());
        }
        return true;
    }
}
