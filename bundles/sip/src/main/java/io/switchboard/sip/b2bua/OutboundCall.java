package io.switchboard.sip.b2bua;

import io.switchboard.sdk.calls.CallBridge.BridgedCall;
import io.switchboard.sdk.calls.CallBridge.Listener;
import io.switchboard.sdk.calls.CallGateway;
import io.switchboard.sdk.calls.CallRefusedException;
import io.switchboard.sip.b2bua.MediaBranches.Media;
import io.switchboard.sip.routing.RingStep;
import io.switchboard.sip.routing.Target;
import io.switchboard.sip.stack.ClientCallback;
import io.switchboard.sip.stack.SipRuntime;
import io.switchboard.sip.trunk.Trunk;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.sip.ClientTransaction;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.address.Address;
import javax.sip.address.SipURI;
import javax.sip.header.AuthorizationHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;

/**
 * The far leg of one bridged call: its ring steps in order, each step's targets rung together (a PBX
 * extension by an {@link Attempt}, moving to the next trunk when one fails or is full; an employee's
 * handle by an {@link EmployeeAttempt}, a call from the company to that account through the calls
 * feature), the first answer taken and the rest cancelled. Everything happens under this object's lock, on the stack's threads and the bridge's timer;
 * the listener hears one final answer (answered, then perhaps ended; or failed), and nothing after the
 * caller's own hang-up.
 */
final class OutboundCall {
    private static final Logger LOG = SipCallBridge.log();
    private static final SecureRandom RANDOM = new SecureRandom();

    /** How a target's attempt ended without an answer. */
    enum Outcome { BUSY, DECLINED, NO_ANSWER, UNREACHABLE }

    final BridgedCall call;
    private final SipCallBridge bridge;
    private final SipRuntime sip;
    private final Listener listener;
    private List<Trunk> trunks = List.of();
    private List<RingStep> steps = List.of();
    private int step = -1;
    /** The attempts of the current step. */
    private final List<Branch> attempts = new ArrayList<>();
    private final List<Outcome> outcomes = new ArrayList<>();
    private String detail;
    private ScheduledFuture<?> timer;
    private Branch answered;
    private boolean ringing;
    private boolean earlyMedia;
    /** Failed, ended, or hung up by the caller: the listener hears nothing more. */
    private boolean over;
    /** The media of each target rung. */
    private final MediaBranches branchMedia;

    OutboundCall(SipCallBridge bridge, BridgedCall call, Listener listener) {
        this.bridge = bridge;
        this.sip = bridge.sip;
        this.call = call;
        this.listener = listener;
        this.branchMedia = new MediaBranches(call, listener);
    }

    /** Reads the company's trunks and ring steps and rings the first step. */
    void start() {
        List<Trunk> t;
        List<RingStep> s;
        try {
            t = bridge.companies.trunks(call.calleeAccountId());
            s = bridge.companies.steps(call.calleeAccountId(), bridge.clock.instant(),
                    target -> bridge.busy(call.calleeAccountId(), target)).orElse(List.of());
        } catch (RuntimeException e) {
            LOG.warn("Call {}: no routing for {}: {}", call.callId(), call.calleeAccountId(), e.toString());
            synchronized (this) {
                fail("failed", "routing: " + e.getMessage());
            }
            return;
        }
        synchronized (this) {
            if (over) return;
            trunks = t;
            steps = s;
            if (steps.isEmpty()) detail = "no routing rule matches now";
            nextStep();
        }
    }

    /** The caller hung up: CANCEL whatever rings, or BYE the answered dialog. */
    synchronized void hangup() {
        if (over) return;
        over = true;
        if (timer != null) timer.cancel(false);
        bridge.forget(this);
        if (answered != null) {
            answered.bye();
        } else {
            for (Branch a : attempts) a.cancel();
        }
        letGo();
        LOG.info("Call {}: hung up by the caller", call.callId());
    }

    /** A BYE, ACK or CANCEL in the dialog of the answered call. */
    void request(RequestEvent event) {
        if (!InviteLeg.answerInDialog(sip, event, call.callId())) return;
        endedByCallee("the PBX");
    }

    /** The answered side hung up: the PBX (BYE) or the employee who took the call. */
    private void endedByCallee(String who) {
        synchronized (this) {
            if (over) return;
            over = true;
            bridge.forget(this);
            letGo();
        }
        LOG.info("Call {}: ended by {}", call.callId(), who);
        listener.ended();
    }

    /** The call is over: every trunk channel it holds goes back, and its answering target is free again. */
    private void letGo() {
        for (Branch a : attempts) a.release();
        if (answered != null) {
            answered.release();
            bridge.talking(call.calleeAccountId(), answered.target, -1);
        }
    }

    /** Rings the next step that has a target we can reach; fails the call when there is none. */
    private void nextStep() {
        if (timer != null) timer.cancel(false);
        attempts.clear();
        while (!over && ++step < steps.size()) {
            RingStep s = steps.get(step);
            for (Target target : s.targets()) {
                if (!target.isExtension()) {
                    EmployeeAttempt e = new EmployeeAttempt(target, branchMedia.next());
                    Outcome refused = e.start();
                    if (refused == null) attempts.add(e);
                    else outcome(refused, detail);
                    continue;
                }
                List<Trunk> route = target.trunk() == null ? TrunkOrder.of(trunks)
                        : trunks.stream().filter(t -> t.name().equals(target.trunk())).toList();
                if (route.isEmpty()) {
                    outcome(Outcome.UNREACHABLE, "no trunk " + (target.trunk() == null ? "" : target.trunk()));
                    continue;
                }
                Attempt a = new Attempt(target, route, branchMedia.next());
                if (a.invite()) attempts.add(a);
                else outcome(Outcome.UNREACHABLE, detail);
            }
            if (!attempts.isEmpty()) {
                int current = step;
                timer = bridge.timers.schedule(() -> timedOut(current), s.timeout().toMillis(), TimeUnit.MILLISECONDS);
                return;
            }
        }
        if (!over) noAnswer();
    }

    private synchronized void timedOut(int ofStep) {
        if (over || answered != null || ofStep != step) return;
        LOG.info("Call {}: no answer in {} (rule {})", call.callId(), steps.get(step).timeout(), steps.get(step).rule());
        for (Branch a : attempts) {
            if (!a.done) {
                a.cancel();
                outcome(Outcome.NO_ANSWER, null);
            }
        }
        nextStep();
    }

    private void outcome(Outcome outcome, String why) {
        outcomes.add(outcome);
        if (why != null) detail = why;
    }

    /** An attempt ended without an answer; the step is over when all of them did. */
    private void ended(Branch attempt, Outcome outcome, String why) {
        attempt.done = true;
        attempt.release();
        if (over || answered != null || attempt.cancelled || !attempts.contains(attempt)) return;
        outcome(outcome, why);
        for (Branch a : attempts) {
            if (!a.done) return;
        }
        nextStep();
    }

    /** Every step rang out: busy when all who answered were busy, declined when all declined. */
    private void noAnswer() {
        boolean reached = false;
        boolean busy = false;
        boolean declined = false;
        boolean missed = false;
        for (Outcome o : outcomes) {
            switch (o) {
                case BUSY -> { reached = true; busy = true; }
                case DECLINED -> { reached = true; declined = true; }
                case NO_ANSWER -> { reached = true; missed = true; }
                case UNREACHABLE -> { }
            }
        }
        if (!reached) fail("failed", detail == null ? "no target to ring" : detail);
        else if (missed) fail("missed", "no answer");
        else if (busy) fail("busy", "busy");
        else fail("declined", "declined");
    }

    private void fail(String reason, String why) {
        if (over) return;
        over = true;
        if (timer != null) timer.cancel(false);
        bridge.forget(this);
        letGo();
        LOG.info("Call {}: {} ({})", call.callId(), reason, why);
        listener.failed(reason, why);
    }

    private void answer(Branch attempt, String sdp) {
        answered = attempt;
        if (timer != null) timer.cancel(false);
        for (Branch a : attempts) {
            if (a != attempt) a.cancel();
        }
        if (attempt instanceof Attempt pbx) bridge.answered(pbx.callId, this);
        bridge.talking(call.calleeAccountId(), attempt.target, +1);
        LOG.info("Call {}: answered by {} ({})", call.callId(), attempt.target.key(), attempt);
        try {
            bridge.companies.answered(call.calleeAccountId(), attempt.target.key(), bridge.clock.instant());
        } catch (RuntimeException e) {
            LOG.warn("Call {}: routing state not updated: {}", call.callId(), e.toString());
        }
        listener.answered(attempt.media.branch(), sdp);
    }

    /** A target of a ring step being rung. */
    private abstract static class Branch {
        final Target target;
        final Media media;
        boolean cancelled;
        boolean done;

        Branch(Target target, Media media) {
            this.target = target;
            this.media = media;
        }

        /** Stops ringing it (another target answered, the step timed out, the caller gave up). */
        abstract void cancel();

        /** Hangs up the answered call. */
        abstract void bye();

        /** Gives back what it holds (a trunk channel); again is harmless. */
        void release() {}
    }

    /**
     * An employee of the company named in a ring group: a call from the company to that account through
     * the calls feature (its browsers and SIP phones ring), with this call's plain-RTP offer.
     */
    private final class EmployeeAttempt extends Branch implements Listener {
        /** The id of the call to the employee. */
        private String employeeCall;

        EmployeeAttempt(Target target, Media media) {
            super(target, media);
        }

        /** Places the call; null when it rings, else how it was refused (with {@code detail} set). */
        Outcome start() {
            Optional<String> account = bridge.employees.accountOf(target.handle());
            if (account.isEmpty()) {
                detail = "no account @" + target.handle();
                return Outcome.UNREACHABLE;
            }
            try {
                employeeCall = bridge.employees.call(new CallGateway.IncomingCall(call.calleeAccountId(), account.get(),
                        media.offer(), call.video()), this);
                return null;
            } catch (CallRefusedException e) {
                detail = "@" + target.handle() + ": " + e.getMessage();
                return switch (e.reason()) {
                    case "busy" -> Outcome.BUSY;
                    case "refused" -> Outcome.DECLINED;
                    case "offline" -> Outcome.NO_ANSWER;
                    default -> Outcome.UNREACHABLE;
                };
            }
        }

        @Override
        void cancel() {
            cancelled = true;
            if (!done) bridge.employees.hangup(employeeCall);
        }

        @Override
        void bye() {
            bridge.employees.hangup(employeeCall);
        }

        @Override
        public String toString() {
            return "call " + employeeCall + " to @" + target.handle();
        }

        // ---- what the calls feature reports of the employee's call

        @Override
        public void ringing() {
            synchronized (OutboundCall.this) {
                if (done || cancelled || over || answered != null || ringing) return;
                ringing = true;
                listener.ringing();
            }
        }

        @Override
        public void earlyMedia(String sdp) {
            // the calls feature sends none for an account's own devices
        }

        @Override
        public void answered(String sdp) {
            synchronized (OutboundCall.this) {
                if (done) return;
                done = true;
                if (cancelled || over || answered != null) {
                    bye(); // answered after all: too late
                    return;
                }
                answer(this, sdp);
            }
        }

        @Override
        public void failed(String reason, String why) {
            synchronized (OutboundCall.this) {
                if (done) return;
                Outcome o = switch (reason == null ? "" : reason) {
                    case "busy" -> Outcome.BUSY;
                    case "declined" -> Outcome.DECLINED;
                    case "missed", "cancelled" -> Outcome.NO_ANSWER;
                    default -> Outcome.UNREACHABLE;
                };
                OutboundCall.this.ended(this, o, "@" + target.handle() + ": " + reason);
            }
        }

        @Override
        public void ended() {
            endedByCallee("@" + target.handle());
        }
    }

    private static String sdp(Response response) {
        byte[] body = response.getRawContent();
        return body == null || body.length == 0 ? null : new String(body, StandardCharsets.UTF_8);
    }

    /**
     * One target of a step: an INVITE over its trunk, or over the company's trunks one after the other
     * while they fail (transport error, timeout, 408, 500, 502, 503) and no early media came. Each trunk
     * gets a fresh Call-ID and From tag; a digest challenge is answered once on the same ones.
     */
    private final class Attempt extends Branch implements ClientCallback {
        private final List<Trunk> route;
        private int trunk;
        String callId;
        private String fromTag;
        private long cseq;
        private boolean challenged;
        private final InviteLeg leg;
        private boolean earlyMediaSeen;
        /** The trunk whose channel this attempt holds, if any. */
        private Trunk held;

        Attempt(Target target, List<Trunk> route, Media media) {
            super(target, media);
            this.route = route;
            this.leg = new InviteLeg(sip, bridge.pending, call.callId(), null);
        }

        Trunk trunk() {
            return route.get(trunk);
        }

        @Override
        public String toString() {
            return "over " + trunk();
        }

        /** Sends the INVITE over the first trunk that takes it (and has a channel free); false when none did. */
        boolean invite() {
            for (; trunk < route.size(); trunk++) {
                callId = sip.provider().getNewCallId().getCallId();
                fromTag = Long.toHexString(RANDOM.nextLong());
                cseq = 1;
                challenged = false;
                if (!bridge.channels.acquire(trunk())) {
                    LOG.info("Call {}: {} not sent over {}: all {} channels in use", call.callId(), target.key(), trunk(),
                            trunk().maxChannels());
                    detail = "trunk " + trunk().name() + ": all " + trunk().maxChannels() + " channels in use";
                    continue;
                }
                held = trunk();
                try {
                    send(null);
                    return true;
                } catch (Exception e) {
                    release();
                    LOG.info("Call {}: {} not sent over {}: {}", call.callId(), target.key(), trunk(), e.toString());
                    detail = "trunk " + trunk().name() + ": " + e.getMessage();
                }
            }
            trunk = route.size() - 1;
            return false;
        }

        private void send(AuthorizationHeader authorization) throws Exception {
            Trunk t = trunk();
            String transport = t.transport() == Trunk.Transport.TCP ? "tcp" : "udp";
            javax.sip.ListeningPoint lp = sip.provider().getListeningPoint(transport);
            SipURI uri = sip.addressFactory().createSipURI(target.extension(), t.host());
            if (t.port() != 5060) uri.setPort(t.port());
            if (t.transport() == Trunk.Transport.TCP) uri.setTransportParam("tcp");
            SipURI fromUri = sip.addressFactory().createSipURI(call.callerHandle(), bridge.domain);
            Address from = sip.addressFactory().createAddress(fromUri);
            from.setDisplayName(call.callerHandle());
            Address to = sip.addressFactory().createAddress(sip.addressFactory().createSipURI(target.extension(), t.host()));
            SipURI contactUri = sip.addressFactory().createSipURI(call.callerHandle(), lp.getIPAddress());
            contactUri.setPort(lp.getPort());
            if (t.transport() == Trunk.Transport.TCP) contactUri.setTransportParam("tcp");
            Request invite = leg.request(new InviteLeg.Invite(uri, from, fromTag, to, contactUri, callId, cseq,
                    transport, media.offer()));
            if (authorization != null) invite.addHeader(authorization);
            leg.send(invite, this, t.toString());
        }

        @Override
        public void response(ResponseEvent event) {
            synchronized (OutboundCall.this) {
                Response r = event.getResponse();
                int status = r.getStatusCode();
                if (!leg.owns(event)) return;
                if (status < 200) {
                    leg.provisional();
                    if (cancelled) {
                        cancel();
                        return;
                    }
                    if (OutboundCall.this.over || answered != null) return;
                    if (status == Response.RINGING && !ringing) {
                        ringing = true;
                        listener.ringing();
                    } else if (status == Response.SESSION_PROGRESS && sdp(r) != null) {
                        earlyMediaSeen = true;
                        if (!earlyMedia) {
                            earlyMedia = true;
                            listener.earlyMedia(media.branch(), sdp(r));
                        }
                    }
                    return;
                }
                if (status < 300) {
                    leg.ack(r);
                    if (done) return; // a retransmission, acknowledged again
                    done = true;
                    if (cancelled || OutboundCall.this.over || answered != null) {
                        leg.bye(); // answered after all: too late
                        return;
                    }
                    answer(this, sdp(r));
                    return;
                }
                leg.failed();
                if (done) return;
                boolean challenge = status == Response.UNAUTHORIZED || status == Response.PROXY_AUTHENTICATION_REQUIRED;
                if (challenge && cancelled) {
                    // Another target answered (or the caller gave up) before this one's challenge came back:
                    // the INVITE is not sent again, so this target never rings.
                    LOG.info("Call {}: {} challenged after the ring was settled: not sent again", call.callId(),
                            target.key());
                }
                if (challenge && !challenged && !cancelled) {
                    challenged = true;
                    try {
                        AuthorizationHeader answer = DigestAnswer.of(r, trunk(), Request.INVITE,
                                leg.invite().getRequestURI(), sip.headerFactory());
                        if (answer != null) {
                            cseq++;
                            send(answer);
                            return;
                        }
                    } catch (Exception e) {
                        LOG.info("Call {}: challenge of {} not answered: {}", call.callId(), trunk(), e.toString());
                    }
                }
                switch (status) {
                    case Response.REQUEST_TIMEOUT, Response.SERVER_INTERNAL_ERROR, Response.BAD_GATEWAY,
                            Response.SERVICE_UNAVAILABLE -> failOver(status + " " + r.getReasonPhrase());
                    case Response.BUSY_HERE, Response.BUSY_EVERYWHERE -> ended(this, Outcome.BUSY, null);
                    case Response.DECLINE -> ended(this, Outcome.DECLINED, null);
                    case Response.REQUEST_TERMINATED, Response.TEMPORARILY_UNAVAILABLE -> ended(this, Outcome.NO_ANSWER, null);
                    default -> ended(this, Outcome.UNREACHABLE, "trunk " + trunk().name() + ": " + status + " "
                            + r.getReasonPhrase());
                }
            }
        }

        @Override
        public void failed(ClientTransaction failed, Failure failure) {
            synchronized (OutboundCall.this) {
                if (!leg.owns(failed) || done) return;
                leg.failed();
                failOver(failure == Failure.TIMEOUT ? "no response" : "transport error");
            }
        }

        /** The next trunk when the target named none and no early media came; else the attempt ends. */
        private void failOver(String why) {
            String reason = "trunk " + trunk().name() + ": " + why;
            LOG.info("Call {}: {} failed over {}: {}", call.callId(), target.key(), trunk(), why);
            if (!cancelled && !OutboundCall.this.over && target.trunk() == null && !earlyMediaSeen
                    && trunk + 1 < route.size()) {
                release();
                trunk++;
                detail = reason;
                if (!invite()) ended(this, Outcome.UNREACHABLE, detail);
                return;
            }
            ended(this, Outcome.UNREACHABLE, reason);
        }

        /** CANCELs the INVITE once a provisional response came (RFC 3261 9.1), else as soon as one comes. */
        @Override
        void cancel() {
            cancelled = true;
            if (!done) leg.cancel();
            if (answered != this) release();
        }

        @Override
        void bye() {
            leg.bye();
        }

        @Override
        void release() {
            if (held != null) bridge.channels.release(held);
            held = null;
        }
    }
}
