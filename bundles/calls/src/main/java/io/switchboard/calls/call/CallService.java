package io.switchboard.calls.call;

import io.switchboard.calls.CallsConfig;
import io.switchboard.calls.call.CallViews.CallView;
import io.switchboard.calls.call.CallViews.Party;
import io.switchboard.sdk.accounts.AccountInfo;
import io.switchboard.sdk.accounts.AccountLookup;
import io.switchboard.sdk.api.ApiException;
import io.switchboard.sdk.api.Ids;
import io.switchboard.sdk.auth.AccountPrincipal;
import io.switchboard.sdk.calls.CallBridge;
import io.switchboard.sdk.calls.MediaRelay;
import io.switchboard.sdk.calls.MediaRelayException;
import io.switchboard.sdk.storage.FeatureDatabase;
import io.switchboard.sdk.stream.UpdatePublisher;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls between accounts: the state machine, the ring timer, the events on the stream, and the media
 * relay when one is registered.
 *
 * <p>Every step runs under one lock: calls are set up a few per second at most, and one order of
 * steps per call is what keeps "the first device to answer wins" true. Each step is stored before its
 * events go out, and calls still live are loaded back when the component starts again (a bundle
 * update keeps ringing calls ringing and answered calls answered; their ring timers are re-armed).
 */
@Component(service = CallService.class, configurationPid = CallsConfig.PID)
@Designate(ocd = CallsConfig.class)
public class CallService {
    /** Event Admin topic of a missed call; see docs/calls.md. */
    public static final String MISSED_TOPIC = "switchboard/calls/missed";
    static final int MAX_SDP = 32 * 1024;
    static final int MAX_CANDIDATE = 1024;
    /** A bridged call's own routing decides how long it rings; this only ends one whose bridge went silent. */
    static final Duration BRIDGE_RING_LIMIT = Duration.ofMinutes(10);
    private static final String CALLER_LEG = "caller";
    private static final String CALLEE_LEG = "callee";
    private static final Logger LOG = LoggerFactory.getLogger(CallService.class);

    private final CallStore store;
    private final UpdatePublisher publisher;
    private final AccountLookup accounts;
    private final Clock clock;
    private final Duration ringTimeout;
    private final ScheduledExecutorService timer;
    private final Map<String, Call> live = new HashMap<>();
    private final Map<String, ScheduledFuture<?>> ringTimers = new ConcurrentHashMap<>();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile EventAdmin events;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile MediaRelay relay;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile List<CallBridge> bridges = List.of();

    /** Calls carried on by a bridge (a company's PBX), by call id. */
    private final Map<String, CallBridge> bridged = new HashMap<>();

    @Activate
    public CallService(@Reference(target = "(switchboard.schema=calls)") FeatureDatabase database,
                       @Reference UpdatePublisher publisher, @Reference AccountLookup accounts, CallsConfig config) {
        this(new CallStore(database.dataSource()), publisher, accounts, Clock.systemUTC(),
                Duration.ofSeconds(Math.max(1, config.ring_timeout_seconds())));
    }

    CallService(CallStore store, UpdatePublisher publisher, AccountLookup accounts, Clock clock, Duration ringTimeout) {
        this.store = store;
        this.publisher = publisher;
        this.accounts = accounts;
        this.clock = clock;
        this.ringTimeout = ringTimeout;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "switchboard-calls-timer");
            t.setDaemon(true);
            return t;
        });
        for (Call c : store.live()) {
            live.put(c.id(), c);
            if (c.state() == CallState.RINGING) armRingTimer(c);
        }
        if (!live.isEmpty()) LOG.info("{} call(s) still live, taken over", live.size());
    }

    @Deactivate
    void deactivate() {
        timer.shutdownNow();
        ringTimers.clear();
    }

    void setRelay(MediaRelay relay) { this.relay = relay; }

    void setBridges(List<CallBridge> bridges) { this.bridges = List.copyOf(bridges); }

    void setEvents(EventAdmin events) { this.events = events; }

    // ---- steps

    /** {@code POST /api/v1/calls}. */
    public synchronized CallViews.Started start(AccountPrincipal caller, CallViews.NewCall body) {
        String to = requireText(body.to(), "to", 64);
        String sdp = requireSdp(body.sdp());
        boolean video = Boolean.TRUE.equals(body.video());
        AccountInfo callee = accounts.byHandle(to).orElseThrow(() -> ApiException.notFound("No account '" + to + "'."));
        if (callee.id().equals(caller.accountId())) {
            throw ApiException.badRequest("invalid_callee", "You cannot call yourself.");
        }
        if (accounts.blocks(callee.id(), caller.accountId())) {
            throw ApiException.forbidden("call_refused", "@" + callee.handle() + " does not take your calls.");
        }
        Instant now = clock.instant();
        Call call = Call.ringing(Ids.random("call"), caller.accountId(), callee.id(), video, now);
        CallBridge bridge = bridgeFor(callee.id());
        if (bridge != null) return startBridged(caller, call, sdp, bridge);
        if (inAnsweredCall(callee.id())) {
            Call busy = call.ended(CallState.BUSY, "busy", callee.id(), now);
            store.insert(busy);
            publishEnded(busy);
            return new CallViews.Started(busy.id(), busy.state().wire());
        }
        String offer = sdp;
        MediaRelay r = relay;
        if (r != null) {
            try {
                offer = r.offer(call.id(), CALLER_LEG, null, sdp, MediaRelay.Profile.WEBRTC);
            } catch (MediaRelayException e) {
                LOG.warn("Media relay refused the offer of call {}: {}", call.id(), e.getMessage());
                throw new ApiException(503, "media_relay_unavailable", "The media relay is not available.");
            }
        }
        store.insert(call);
        live.put(call.id(), call);
        armRingTimer(call);
        publisher.publish(callee.id(), "call.incoming", new CallViews.Incoming(call.id(), party(caller.accountId()),
                party(callee.id()), offer, video, now.toString()));
        return new CallViews.Started(call.id(), call.state().wire());
    }

    /** {@code POST …/answer}: the first of the callee's devices wins. */
    public synchronized CallView answer(AccountPrincipal who, String id, CallViews.Answer body) {
        String sdp = requireSdp(body.sdp());
        Call call = partyCall(who, id);
        if (call.callerId().equals(who.accountId())) {
            throw ApiException.forbidden("forbidden", "Only the called account answers a call.");
        }
        if (call.state() != CallState.RINGING) {
            throw ApiException.conflict("call_not_ringing", "The call is " + call.state().wire() + ".");
        }
        if (bridged.containsKey(id)) {
            throw ApiException.conflict("call_bridged", "This call rings at the company's phone system.");
        }
        String answer = sdp;
        MediaRelay r = relay;
        if (r != null) {
            try {
                answer = r.answer(call.id(), CALLER_LEG, CALLEE_LEG, sdp, MediaRelay.Profile.WEBRTC);
            } catch (MediaRelayException e) {
                LOG.warn("Media relay refused the answer of call {}: {}", call.id(), e.getMessage());
                throw new ApiException(503, "media_relay_unavailable", "The media relay is not available.");
            }
        }
        Call answered = call.answered(clock.instant());
        save(answered, CallState.RINGING);
        cancelRingTimer(id);
        publisher.publish(call.callerId(), "call.answered", new CallViews.Answered(id, answer));
        publisher.publish(call.calleeId(), "call.ended",
                new CallViews.Ended(id, answered.state().wire(), "answered_elsewhere", null));
        return view(answered);
    }

    /** {@code POST …/candidates}: passed to the other party; with a relay the relay does ICE itself. */
    public synchronized void candidate(AccountPrincipal who, String id, CallViews.Candidate body) {
        String candidate = requireText(body.candidate(), "candidate", MAX_CANDIDATE);
        if (body.sdpMid() != null && body.sdpMid().length() > 64) {
            throw ApiException.badRequest("invalid_candidate", "'sdpMid' is at most 64 characters.");
        }
        if (body.sdpMLineIndex() != null && (body.sdpMLineIndex() < 0 || body.sdpMLineIndex() > 63)) {
            throw ApiException.badRequest("invalid_candidate", "'sdpMLineIndex' is 0 to 63.");
        }
        Call call = partyCall(who, id);
        if (!call.state().live()) throw ApiException.conflict("call_ended", "The call is " + call.state().wire() + ".");
        if (relay != null) return;
        publisher.publish(call.peerOf(who.accountId()), "call.candidate",
                new CallViews.CandidateEvent(id, candidate, body.sdpMid(), body.sdpMLineIndex()));
    }

    /** {@code POST …/sdp}: renegotiation in an answered call (video switched on or off). */
    public synchronized void renegotiate(AccountPrincipal who, String id, CallViews.Sdp body) {
        String type = body.type();
        if (!"offer".equals(type) && !"answer".equals(type)) {
            throw ApiException.badRequest("invalid_type", "'type' is offer or answer.");
        }
        String sdp = requireSdp(body.sdp());
        Call call = partyCall(who, id);
        if (call.state() != CallState.ANSWERED) {
            throw ApiException.conflict("call_not_answered", "The call is " + call.state().wire() + ".");
        }
        boolean video = Boolean.TRUE.equals(body.video());
        String relayed = sdp;
        MediaRelay r = relay;
        if (r != null) {
            String mine = leg(call, who.accountId());
            String theirs = leg(call, call.peerOf(who.accountId()));
            try {
                relayed = "offer".equals(type)
                        ? r.offer(id, mine, theirs, sdp, MediaRelay.Profile.WEBRTC)
                        : r.answer(id, theirs, mine, sdp, MediaRelay.Profile.WEBRTC);
            } catch (MediaRelayException e) {
                LOG.warn("Media relay refused the new {} of call {}: {}", type, id, e.getMessage());
                throw new ApiException(503, "media_relay_unavailable", "The media relay is not available.");
            }
        }
        if (video && !call.video()) {
            Call withVideo = call.withVideo(true);
            save(withVideo, CallState.ANSWERED);
        }
        publisher.publish(call.peerOf(who.accountId()), "call.sdp", new CallViews.SdpEvent(id, type, relayed, video));
    }

    /**
     * {@code POST …/hangup}. Before an answer the caller cancels and the callee declines (or answers
     * busy); after it either ends the call. On a call already over nothing changes.
     */
    public synchronized void hangup(AccountPrincipal who, String id, CallViews.Hangup body) {
        String reason = body == null ? null : body.reason();
        if (reason != null && !List.of("decline", "busy", "hangup").contains(reason)) {
            throw ApiException.badRequest("invalid_reason", "'reason' is decline, busy or hangup.");
        }
        Call call = partyCall(who, id);
        if (!call.state().live()) return;
        Instant now = clock.instant();
        boolean byCaller = call.callerId().equals(who.accountId());
        Call ended;
        if (call.state() == CallState.ANSWERED) ended = call.ended(CallState.ENDED, "hangup", who.accountId(), now);
        else if (byCaller) ended = call.ended(CallState.CANCELLED, "cancelled", who.accountId(), now);
        else if ("busy".equals(reason)) ended = call.ended(CallState.BUSY, "busy", who.accountId(), now);
        else ended = call.ended(CallState.DECLINED, "declined", who.accountId(), now);
        finish(ended, call.state());
    }

    /** The ring timer fired: still ringing means nobody answered. */
    synchronized void ringTimedOut(String id) {
        ringTimers.remove(id);
        Call call = live.get(id);
        if (call == null || call.state() != CallState.RINGING) return;
        finish(call.ended(CallState.MISSED, "missed", null, clock.instant()), CallState.RINGING);
        EventAdmin ea = events;
        if (ea == null) {
            LOG.warn("Call {} was missed but no Event Admin is there to tell chat", id);
            return;
        }
        Map<String, Object> props = new HashMap<>();
        props.put("callId", call.id());
        props.put("callerId", call.callerId());
        props.put("calleeId", call.calleeId());
        props.put("video", call.video());
        props.put("startedAt", call.startedAt().toString());
        ea.postEvent(new Event(MISSED_TOPIC, props));
    }

    // ---- calls to a company's phone system

    private CallBridge bridgeFor(String calleeId) {
        for (CallBridge b : bridges) {
            if (b.bridges(calleeId)) return b;
        }
        return null;
    }

    /**
     * The callee is reached through a bridge: its offer is made plain RTP by the relay (a PBX speaks no
     * WebRTC), and the bridge's answers come back through {@link FarLeg}. Without a relay there is no way
     * to the PBX's media, so the call is refused.
     */
    private CallViews.Started startBridged(AccountPrincipal caller, Call call, String sdp, CallBridge bridge) {
        MediaRelay r = relay;
        if (r == null) {
            throw new ApiException(503, "media_relay_unavailable", "Calls to companies need the media relay (SWITCHBOARD_RTPENGINE).");
        }
        String offer;
        try {
            offer = r.offer(call.id(), CALLER_LEG, null, sdp, MediaRelay.Profile.RTP);
        } catch (MediaRelayException e) {
            LOG.warn("Media relay refused the offer of call {}: {}", call.id(), e.getMessage());
            throw new ApiException(503, "media_relay_unavailable", "The media relay is not available.");
        }
        store.insert(call);
        live.put(call.id(), call);
        bridged.put(call.id(), bridge);
        ringTimers.put(call.id(), timer.schedule(() -> safely(call.id(), () -> ringTimedOut(call.id())),
                Math.max(ringTimeout.toMillis(), BRIDGE_RING_LIMIT.toMillis()), TimeUnit.MILLISECONDS));
        bridge.ring(new CallBridge.BridgedCall(call.id(), caller.accountId(), caller.handle(), call.calleeId(), offer,
                call.video()), new FarLeg(call.id()));
        return new CallViews.Started(call.id(), call.state().wire());
    }

    /** The bridge's reports about one call, applied under the service's lock like every other step. */
    private final class FarLeg implements CallBridge.Listener {
        private final String id;

        FarLeg(String id) {
            this.id = id;
        }

        @Override public void ringing() {
            synchronized (CallService.this) {
                Call call = live.get(id);
                if (call != null && call.state() == CallState.RINGING) {
                    publisher.publish(call.callerId(), "call.ringing", new CallViews.Progress(id, null));
                }
            }
        }

        @Override public void earlyMedia(String sdp) {
            synchronized (CallService.this) {
                Call call = live.get(id);
                if (call == null || call.state() != CallState.RINGING) return;
                String forCaller = throughRelay(call, sdp);
                if (forCaller != null) publisher.publish(call.callerId(), "call.ringing", new CallViews.Progress(id, forCaller));
            }
        }

        @Override public void answered(String sdp) {
            synchronized (CallService.this) {
                Call call = live.get(id);
                if (call == null || call.state() != CallState.RINGING) return;
                String forCaller = throughRelay(call, sdp);
                if (forCaller == null) {
                    finish(call.ended(CallState.FAILED, "failed", null, clock.instant()), CallState.RINGING);
                    return;
                }
                Call answered = call.answered(clock.instant());
                save(answered, CallState.RINGING);
                cancelRingTimer(id);
                publisher.publish(call.callerId(), "call.answered", new CallViews.Answered(id, forCaller));
            }
        }

        @Override public void failed(String reason, String detail) {
            synchronized (CallService.this) {
                Call call = live.get(id);
                if (call == null || call.state() != CallState.RINGING) return;
                LOG.info("Call {} to a company was not placed: {} ({})", id, reason, detail);
                CallState end = switch (reason == null ? "" : reason) {
                    case "busy" -> CallState.BUSY;
                    case "declined" -> CallState.DECLINED;
                    case "missed" -> CallState.MISSED;
                    default -> CallState.FAILED;
                };
                String by = end == CallState.BUSY || end == CallState.DECLINED ? call.calleeId() : null;
                bridged.remove(id);
                finish(call.ended(end, end.wire(), by, clock.instant()), CallState.RINGING);
            }
        }

        @Override public void ended() {
            synchronized (CallService.this) {
                Call call = live.get(id);
                if (call == null || call.state() != CallState.ANSWERED) return;
                bridged.remove(id);
                finish(call.ended(CallState.ENDED, "hangup", call.calleeId(), clock.instant()), CallState.ANSWERED);
            }
        }

        /** The far leg's answer made WebRTC for the caller's browser; null when the relay refused it. */
        private String throughRelay(Call call, String sdp) {
            MediaRelay r = relay;
            if (r == null) return null;
            try {
                return r.answer(call.id(), CALLER_LEG, CALLEE_LEG, sdp, MediaRelay.Profile.WEBRTC);
            } catch (MediaRelayException e) {
                LOG.warn("Media relay refused the far answer of call {}: {}", call.id(), e.getMessage());
                return null;
            }
        }
    }

    // ---- reading

    public synchronized CallView get(AccountPrincipal who, String id) {
        return view(partyCall(who, id));
    }

    public List<CallView> history(AccountPrincipal who, String before, int limit) {
        if (before != null) {
            Optional<Call> anchor = findCall(before);
            if (anchor.isEmpty() || !anchor.get().party(who.accountId())) throw ApiException.notFound("No such call.");
        }
        return store.history(who.accountId(), before, limit).stream().map(this::view).toList();
    }

    public synchronized int liveCalls() { return live.size(); }

    // ---- inside

    private void finish(Call ended, CallState from) {
        save(ended, from);
        cancelRingTimer(ended.id());
        // Still bridged means the far leg does not know yet (its own reports take the call out first).
        CallBridge bridge = bridged.remove(ended.id());
        if (bridge != null) bridge.hangup(ended.id());
        MediaRelay r = relay;
        if (r != null) r.delete(ended.id());
        publishEnded(ended);
    }

    private void save(Call next, CallState expected) {
        if (!store.update(next, expected)) {
            // Another runtime on the same database moved it: take the stored state and refuse this step.
            store.find(next.id()).ifPresentOrElse(this::remember, () -> live.remove(next.id()));
            throw ApiException.conflict("call_changed", "The call changed meanwhile; fetch it again.");
        }
        remember(next);
    }

    private static String leg(Call call, String accountId) {
        return call.callerId().equals(accountId) ? CALLER_LEG : CALLEE_LEG;
    }

    private void remember(Call c) {
        if (c.state().live()) live.put(c.id(), c);
        else live.remove(c.id());
    }

    private void publishEnded(Call c) {
        CallViews.Ended ended = new CallViews.Ended(c.id(), c.state().wire(), c.reason(), handle(c.endedBy()));
        publisher.publish(List.of(c.callerId(), c.calleeId()), "call.ended", ended);
    }

    private boolean inAnsweredCall(String accountId) {
        return live.values().stream().anyMatch(c -> c.state() == CallState.ANSWERED && c.party(accountId));
    }

    /** The call if {@code who} is one of its parties; 404 otherwise, also for ids that do not exist. */
    private Call partyCall(AccountPrincipal who, String id) {
        Call call = findCall(id).orElseThrow(() -> ApiException.notFound("No such call."));
        if (!call.party(who.accountId())) throw ApiException.notFound("No such call.");
        return call;
    }

    private Optional<Call> findCall(String id) {
        if (id == null || id.length() > 64) return Optional.empty();
        Call c = live.get(id);
        return c != null ? Optional.of(c) : store.find(id);
    }

    private void armRingTimer(Call c) {
        long delay = Math.max(0, Duration.between(clock.instant(), c.startedAt().plus(ringTimeout)).toMillis());
        ringTimers.put(c.id(), timer.schedule(() -> safely(c.id(), () -> ringTimedOut(c.id())), delay, TimeUnit.MILLISECONDS));
    }

    private static void safely(String id, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            LOG.error("Ring timeout of call {} failed", id, e);
        }
    }

    private void cancelRingTimer(String id) {
        ScheduledFuture<?> f = ringTimers.remove(id);
        if (f != null) f.cancel(false);
    }

    CallView view(Call c) {
        return new CallView(c.id(), party(c.callerId()), party(c.calleeId()), c.video(), c.state().wire(), c.reason(),
                handle(c.endedBy()), text(c.startedAt()), text(c.answeredAt()), text(c.endedAt()));
    }

    private Party party(String accountId) {
        return accounts.byId(accountId).map(a -> new Party(a.handle(), a.displayName()))
                .orElse(new Party(null, "Deleted account"));
    }

    private String handle(String accountId) {
        return accountId == null ? null : accounts.byId(accountId).map(AccountInfo::handle).orElse(null);
    }

    private static String text(Instant t) {
        return t == null ? null : t.toString();
    }

    private static String requireSdp(String sdp) {
        requireText(sdp, "sdp", MAX_SDP);
        if (!sdp.startsWith("v=0")) throw ApiException.badRequest("invalid_sdp", "'sdp' is a session description (v=0 …).");
        return sdp;
    }

    private static String requireText(String value, String field, int max) {
        if (value == null || value.isBlank()) throw ApiException.badRequest("missing_field", "'" + field + "' is required.");
        if (value.length() > max) {
            throw ApiException.badRequest("field_too_long", "'" + field + "' is at most " + max + " characters.");
        }
        return value;
    }
}
