package io.switchboard.sip.b2bua;

import gov.nist.javax.sip.ListeningPointImpl;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.stack.AckSendingStrategy;
import gov.nist.javax.sip.stack.HopImpl;
import gov.nist.javax.sip.stack.SIPDialog;
import gov.nist.javax.sip.stack.SIPTransaction;
import io.switchboard.sip.stack.DialogRequests;
import io.switchboard.sip.stack.ClientCallback;
import io.switchboard.sip.stack.SipRuntime;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.ListeningPoint;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipException;
import javax.sip.SipProvider;
import javax.sip.address.Address;
import javax.sip.address.Hop;
import javax.sip.address.SipURI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.RouteHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;

/**
 * One INVITE of ours and the dialog made for it before it goes out (automatic dialog support is off),
 * as a bridged call's attempts towards a PBX and a fork's branches towards phones both use it: the
 * CANCEL waits for a provisional response (RFC 3261 9.1), the ACK and BYE go in the dialog, and the
 * CANCELs and BYEs not yet answered are counted in {@code pending} so that stopping can wait for them.
 *
 * <p>A leg may be pinned to a flow, the address a phone registered from: then the INVITE, its CANCEL, the
 * ACK and the BYE all go there, whatever the request-URI or the phone's Contact says (a phone behind NAT
 * names an address nobody reaches). Not thread-safe: the owner's lock guards it.
 */
final class InviteLeg {
    private static final Logger LOG = SipCallBridge.log();
    private static final SecureRandom RANDOM = new SecureRandom();
    static final int MAX_FORWARDS = 70;

    private final SipRuntime sip;
    private final AtomicInteger pending;
    /** The bridged call, for the logs. */
    private final String callId;
    /** Where the requests go, or null for where the request-URI and the dialog say. */
    private final Hop flow;
    private String towards;
    private ClientTransaction transaction;
    private Dialog dialog;
    private boolean provisional;
    private boolean cancelSent;
    /** The 2xx of the INVITE, for an ACK and BYE outside the stack's dialog when it has none for it. */
    private Response ok;

    InviteLeg(SipRuntime sip, AtomicInteger pending, String callId, Hop flow) {
        this.sip = sip;
        this.pending = pending;
        this.callId = callId;
        this.flow = flow;
    }

    /** A flow: {@code transport} is {@code UDP} or {@code TCP}. */
    static Hop flow(String address, int port, String transport) {
        return new HopImpl(address, port, transport.toLowerCase(Locale.ROOT));
    }

    /** The parts of an INVITE that differ from one leg to another. */
    record Invite(SipURI requestUri, Address from, String fromTag, Address to, SipURI contact, String callId,
                  long cseq, String transport, String offer) {}

    /** The INVITE with a fresh Via branch, Max-Forwards and the offer (if any) as its SDP body. */
    Request request(Invite i) throws ParseException, javax.sip.InvalidArgumentException {
        HeaderFactory headers = sip.headerFactory();
        ListeningPoint lp = sip.provider().getListeningPoint(i.transport());
        var via = headers.createViaHeader(lp.getIPAddress(), lp.getPort(), i.transport(),
                "z9hG4bK" + Long.toHexString(RANDOM.nextLong()));
        var id = headers.createCallIdHeader(i.callId());
        var from = headers.createFromHeader(i.from(), i.fromTag());
        var to = headers.createToHeader(i.to(), null);
        var cseq = headers.createCSeqHeader(i.cseq(), Request.INVITE);
        var maxForwards = headers.createMaxForwardsHeader(MAX_FORWARDS);
        Request invite = i.offer() == null
                ? sip.messageFactory().createRequest(i.requestUri(), Request.INVITE, id, cseq, from, to, List.of(via),
                        maxForwards)
                : sip.messageFactory().createRequest(i.requestUri(), Request.INVITE, id, cseq, from, to, List.of(via),
                        maxForwards, headers.createContentTypeHeader("application", "sdp"),
                        i.offer().getBytes(StandardCharsets.UTF_8));
        invite.addHeader(headers.createContactHeader(sip.addressFactory().createAddress(i.contact())));
        return invite;
    }

    /** Sends {@code invite} in a new transaction owned by {@code owner}; {@code towards} names the far end in logs. */
    void send(Request invite, ClientCallback owner, String towards) throws Exception {
        this.towards = towards;
        ClientTransaction ct = newTransaction(invite);
        ct.setApplicationData(owner);
        // As SipRuntime.send does, plus the dialog, which must exist before the first response.
        Dialog d = sip.provider().getNewDialog(ct);
        if (flow != null) ((SIPDialog) d).setAckSendingStrategy(new FlowAck());
        ((SIPTransaction) ct).setRetransmitTimer((int) SipRuntime.DEFAULT_T1.toMillis());
        dialog = d;
        transaction = ct;
        provisional = false;
        cancelSent = false;
        ct.sendRequest();
    }

    /** True for responses to the INVITE sent last. */
    boolean owns(ResponseEvent event) {
        return transaction != null && event.getClientTransaction() == transaction;
    }

    boolean owns(ClientTransaction t) {
        return transaction != null && t == transaction;
    }

    Request invite() {
        return transaction.getRequest();
    }

    /** A provisional response came: from now on the INVITE can be cancelled. */
    void provisional() {
        provisional = true;
    }

    /** The INVITE failed: its dialog will not be confirmed. */
    void failed() {
        if (dialog != null) dialog.delete();
    }

    /** CANCELs the INVITE once a provisional response came; before that it does nothing (call it again then). */
    void cancel() {
        if (cancelSent || !provisional || transaction == null) return;
        cancelSent = true;
        pending.incrementAndGet();
        try {
            sip.send(transaction.createCancel(), new Pending(pending), SipRuntime.DEFAULT_T1);
        } catch (Exception e) {
            pending.decrementAndGet();
            LOG.info("Call {}: CANCEL towards {} not sent: {}", callId, towards, e.toString());
        }
    }

    void ack(Response ok) {
        this.ok = ok;
        long cseq = ((CSeqHeader) ok.getHeader(CSeqHeader.NAME)).getSeqNumber();
        try {
            dialog.sendAck(dialog.createAck(cseq));
        } catch (Exception e) {
            ackOutsideTheDialog(ok, cseq, e);
        }
    }

    void bye() {
        pending.incrementAndGet();
        try {
            ClientTransaction ct = newTransaction(dialog.createRequest(Request.BYE));
            ct.setApplicationData(new Pending(pending));
            dialog.sendRequest(ct);
        } catch (Exception e) {
            if (ok != null && flow == null) {
                byeOutsideTheDialog(e);
                return;
            }
            pending.decrementAndGet();
            LOG.info("Call {}: BYE towards {} not sent: {}", callId, towards, e.toString());
        }
    }

    /*
     * A 2xx the stack has no dialog for: the far end answered as our CANCEL crossed it, and a proxy on the
     * way (Kamailio with its default cancel_b_method) ended the dialog with a 487 of its own first. The
     * call is up at the far end all the same, so it is acknowledged and hung up in the dialog the 2xx
     * makes (RFC 3261 13.2.2.4): to its Contact, over its Record-Route reversed, with its To tag.
     */

    private void ackOutsideTheDialog(Response ok, long cseq, Exception why) {
        if (flow != null) {
            LOG.info("Call {}: ACK towards {} not sent: {}", callId, towards, why.toString());
            return;
        }
        try {
            sip.provider().sendRequest(DialogRequests.asUac(sip, ok, Request.ACK, cseq));
            LOG.info("Call {}: a 2xx from {} outside the stack's dialog ({}) acknowledged", callId, towards, why.getMessage());
        } catch (Exception e) {
            LOG.info("Call {}: ACK towards {} not sent: {}", callId, towards, e.toString());
        }
    }

    private void byeOutsideTheDialog(Exception why) {
        try {
            long cseq = ((CSeqHeader) ok.getHeader(CSeqHeader.NAME)).getSeqNumber() + 1;
            sip.send(DialogRequests.asUac(sip, ok, Request.BYE, cseq), new Pending(pending), SipRuntime.DEFAULT_T1);
            LOG.info("Call {}: BYE towards {} sent outside the stack's dialog ({})", callId, towards, why.getMessage());
        } catch (Exception e) {
            pending.decrementAndGet();
            LOG.info("Call {}: BYE towards {} not sent: {}", callId, towards, e.toString());
        }
    }

    /**
     * A client transaction whose next hop is the flow: the stack takes it from the top Route when the
     * transaction is made (and keeps it for the CANCEL and for the dialog's sending), so a Route naming the
     * flow is put on for that moment only: the phone is the last hop and gets no Route of ours.
     */
    private ClientTransaction newTransaction(Request request) throws SipException, ParseException {
        if (flow == null) return sip.provider().getNewClientTransaction(request);
        SipURI hop = sip.addressFactory().createSipURI(null, flow.getHost());
        hop.setPort(flow.getPort());
        hop.setTransportParam(flow.getTransport());
        hop.setLrParam();
        RouteHeader route = sip.headerFactory().createRouteHeader(sip.addressFactory().createAddress(hop));
        request.addFirst(route);
        try {
            return sip.provider().getNewClientTransaction(request);
        } finally {
            request.removeFirst(RouteHeader.NAME);
        }
    }

    /**
     * Answers a request the far end sent in the dialog of an answered leg: 200 to a BYE, 481 to a CANCEL
     * (nothing is pending on our side), nothing to an ACK. True when it was the BYE, which ends the call.
     */
    static boolean answerInDialog(SipRuntime sip, RequestEvent event, String callId) {
        Request request = event.getRequest();
        if (Request.ACK.equals(request.getMethod())) return false;
        int status = Request.BYE.equals(request.getMethod()) ? Response.OK : Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST;
        try {
            ServerTransaction st = event.getServerTransaction();
            if (st == null) st = ((SipProvider) event.getSource()).getNewServerTransaction(request);
            st.sendResponse(sip.messageFactory().createResponse(status, request));
        } catch (Exception e) {
            LOG.debug("Call {}: no answer to {}: {}", callId, request.getMethod(), e.toString());
        }
        return status == Response.OK;
    }

    /** Waits at most {@code wait} for the answers to the CANCELs and BYEs counted in {@code pending}. */
    static void awaitPending(AtomicInteger pending, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (pending.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The dialog's ACK to the flow instead of the phone's Contact. */
    private final class FlowAck implements AckSendingStrategy {
        @Override
        public void send(SIPRequest ack) throws SipException, IOException {
            ListeningPointImpl lp = (ListeningPointImpl) sip.provider().getListeningPoint(flow.getTransport());
            if (lp == null) throw new SipException("no listening point for " + flow.getTransport());
            lp.getMessageProcessor().createMessageChannel(InetAddress.getByName(flow.getHost()), flow.getPort())
                    .sendMessage(ack);
        }

        @Override
        public Hop getLastHop() {
            return flow;
        }
    }

    /** A transaction whose only business is to be answered (a BYE, a CANCEL): stopping waits for it. */
    private static final class Pending implements ClientCallback {
        private final AtomicInteger pending;
        private boolean finished;

        Pending(AtomicInteger pending) {
            this.pending = pending;
        }

        @Override
        public void response(ResponseEvent event) {
            if (event.getResponse().getStatusCode() >= 200) finish();
        }

        @Override
        public void failed(ClientTransaction transaction, Failure failure) {
            finish();
        }

        private synchronized void finish() {
            if (finished) return;
            finished = true;
            pending.decrementAndGet();
        }
    }
}
