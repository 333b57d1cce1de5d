package io.switchboard.sip.b2bua;

import io.switchboard.sdk.accounts.AccountInfo;
import io.switchboard.sdk.calls.CallBridge;
import io.switchboard.sdk.calls.CallGateway;
import io.switchboard.sdk.calls.CallRefusedException;
import io.switchboard.sip.stack.ClientCallback;
import io.switchboard.sip.stack.DialogRequests;
import io.switchboard.sip.stack.SipRuntime;
import io.switchboard.sip.trunk.Trunk;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.ListeningPoint;
import javax.sip.RequestEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipProvider;
import javax.sip.address.SipURI;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;

/**
 * One call from a PBX or a SIP phone: the UAS side of the B2BUA. It answers the INVITE with what the calls feature
 * reports (180 when the callee's devices ring, 183 with early media, 200 with the answer, or a final
 * refusal), and carries CANCEL and BYE from the PBX to the calls feature and BYE back when the callee
 * hangs up. Its steps are taken under its own lock; the calls feature is only called outside it.
 */
final class InboundCall implements CallBridge.Listener {
    private static final Logger LOG = InboundCalls.log();
    private static final SecureRandom RANDOM = new SecureRandom();

    private enum State { TRYING, RINGING, ANSWERED, OVER }

    private final InboundCalls owner;
    private final ServerTransaction invite;
    /** The account the call comes from: a trunk's company, or a phone's user. */
    private final String callerId;
    /** Where it comes from, for the log: a trunk or a phone. */
    private final String origin;
    /** The trunk it came over (it holds one of its channels); null for a call from a phone. */
    private final Trunk overTrunk;
    private final String sipCallId;
    private final String toTag = Long.toHexString(RANDOM.nextLong());
    private Dialog dialog;
    private State state = State.TRYING;
    /** Switchboard's id of the call, once the calls feature took it. */
    private String callId;
    /** The PBX gave up (or hung up) before the calls feature returned the call's id. */
    private boolean gaveUpEarly;
    private String answerSdp;
    /** The PBX acknowledged our 200. */
    private boolean acked;
    /** The callee hung up before the ACK came: the BYE waits for it (RFC 3261 15). */
    private boolean byeOnAck;

    InboundCall(InboundCalls owner, ServerTransaction invite, String callerId, String from, Trunk overTrunk) {
        this.overTrunk = overTrunk;
        this.owner = owner;
        this.invite = invite;
        this.callerId = callerId;
        this.origin = from;
        this.sipCallId = ((CallIdHeader) invite.getRequest().getHeader(CallIdHeader.NAME)).getCallId();
    }

    void start(AccountInfo callee) {
        respond(Response.TRYING, null);
        Request request = invite.getRequest();
        String offer = request.getRawContent() == null ? null : new String(request.getRawContent(), StandardCharsets.UTF_8);
        if (offer == null || !offer.startsWith("v=0")) {
            finalAnswer(Response.NOT_ACCEPTABLE_HERE, "An INVITE needs an SDP offer");
            return;
        }
        try {
            dialog = owner.sip.provider().getNewDialog(invite);
        } catch (Exception e) {
            finalAnswer(Response.SERVER_INTERNAL_ERROR, "No dialog: " + e.getMessage());
            return;
        }
        String id;
        try {
            id = owner.gateway.call(new CallGateway.IncomingCall(callerId, callee.id(), offer, hasVideo(offer)), this);
        } catch (CallRefusedException e) {
            LOG.info("Call from {} to @{} refused: {} ({})", origin, callee.handle(), e.reason(), e.getMessage());
            finalAnswer(status(e.reason()), e.getMessage());
            return;
        } catch (RuntimeException e) {
            LOG.warn("Call from {} to @{} failed: {}", origin, callee.handle(), e.toString(), e);
            finalAnswer(Response.SERVER_INTERNAL_ERROR, "The call could not be placed");
            return;
        }
        boolean hangUp;
        synchronized (this) {
            callId = id;
            hangUp = gaveUpEarly;
        }
        LOG.info("Call {} from {} to @{} ({})", id, origin, callee.handle(), sipCallId);
        if (hangUp) owner.gateway.hangup(id);
    }

    Trunk trunk() {
        return overTrunk;
    }

    /** Refuses the INVITE before any call exists (the callee is unknown). */
    void reject(int status, String why) {
        respond(Response.TRYING, null);
        finalAnswer(status, why);
    }

    // ---- what the calls feature reports

    @Override
    public synchronized void ringing() {
        if (state != State.TRYING) return;
        state = State.RINGING;
        respond(Response.RINGING, null);
    }

    @Override
    public synchronized void earlyMedia(String sdp) {
        if (state != State.TRYING && state != State.RINGING) return;
        state = State.RINGING;
        respond(Response.SESSION_PROGRESS, sdp);
    }

    @Override
    public synchronized void answered(String sdp) {
        if (state != State.TRYING && state != State.RINGING) return;
        state = State.ANSWERED;
        answerSdp = sdp;
        respond(Response.OK, sdp);
        try {
            owner.timers.schedule(this::unacknowledged, 64 * SipRuntime.DEFAULT_T1.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            // the component stops: shutdown() ends the call
        }
    }

    @Override
    public void failed(String reason, String detail) {
        synchronized (this) {
            if (state == State.ANSWERED || state == State.OVER) return;
        }
        finalAnswer(status(reason), detail);
    }

    @Override
    public void ended() {
        synchronized (this) {
            if (state != State.ANSWERED) return;
            state = State.OVER;
            if (acked) bye();
            else byeOnAck = true;
            if (byeOnAck) return; // still known, so that the ACK finds it
        }
        owner.forget(sipCallId, this);
        LOG.info("Call {}: hung up towards {}", callId, origin);
    }

    // ---- what the PBX sends in the dialog

    /** The 200's retransmissions stop in the stack's dialog; a BYE that waited for this goes now. */
    synchronized void ack() {
        if (acked) return;
        acked = true;
        if (byeOnAck) {
            byeOnAck = false;
            bye();
            owner.forget(sipCallId, this);
        }
    }

    /**
     * The PBX gives up: 200 for the CANCEL, 487 for the INVITE, and the call is hung up. A CANCEL that
     * crossed our 200 gets 481 and changes nothing: the PBX hangs up with BYE.
     */
    void cancel(RequestEvent event) {
        String id;
        synchronized (this) {
            if (state != State.TRYING && state != State.RINGING) {
                // The answer went out first: the INVITE's transaction is over, the call goes on (RFC 3261 9.2).
                answer(event, Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST);
                return;
            }
            answer(event, Response.OK);
            state = State.OVER;
            respondLocked(Response.REQUEST_TERMINATED, null);
            id = idOrLater();
        }
        owner.forget(sipCallId, this);
        LOG.info("Call {}: cancelled by {}", id, origin);
        if (id != null) owner.gateway.hangup(id);
    }

    /** The PBX hangs up the answered call. */
    void bye(RequestEvent event) {
        String id;
        synchronized (this) {
            if (state != State.ANSWERED) {
                answer(event, Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST);
                return;
            }
            state = State.OVER;
            id = idOrLater();
        }
        answer(event, Response.OK);
        owner.forget(sipCallId, this);
        LOG.info("Call {}: ended by {}", id, origin);
        if (id != null) owner.gateway.hangup(id);
    }

    /** A re-INVITE (a session refresh): the media stays as agreed, so the same answer is given again. */
    void reInvite(RequestEvent event) {
        ToHeader to = (ToHeader) event.getRequest().getHeader(ToHeader.NAME);
        if (to == null || to.getTag() == null) return; // a retransmission of the first INVITE
        String sdp;
        synchronized (this) {
            sdp = state == State.ANSWERED ? answerSdp : null;
        }
        try {
            ServerTransaction st = serverTransaction(event);
            Response r = owner.sip.messageFactory().createResponse(sdp == null ? Response.REQUEST_PENDING : Response.OK,
                    event.getRequest());
            if (sdp != null) withAnswer(r, sdp);
            st.sendResponse(r);
        } catch (Exception e) {
            LOG.debug("Call {}: no answer to a re-INVITE: {}", callId, e.toString());
        }
    }

    /**
     * Our 200 was never acknowledged (64 T1): a BYE to the caller (RFC 3261 13.3.1.4) and the call ends.
     * The stack's dialog is not confirmed without the ACK, so the BYE is made from the INVITE
     * ({@link DialogRequests#asUas}).
     */
    void unacknowledged() {
        String id;
        synchronized (this) {
            if (state != State.ANSWERED || acked) return;
            state = State.OVER;
            try {
                owner.sip.send(DialogRequests.asUas(owner.sip, invite.getRequest(), toTag, Request.BYE, 1),
                        ClientCallback.NONE, SipRuntime.DEFAULT_T1);
            } catch (Exception e) {
                LOG.info("Call {}: BYE towards {} not sent: {}", callId, origin, e.toString());
            }
            id = idOrLater();
        }
        owner.forget(sipCallId, this);
        LOG.info("Call {}: {} never acknowledged the answer; hung up", id, origin);
        if (id != null) owner.gateway.hangup(id);
    }

    /** The bundle stops: the PBX hears 503 (before an answer) or BYE, the calls feature a hang-up. */
    void shutdown() {
        String id;
        synchronized (this) {
            if (state == State.OVER) return;
            if (state == State.ANSWERED) bye();
            else respondLocked(Response.SERVICE_UNAVAILABLE, null);
            state = State.OVER;
            id = idOrLater();
        }
        if (id != null) owner.gateway.hangup(id);
    }

    // ---- inside

    /**
     * The call's id, to hang it up in the calls feature; null when the calls feature has not returned
     * it yet (its reports can overtake its return): then {@link #start} hangs up once it has it.
     */
    private String idOrLater() {
        if (callId == null) gaveUpEarly = true;
        return callId;
    }

    private void finalAnswer(int status, String why) {
        synchronized (this) {
            if (state == State.OVER || state == State.ANSWERED) return;
            state = State.OVER;
            respondLocked(status, null);
        }
        owner.forget(sipCallId, this);
        LOG.info("Call {} ({}) from {}: {} {}", callId, sipCallId, origin, status, why == null ? "" : why);
    }

    private synchronized void respond(int status, String sdp) {
        respondLocked(status, sdp);
    }

    private void respondLocked(int status, String sdp) {
        try {
            Response r = owner.sip.messageFactory().createResponse(status, invite.getRequest());
            if (status > Response.TRYING) ((ToHeader) r.getHeader(ToHeader.NAME)).setTag(toTag);
            if (status >= 200 && status < 300 || sdp != null) withAnswer(r, sdp);
            invite.sendResponse(r);
        } catch (Exception e) {
            LOG.info("Call {} ({}): {} not sent to {}: {}", callId, sipCallId, status, origin, e.toString());
        }
    }

    /** Adds our Contact (where the PBX sends BYE) and the SDP. */
    private void withAnswer(Response r, String sdp) throws Exception {
        String transport = ((ViaHeader) invite.getRequest().getHeader(ViaHeader.NAME)).getTransport();
        boolean tcp = "tcp".equalsIgnoreCase(transport);
        ListeningPoint lp = owner.sip.provider().getListeningPoint(tcp ? "tcp" : "udp");
        String user = InboundCalls.dialled(invite.getRequest());
        SipURI contact = owner.sip.addressFactory().createSipURI(user, lp.getIPAddress());
        contact.setPort(lp.getPort());
        if (tcp) contact.setTransportParam("tcp");
        r.setHeader(owner.sip.headerFactory().createContactHeader(owner.sip.addressFactory().createAddress(contact)));
        if (sdp != null) {
            ContentTypeHeader type = owner.sip.headerFactory().createContentTypeHeader("application", "sdp");
            r.setContent(sdp.getBytes(StandardCharsets.UTF_8), type);
        }
    }

    private void bye() {
        try {
            Request bye = dialog.createRequest(Request.BYE);
            ClientTransaction ct = owner.sip.provider().getNewClientTransaction(bye);
            ct.setApplicationData(ClientCallback.NONE);
            dialog.sendRequest(ct);
        } catch (Exception e) {
            LOG.info("Call {}: BYE towards {} not sent: {}", callId, origin, e.toString());
        }
    }

    private void answer(RequestEvent event, int status) {
        try {
            serverTransaction(event).sendResponse(owner.sip.messageFactory().createResponse(status, event.getRequest()));
        } catch (Exception e) {
            LOG.debug("Call {}: no {} to {}: {}", callId, status, event.getRequest().getMethod(), e.toString());
        }
    }

    private static ServerTransaction serverTransaction(RequestEvent event) throws Exception {
        ServerTransaction st = event.getServerTransaction();
        return st != null ? st : ((SipProvider) event.getSource()).getNewServerTransaction(event.getRequest());
    }

    /** The SIP answer to a call the calls feature refused or ended before an answer. */
    static int status(String reason) {
        return switch (reason == null ? "" : reason) {
            case "not_found" -> Response.NOT_FOUND;
            case "refused", "declined" -> Response.DECLINE;
            case "busy" -> Response.BUSY_HERE;
            case "offline", "missed" -> Response.TEMPORARILY_UNAVAILABLE;
            case "cancelled" -> Response.REQUEST_TERMINATED;
            case "invalid" -> Response.NOT_ACCEPTABLE_HERE;
            default -> Response.SERVICE_UNAVAILABLE;
        };
    }

    static boolean hasVideo(String sdp) {
        for (String line : sdp.split("\r?\n")) {
            if (line.startsWith("m=video ") && !line.startsWith("m=video 0 ")) return true;
        }
        return false;
    }
}
