package io.switchboard.sip.b2bua;

import io.switchboard.sdk.calls.CallBridge.BridgedCall;
import io.switchboard.sdk.calls.CallBridge.Listener;
import io.switchboard.sip.b2bua.MediaBranches.Media;
import io.switchboard.sip.device.Binding;
import io.switchboard.sip.stack.ClientCallback;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.sip.ClientTransaction;
import javax.sip.ListeningPoint;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.address.Address;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.message.Response;
import org.slf4j.Logger;

/**
 * One call ringing the callee's SIP phones: a {@link Branch} per live binding, all invited at once. The
 * first 180 is the call's ringing, the first 200 its answer (the other branches are cancelled, and one
 * that answers after all is acknowledged and hung up); when every branch ends without an answer the call
 * fails with what the phones said. Everything happens under this object's lock, on the stack's threads
 * and the fork's executor; the listener hears one final answer (answered, then perhaps ended; or failed)
 * and nothing after {@link #hangup}.
 */
final class PhoneCall {
    private static final Logger LOG = PhoneFork.log();
    private static final SecureRandom RANDOM = new SecureRandom();

    final BridgedCall call;
    private final PhoneFork fork;
    private final Listener listener;
    private final List<Branch> branches = new ArrayList<>();
    /** How each branch that ended without an answer ended: busy, declined, missed or failed. */
    private final List<String> endings = new ArrayList<>();
    /** What the phones said, for the failure's detail. */
    private final List<String> details = new ArrayList<>();
    private Branch answered;
    private boolean ringing;
    /** Failed, ended, or hung up: the listener hears nothing more. */
    private boolean over;

    /** The media of each phone rung. */
    private final MediaBranches branchMedia;

    PhoneCall(PhoneFork fork, BridgedCall call, Listener listener) {
        this.fork = fork;
        this.call = call;
        this.listener = listener;
        this.branchMedia = new MediaBranches(call, listener);
    }

    /** Invites every binding; fails the call when none could be sent. */
    synchronized void start(List<Binding> bindings) {
        if (over) return;
        for (Binding b : bindings) {
            Branch branch = new Branch(b, branchMedia.next());
            if (branch.invite()) branches.add(branch);
        }
        if (branches.isEmpty()) fail("failed", details.isEmpty() ? "no SIP phone registered" : String.join("; ", details));
    }

    /** Answered elsewhere or given up: CANCEL what rings, or BYE the phone that answered. */
    synchronized void hangup() {
        if (!finish()) return;
        if (answered != null) answered.leg.bye();
        else branches.forEach(Branch::cancel);
        LOG.info("Call {}: phones hung up", call.callId());
    }

    /** A BYE, ACK or CANCEL in the dialog of the phone that answered. */
    void request(RequestEvent event) {
        if (InviteLeg.answerInDialog(fork.sip, event, call.callId()) && finish()) {
            LOG.info("Call {}: ended by the phone", call.callId());
            listener.ended();
        }
    }

    /** The call is over from now on; false when it was already. */
    private synchronized boolean finish() {
        if (over) return false;
        over = true;
        fork.forget(this);
        return true;
    }

    private void answer(Branch branch, Response ok) {
        answered = branch;
        for (Branch b : branches) {
            if (b != branch) b.cancel();
        }
        fork.answered(branch.callId, this);
        LOG.info("Call {}: answered by the SIP phone at {}", call.callId(), branch.binding.contact());
        byte[] sdp = ok.getRawContent();
        listener.answered(branch.media.branch(), sdp == null || sdp.length == 0 ? null : new String(sdp, StandardCharsets.UTF_8));
    }

    /** A branch ended without an answer; the call fails once every branch did. */
    private void ended(Branch branch, String ending, String why) {
        branch.done = true;
        endings.add(ending);
        details.add(why);
        if (over || answered != null) return;
        for (Branch b : branches) {
            if (!b.done) return;
        }
        fail(reason(endings), String.join("; ", details));
    }

    /** Busy when every phone was, declined when one declined, missed when one rang out, else failed. */
    static String reason(List<String> endings) {
        if (!endings.isEmpty() && endings.stream().allMatch("busy"::equals)) return "busy";
        if (endings.contains("declined")) return "declined";
        if (endings.contains("missed")) return "missed";
        return "failed";
    }

    /** What a final refusal from a phone says of the callee. */
    static String ending(int status) {
        return switch (status) {
            case Response.BUSY_HERE, Response.BUSY_EVERYWHERE -> "busy";
            case Response.DECLINE -> "declined";
            case Response.REQUEST_TIMEOUT, Response.TEMPORARILY_UNAVAILABLE, Response.REQUEST_TERMINATED -> "missed";
            default -> "failed";
        };
    }

    private void fail(String reason, String why) {
        if (!finish()) return;
        LOG.info("Call {}: phones {} ({})", call.callId(), reason, why);
        listener.failed(reason, why);
    }

    /** One binding: an INVITE to its contact, sent to where the phone registered from. */
    private final class Branch implements ClientCallback {
        final Binding binding;
        final Media media;
        final InviteLeg leg;
        String callId;
        boolean cancelled;
        boolean done;

        Branch(Binding binding, Media media) {
            this.binding = binding;
            this.media = media;
            this.leg = new InviteLeg(fork.sip, fork.pending, call.callId(),
                    InviteLeg.flow(binding.sourceAddress(), binding.sourcePort(), binding.transport()));
        }

        /** False when it could not be sent (the reason is the call's detail). */
        boolean invite() {
            try {
                URI uri = fork.sip.addressFactory().createURI(binding.contact());
                if (!(uri instanceof SipURI contact)) throw new IllegalArgumentException("not a SIP URI");
                String transport = binding.transport().toLowerCase(Locale.ROOT);
                ListeningPoint lp = fork.sip.provider().getListeningPoint(transport);
                if (lp == null) throw new IllegalArgumentException("no " + transport + " listening point");
                Address from = fork.sip.addressFactory().createAddress(
                        fork.sip.addressFactory().createSipURI(call.callerHandle(), fork.domain));
                from.setDisplayName(call.callerHandle());
                SipURI us = fork.sip.addressFactory().createSipURI(call.callerHandle(), lp.getIPAddress());
                us.setPort(lp.getPort());
                if ("tcp".equals(transport)) us.setTransportParam("tcp");
                callId = fork.sip.provider().getNewCallId().getCallId();
                var invite = leg.request(new InviteLeg.Invite(contact, from, Long.toHexString(RANDOM.nextLong()),
                        fork.sip.addressFactory().createAddress((SipURI) contact.clone()), us, callId, 1, transport,
                        media.offer()));
                leg.send(invite, this, binding.contact() + " via " + binding.sourceAddress() + ":"
                        + binding.sourcePort() + "/" + binding.transport());
                return true;
            } catch (Exception e) {
                LOG.info("Call {}: SIP phone at {} not invited: {}", call.callId(), binding.contact(), e.toString());
                details.add("phone " + binding.contact() + ": " + e.getMessage());
                return false;
            }
        }

        @Override
        public void response(ResponseEvent event) {
            synchronized (PhoneCall.this) {
                if (!leg.owns(event)) return;
                Response r = event.getResponse();
                int status = r.getStatusCode();
                if (status < 200) {
                    leg.provisional();
                    if (cancelled) leg.cancel();
                    else if (status == Response.RINGING && !ringing && !over && answered == null) {
                        ringing = true;
                        listener.ringing();
                    }
                    return;
                }
                if (status < 300) {
                    leg.ack(r);
                    if (done) return; // a retransmission, acknowledged again
                    done = true;
                    if (cancelled || over || answered != null) leg.bye(); // too late: another one answered
                    else answer(this, r);
                    return;
                }
                leg.failed();
                if (done) return;
                ended(this, ending(status), "phone " + binding.contact() + ": " + status + " " + r.getReasonPhrase());
            }
        }

        @Override
        public void failed(ClientTransaction transaction, Failure failure) {
            synchronized (PhoneCall.this) {
                if (!leg.owns(transaction) || done) return;
                leg.failed();
                ended(this, failure == Failure.TIMEOUT ? "missed" : "failed",
                        "phone " + binding.contact() + ": " + (failure == Failure.TIMEOUT ? "no response" : "transport error"));
            }
        }

        void cancel() {
            cancelled = true;
            if (!done) leg.cancel();
        }
    }
}
