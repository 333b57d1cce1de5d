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
import io.switchboard.sdk.calls.CallFork;
import io.switchboard.sdk.calls.CallGateway;
import io.switchboard.sdk.calls.CallRefusedException;
import io.switchboard.sdk.calls.MediaRelay;
import io.switchboard.sdk.calls.MediaRelayException;
import io.switchboard.sdk.concurrent.DaemonThreads;
import io.switchboard.sdk.concurrent.Draining;
import io.switchboard.sdk.storage.FeatureDatabase;
import io.switchboard.sdk.stream.UpdatePublisher;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
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
 * <p>Every step decides under one lock, which keeps one order of steps per call ("the first device
 * to answer wins"), and does no database work under it: accounts, trunks and rules are looked up
 * before it, and the step's writes go to the {@link CallLog}, which commits them in order, those of
 * many calls together, and only then sends what the step tells (its events, the legs). So each step is
 * stored before its events go out, while one call's commit never holds up another call's step. A
 * step asked for over REST answers after its commit. Calls still live are loaded back when the
 * component starts again (a bundle update keeps ringing calls ringing and answered calls answered;
 * their ring timers are re-armed).
 *
 * <p>Telephony legs take part through the SDK: a {@link CallBridge} carries calls to a company on to its
 * PBX, a {@link CallFork} rings a user's SIP phones along with the user's devices, and calls that start
 * on another network come in through this service as the {@link CallGateway}. Those legs speak plain
 * RTP, so the relay converts between them and browsers. What this service tells a leg (ring, hang up,
 * the outcome of a call it placed) goes out on one thread of its own, in order, and never under the
 * lock: a leg may call back at once. Events go out on another (storing them is the gateway's round trip).
 */
@Component(service = {CallService.class, CallGateway.class}, configurationPid = CallsConfig.PID)
@Designate(ocd = CallsConfig.class)
public class CallService implements CallGateway {
    /** Event Admin topic of a missed call; see docs/calls.md. */
    public static final String MISSED_TOPIC = "switchboard/calls/missed";
    static final int MAX_SDP = 32 * 1024;
    static final int MAX_CANDIDATE = 1024;
    /** A bridged call's own routing decides how long it rings; this only ends one whose bridge went silent. */
    static final Duration BRIDGE_RING_LIMIT = Duration.ofMinutes(10);
    private static final String CALLER_LEG = "caller";
    private static final String CALLEE_LEG = "callee";
    /** The relay session of the branch that rings the callee's phones: the call id with this after it. */
    static final String PHONES = "~phones";
    /** What a bridge may name a branch of its far leg. */
    private static final java.util.regex.Pattern BRANCH = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{1,32}");
    private static final Logger LOG = LoggerFactory.getLogger(CallService.class);

    private final CallStore store;
    private final UpdatePublisher publisher;
    private final AccountLookup accounts;
    private final Clock clock;
    private final Duration ringTimeout;
    private final ScheduledExecutorService timer;
    private final Map<String, Call> live = new HashMap<>();
    /** Calls ended in memory whose end the log has not committed yet: what a reader gets instead of the store's. */
    private final Map<String, Call> unstored = new ConcurrentHashMap<>();
    private final Map<String, ScheduledFuture<?>> ringTimers = new ConcurrentHashMap<>();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile EventAdmin events;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile MediaRelay relay;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile List<CallBridge> bridges = List.of();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile List<CallFork> forks = List.of();

    /** Calls carried on by a bridge (a company's PBX), by call id. */
    private final Map<String, CallBridge> bridged = new HashMap<>();
    /** Calls ringing (or answered on) the callee's phones, by call id. */
    private final Map<String, CallFork> forked = new HashMap<>();
    /** Calls answered on one of the callee's phones. */
    private final java.util.Set<String> answeredOnPhone = new java.util.HashSet<>();
    /** Calls that came in through the gateway: who placed them, by call id. */
    private final Map<String, CallBridge.Listener> gatewayCallers = new HashMap<>();
    /** Calls from the gateway that ring the callee's browsers too. */
    private final java.util.Set<String> webRung = new java.util.HashSet<>();
    /** Where the legs are told what happens, in order, off the lock. */
    private final Executor legs;
    private final ExecutorService ownLegs;
    /** Where events are published, in order, off the lock. */
    private final Executor publishing;
    private final ExecutorService ownPublishing;
    private final CallLog log;
    /** The step running under the lock: what it writes and tells. Only the lock's holder touches it. */
    private Step step;

    @Activate
    public CallService(@Reference(target = "(switchboard.schema=calls)") FeatureDatabase database,
                       @Reference UpdatePublisher publisher, @Reference AccountLookup accounts, CallsConfig config) {
        this(new CallStore(database.dataSource()), publisher, accounts, Clock.systemUTC(),
                Duration.ofSeconds(Math.max(1, config.ring_timeout_seconds())), null);
    }

    /**
     * {@code legs} null: threads of the service's own for the legs, the events and the log. Else the
     * legs are told and the events published on {@code legs}, and each step is written on its own
     * thread before it returns (tests that take calls step by step).
     */
    CallService(CallStore store, UpdatePublisher publisher, AccountLookup accounts, Clock clock, Duration ringTimeout,
                Executor legs) {
        this.ownLegs = legs == null ? Executors.newSingleThreadExecutor(DaemonThreads.named("switchboard-calls-legs")) : null;
        this.legs = legs == null ? ownLegs : legs;
        this.ownPublishing = legs == null ? Executors.newSingleThreadExecutor(DaemonThreads.named("switchboard-calls-events")) : null;
        this.publishing = legs == null ? ownPublishing : legs;
        this.log = new CallLog(store, legs == null);
        this.store = store;
        this.publisher = publisher;
        this.accounts = accounts;
        this.clock = clock;
        this.ringTimeout = ringTimeout;
        this.timer = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("switchboard-calls-timer"));
        for (Call c : store.live()) {
            live.put(c.id(), c);
            if (c.state() == CallState.RINGING) armRingTimer(c);
        }
        if (!live.isEmpty()) LOG.info("{} call(s) still live, taken over", live.size());
    }

    /** Stops the timer, commits what the log holds and hands it on, then lets the events and legs finish. */
    @Deactivate
    void deactivate() {
        timer.shutdownNow();
        ringTimers.clear();
        log.close();
        drain(ownPublishing);
        drain(ownLegs);
    }

    private static void drain(ExecutorService executor) {
        if (executor != null && !Draining.stop(executor, Duration.ofSeconds(2))) {
            LOG.warn("Call work was still running 2 s after the calls feature stopped; it was interrupted");
        }
    }

    // ---- a step: decided under the lock, written by the log, told after its commit

    /** What a step writes and tells. */
    private static final class Step {
        final List<CallLog.Write> writes = new ArrayList<>();
        final List<Runnable> after = new ArrayList<>();
    }

    private interface Body<T, E extends Exception> {
        T run() throws E;
    }

    /**
     * Runs {@code body} under the lock and hands what it wrote and told to the log, also when it
     * throws (a call refused as busy is stored as such). {@code awaitCommit}: returns after the commit
     * (a REST step, whose answer says the change is stored).
     */
    private <T, E extends Exception> T step(boolean awaitCommit, Body<T, E> body) throws E {
        T result;
        CompletableFuture<Void> stored;
        synchronized (this) {
            if (step != null) return body.run(); // a step within a step: one step
            Step s = new Step();
            step = s;
            try {
                result = body.run();
            } finally {
                step = null;
                stored = s.writes.isEmpty() && s.after.isEmpty() ? null : log.submit(s.writes, s.after);
            }
        }
        if (awaitCommit && stored != null) awaitStored(stored);
        return result;
    }

    private static void awaitStored(CompletableFuture<Void> stored) {
        try {
            stored.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new ApiException(503, "calls_busy", "The call's change is not stored yet; fetch the call again.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "calls_busy", "The call's change is not stored yet; fetch the call again.");
        }
    }

    private void write(CallLog.Write w) {
        step.writes.add(w);
    }

    private void insert(Call call) {
        write(c -> store.insert(c, call));
    }

    /** Tells a leg, after the step's commit. */
    private void toLeg(Runnable r) {
        step.after.add(() -> legs.execute(r));
    }

    /**
     * Publishes a stored event after the step's commit; {@code data} is made on the publishing thread,
     * so the accounts it names are looked up there, not under the lock.
     */
    private void publish(String accountId, String type, Supplier<Object> data) {
        publish(List.of(accountId), type, data);
    }

    private void publish(List<String> accountIds, String type, Supplier<Object> data) {
        step.after.add(() -> publishing.execute(() -> publisher.publish(accountIds, type, data.get())));
    }

    void setRelay(MediaRelay relay) { this.relay = relay; }

    void setBridges(List<CallBridge> bridges) { this.bridges = List.copyOf(bridges); }

    void setForks(List<CallFork> forks) { this.forks = List.copyOf(forks); }

    void setEvents(EventAdmin events) { this.events = events; }

    // ---- steps

    /** {@code POST /api/v1/calls}. */
    public CallViews.Started start(AccountPrincipal caller, CallViews.NewCall body) {
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
        // Looked up before the lock: trunks, rules and phones are the telephony bundle's reads.
        CallBridge bridge = bridgeFor(callee.id());
        CallFork phones = bridge == null && relay != null ? forkFor(callee.id()) : null;
        return step(true, () -> start(caller, callee, sdp, video, bridge, phones));
    }

    private CallViews.Started start(AccountPrincipal caller, AccountInfo callee, String sdp, boolean video,
                                    CallBridge bridge, CallFork phones) {
        Instant now = clock.instant();
        Call call = Call.ringing(Ids.random("call"), caller.accountId(), callee.id(), video, now);
        if (bridge != null) return startBridged(caller, call, sdp, bridge);
        if (inAnsweredCall(callee.id())) {
            Call busy = call.ended(CallState.BUSY, "busy", callee.id(), now);
            insert(busy);
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
        // The callee's SIP phones speak plain RTP: only the relay gets a browser's media to them.
        CallFork fork = r == null ? null : phones;
        String phonesOffer = fork == null ? null : phonesOffer(call, sdp);
        insert(call);
        live.put(call.id(), call);
        armRingTimer(call);
        String calleeOffer = offer;
        publish(callee.id(), "call.incoming", () -> new CallViews.Incoming(call.id(), party(caller.accountId()),
                party(callee.id()), calleeOffer, video, now.toString()));
        if (phonesOffer != null) ringPhones(call, caller.handle(), fork, phonesOffer, r == null ? null : sdp);
        return new CallViews.Started(call.id(), call.state().wire());
    }

    // ---- calls from another network (CallGateway)

    @Override
    public String call(IncomingCall in, CallBridge.Listener listener) throws CallRefusedException {
        if (in == null || listener == null) throw new CallRefusedException("invalid", "No call.");
        String sdp = in.offer();
        if (sdp == null || !sdp.startsWith("v=0") || sdp.length() > MAX_SDP) {
            throw new CallRefusedException("invalid", "The offer is no session description of at most " + MAX_SDP + " characters.");
        }
        AccountInfo caller = in.callerAccountId() == null ? null : accounts.byId(in.callerAccountId()).orElse(null);
        AccountInfo callee = in.calleeAccountId() == null ? null : accounts.byId(in.calleeAccountId()).orElse(null);
        if (caller == null || callee == null) throw new CallRefusedException("not_found", "No such account.");
        if (caller.id().equals(callee.id())) throw new CallRefusedException("invalid", "An account cannot call itself.");
        if (accounts.blocks(callee.id(), caller.id())) {
            throw new CallRefusedException("refused", "@" + callee.handle() + " does not take calls from @" + caller.handle() + ".");
        }
        // Looked up before the lock, as in start.
        CallBridge bridge = bridgeFor(callee.id());
        CallFork phones = bridge == null ? forkFor(callee.id()) : null;
        return step(false, () -> call(in, listener, sdp, caller, callee, bridge, phones));
    }

    private String call(IncomingCall in, CallBridge.Listener listener, String sdp, AccountInfo caller, AccountInfo callee,
                        CallBridge bridge, CallFork phones) throws CallRefusedException {
        Instant now = clock.instant();
        Call call = Call.ringing(Ids.random("call"), caller.id(), callee.id(), in.video(), now);
        MediaRelay r = relay;
        if (bridge != null) {
            // Phone to company: plain RTP on both legs, through the relay when there is one.
            String offer = sdp;
            if (r != null) {
                try {
                    offer = r.branchOffer(call.id(), CALLER_LEG, branchTag(null), sdp, MediaRelay.Profile.RTP);
                } catch (MediaRelayException e) {
                    LOG.warn("Media relay refused the offer of call {}: {}", call.id(), e.getMessage());
                    throw new CallRefusedException("unavailable", "The media relay is not available.");
                }
            }
            gatewayCallers.put(call.id(), listener);
            bridge(call, caller.handle(), offer, r == null ? null : sdp, bridge);
            return call.id();
        }
        if (inAnsweredCall(callee.id())) {
            Call busy = call.ended(CallState.BUSY, "busy", callee.id(), now);
            insert(busy);
            publishEnded(busy);
            throw new CallRefusedException("busy", "@" + callee.handle() + " is in a call.");
        }
        // Browsers need the relay (WebRTC); phones take the offer as it is when there is none.
        String webOffer = null;
        if (r != null && publisher.connected(callee.id())) {
            try {
                webOffer = r.offer(call.id(), CALLER_LEG, null, sdp, MediaRelay.Profile.WEBRTC);
            } catch (MediaRelayException e) {
                LOG.warn("Media relay refused the offer of call {}: {}", call.id(), e.getMessage());
            }
        }
        CallFork fork = phones;
        String phonesOffer = fork == null ? null : phonesOffer(call, sdp);
        if (webOffer == null && phonesOffer == null) {
            Call missed = call.ended(CallState.MISSED, "missed", null, now);
            insert(missed);
            publishEnded(missed);
            tellChatMissed(missed);
            throw new CallRefusedException("offline", "Nothing of @" + callee.handle() + "'s can ring now.");
        }
        insert(call);
        live.put(call.id(), call);
        gatewayCallers.put(call.id(), listener);
        armRingTimer(call);
        if (webOffer != null) {
            webRung.add(call.id());
            String calleeOffer = webOffer;
            publish(callee.id(), "call.incoming", () -> new CallViews.Incoming(call.id(), party(caller.id()),
                    party(callee.id()), calleeOffer, in.video(), now.toString()));
            toLeg(listener::ringing);
        }
        if (phonesOffer != null) ringPhones(call, caller.handle(), fork, phonesOffer, r == null ? null : sdp);
        return call.id();
    }

    @Override
    public void hangup(String callId) {
        step(false, () -> {
            Call call = callId == null ? null : live.get(callId);
            if (call == null || gatewayCallers.remove(callId) == null) return null;
            Instant now = clock.instant();
            Call ended = call.state() == CallState.ANSWERED
                    ? call.ended(CallState.ENDED, "hangup", call.callerId(), now)
                    : call.ended(CallState.CANCELLED, "cancelled", call.callerId(), now);
            finish(ended, call.state());
            return null;
        });
    }

    @Override
    public synchronized boolean inCall(String accountId) {
        return accountId != null && inAnsweredCall(accountId);
    }

    // ---- the callee's phones (CallFork)

    private CallFork forkFor(String calleeId) {
        for (CallFork f : forks) {
            try {
                if (f.reaches(calleeId)) return f;
            } catch (RuntimeException e) {
                LOG.warn("A call fork failed to say whether it reaches {}: {}", calleeId, e.toString());
            }
        }
        return null;
    }

    /** The caller's offer made plain RTP for the phones; null when the relay refused (the phones stay out). */
    private String phonesOffer(Call call, String sdp) {
        MediaRelay r = relay;
        if (r == null) return sdp;
        try {
            return r.branchOffer(call.id() + PHONES, CALLER_LEG, branchTag(null), sdp, MediaRelay.Profile.RTP);
        } catch (MediaRelayException e) {
            LOG.warn("Media relay refused the phones' offer of call {}: {}", call.id(), e.getMessage());
            return null;
        }
    }

    /** Rings the callee's phones; {@code callerSdp} is the caller's offer when the relay made {@code offer} of it. */
    private void ringPhones(Call call, String callerHandle, CallFork fork, String offer, String callerSdp) {
        forked.put(call.id(), fork);
        CallBridge.BridgedCall placed = new CallBridge.BridgedCall(call.id(), call.callerId(), callerHandle,
                call.calleeId(), offer, call.video());
        PhonesLeg leg = new PhonesLeg(call.id(), callerSdp);
        toLeg(() -> fork.ring(placed, leg));
    }

    /** What the callee's phones report, under the service's lock like every other step. */
    private final class PhonesLeg implements CallBridge.Listener {
        private final String id;
        /** The caller's offer, from which the relay makes one per phone; null without a relay. */
        private final String callerSdp;

        PhonesLeg(String id, String callerSdp) {
            this.id = id;
            this.callerSdp = callerSdp;
        }

        @Override public String branchOffer(String branch) {
            synchronized (CallService.this) {
                Call call = live.get(id);
                if (call == null || call.state() != CallState.RINGING || !forked.containsKey(id)) return null;
                return relayBranchOffer(id + PHONES, branch, callerSdp);
            }
        }

        @Override public void ringing() {
            step(false, () -> {
                Call call = live.get(id);
                if (call == null || call.state() != CallState.RINGING || !forked.containsKey(id)) return null;
                toCaller(call).ringing(null);
                return null;
            });
        }

        @Override public void earlyMedia(String sdp) {
            // Several devices ring: early media from one of them is not what the caller should hear.
        }

        @Override public void answered(String sdp) {
            answered(null, sdp);
        }

        @Override public void answered(String branch, String sdp) {
            step(false, () -> {
                Call call = live.get(id);
                if (call == null || call.state() != CallState.RINGING || !forked.containsKey(id)) return null;
                String forCaller = sdp;
                MediaRelay r = relay;
                if (r != null) {
                    try {
                        forCaller = relayAnswer(r, id + PHONES, id, branch, callerSdp != null, sdp);
                    } catch (MediaRelayException e) {
                        LOG.warn("Media relay refused the phone's answer of call {}: {}", id, e.getMessage());
                        forked.remove(id);
                        finish(call.ended(CallState.FAILED, "failed", null, clock.instant()), CallState.RINGING);
                        return null;
                    }
                    r.delete(id);
                }
                Call answered = call.answered(clock.instant());
                save(answered, CallState.RINGING);
                cancelRingTimer(id);
                answeredOnPhone.add(id);
                toCaller(call).answered(forCaller);
                publish(call.calleeId(), "call.ended",
                        () -> new CallViews.Ended(id, answered.state().wire(), "answered_elsewhere", null));
                return null;
            });
        }

        @Override public void failed(String reason, String detail) {
            step(false, () -> {
                if (forked.remove(id) == null) return null;
                LOG.info("Call {}: the callee's phones did not answer: {} ({})", id, reason, detail);
                MediaRelay r = relay;
                if (r != null) r.delete(id + PHONES);
                Call call = live.get(id);
                // The browsers ring on; when nothing else rings, the phones' answer is the call's.
                if (call != null && call.state() == CallState.RINGING && !webRinging(call)) {
                    CallState end = "busy".equals(reason) ? CallState.BUSY
                            : "declined".equals(reason) ? CallState.DECLINED : CallState.MISSED;
                    String by = end == CallState.MISSED ? null : call.calleeId();
                    finish(call.ended(end, end.wire(), by, clock.instant()), CallState.RINGING);
                }
                return null;
            });
        }

        @Override public void ended() {
            step(false, () -> {
                Call call = live.get(id);
                if (call == null || call.state() != CallState.ANSWERED || forked.remove(id) == null) return null;
                finish(call.ended(CallState.ENDED, "hangup", call.calleeId(), clock.instant()), CallState.ANSWERED);
                return null;
            });
        }
    }

    /** True when the callee's browsers were offered the call (a call from the web always; from a phone when online). */
    private boolean webRinging(Call call) {
        return !gatewayCallers.containsKey(call.id()) || webRung.contains(call.id());
    }

    /** {@code POST …/answer}: the first of the callee's devices wins. */
    public CallView answer(AccountPrincipal who, String id, CallViews.Answer body) {
        String sdp = requireSdp(body.sdp());
        return view(step(true, () -> answer(who, id, sdp)));
    }

    private Call answer(AccountPrincipal who, String id, String sdp) {
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
        if (gatewayCallers.containsKey(id) && !webRung.contains(id)) {
            throw ApiException.conflict("call_on_phone", "This call rings on your SIP phones only.");
        }
        String answer = sdp;
        MediaRelay r = relay;
        if (r != null) {
            try {
                answer = r.answer(call.id(), CALLER_LEG, CALLEE_LEG, sdp, callerProfile(id));
            } catch (MediaRelayException e) {
                LOG.warn("Media relay refused the answer of call {}: {}", call.id(), e.getMessage());
                throw new ApiException(503, "media_relay_unavailable", "The media relay is not available.");
            }
        }
        Call answered = call.answered(clock.instant());
        save(answered, CallState.RINGING);
        cancelRingTimer(id);
        stopPhones(id);
        toCaller(call).answered(answer);
        publish(call.calleeId(), "call.ended",
                () -> new CallViews.Ended(id, answered.state().wire(), "answered_elsewhere", null));
        return answered;
    }

    /** {@code POST …/candidates}: passed to the other party; with a relay the relay does ICE itself. */
    public void candidate(AccountPrincipal who, String id, CallViews.Candidate body) {
        String candidate = requireText(body.candidate(), "candidate", MAX_CANDIDATE);
        if (body.sdpMid() != null && body.sdpMid().length() > 64) {
            throw ApiException.badRequest("invalid_candidate", "'sdpMid' is at most 64 characters.");
        }
        if (body.sdpMLineIndex() != null && (body.sdpMLineIndex() < 0 || body.sdpMLineIndex() > 63)) {
            throw ApiException.badRequest("invalid_candidate", "'sdpMLineIndex' is 0 to 63.");
        }
        step(false, () -> {
            Call call = partyCall(who, id);
            if (!call.state().live()) throw ApiException.conflict("call_ended", "The call is " + call.state().wire() + ".");
            if (relay != null) return null;
            publish(call.peerOf(who.accountId()), "call.candidate",
                    () -> new CallViews.CandidateEvent(id, candidate, body.sdpMid(), body.sdpMLineIndex()));
            return null;
        });
    }

    /** {@code POST …/sdp}: renegotiation in an answered call (video switched on or off). */
    public void renegotiate(AccountPrincipal who, String id, CallViews.Sdp body) {
        String type = body.type();
        if (!"offer".equals(type) && !"answer".equals(type)) {
            throw ApiException.badRequest("invalid_type", "'type' is offer or answer.");
        }
        String sdp = requireSdp(body.sdp());
        boolean video = Boolean.TRUE.equals(body.video());
        step(true, () -> {
            renegotiate(who, id, type, sdp, video);
            return null;
        });
    }

    private void renegotiate(AccountPrincipal who, String id, String type, String sdp, boolean video) {
        Call call = partyCall(who, id);
        if (call.state() != CallState.ANSWERED) {
            throw ApiException.conflict("call_not_answered", "The call is " + call.state().wire() + ".");
        }
        if (onPhone(id)) {
            throw ApiException.conflict("call_on_phone", "A call with a phone keeps the media it started with.");
        }
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
        String forPeer = relayed;
        publish(call.peerOf(who.accountId()), "call.sdp", () -> new CallViews.SdpEvent(id, type, forPeer, video));
    }

    /**
     * {@code POST …/hangup}. Before an answer the caller cancels and the callee declines (or answers
     * busy); after it either ends the call. On a call already over nothing changes.
     */
    public void hangup(AccountPrincipal who, String id, CallViews.Hangup body) {
        String reason = body == null ? null : body.reason();
        if (reason != null && !List.of("decline", "busy", "hangup").contains(reason)) {
            throw ApiException.badRequest("invalid_reason", "'reason' is decline, busy or hangup.");
        }
        step(true, () -> {
            hangup(who, id, reason);
            return null;
        });
    }

    private void hangup(AccountPrincipal who, String id, String reason) {
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
    void ringTimedOut(String id) {
        step(false, () -> {
            ringTimers.remove(id);
            Call call = live.get(id);
            if (call == null || call.state() != CallState.RINGING) return null;
            Call missed = call.ended(CallState.MISSED, "missed", null, clock.instant());
            finish(missed, CallState.RINGING);
            tellChatMissed(missed);
            return null;
        });
    }

    /** Chat writes the missed-call message (Event Admin, asynchronously). */
    private void tellChatMissed(Call call) {
        EventAdmin ea = events;
        if (ea == null) {
            LOG.warn("Call {} was missed but no Event Admin is there to tell chat", call.id());
            return;
        }
        Map<String, Object> props = new HashMap<>();
        props.put("callId", call.id());
        props.put("callerId", call.callerId());
        props.put("calleeId", call.calleeId());
        props.put("video", call.video());
        props.put("startedAt", call.startedAt().toString());
        step.after.add(() -> ea.postEvent(new Event(MISSED_TOPIC, props)));
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
            offer = r.branchOffer(call.id(), CALLER_LEG, branchTag(null), sdp, MediaRelay.Profile.RTP);
        } catch (MediaRelayException e) {
            LOG.warn("Media relay refused the offer of call {}: {}", call.id(), e.getMessage());
            throw new ApiException(503, "media_relay_unavailable", "The media relay is not available.");
        }
        bridge(call, caller.handle(), offer, sdp, bridge);
        return new CallViews.Started(call.id(), call.state().wire());
    }

    /**
     * Hands the call to the bridge; {@code callerSdp} is the caller's own offer when the relay made
     * {@code offer} from it, so that each further branch of the far leg gets media of its own.
     */
    private void bridge(Call call, String callerHandle, String offer, String callerSdp, CallBridge bridge) {
        insert(call);
        live.put(call.id(), call);
        bridged.put(call.id(), bridge);
        ringTimers.put(call.id(), timer.schedule(() -> safely(call.id(), () -> ringTimedOut(call.id())),
                Math.max(ringTimeout.toMillis(), BRIDGE_RING_LIMIT.toMillis()), TimeUnit.MILLISECONDS));
        CallBridge.BridgedCall placed = new CallBridge.BridgedCall(call.id(), call.callerId(), callerHandle,
                call.calleeId(), offer, call.video());
        FarLeg leg = new FarLeg(call.id(), callerSdp);
        toLeg(() -> bridge.ring(placed, leg));
    }

    /**
     * The caller's offer made for one more branch (a target rung at once with others) of the relay
     * session {@code session}; null without a relay, for a bad branch name, or when the relay refused.
     */
    private String relayBranchOffer(String session, String branch, String callerSdp) {
        MediaRelay r = relay;
        if (r == null || callerSdp == null || branch == null || !BRANCH.matcher(branch).matches()) return null;
        try {
            return r.branchOffer(session, CALLER_LEG, branchTag(branch), callerSdp, MediaRelay.Profile.RTP);
        } catch (MediaRelayException e) {
            LOG.warn("Media relay refused branch {} of {}: {}", branch, session, e.getMessage());
            return null;
        }
    }

    /**
     * The answer on {@code branch} through the relay session {@code session} of call {@code id}, as the
     * caller speaks it: on that branch's own media when the session's offers were made per branch
     * ({@code branched}), else on the one shared offer.
     */
    private String relayAnswer(MediaRelay r, String session, String id, String branch, boolean branched, String sdp)
            throws MediaRelayException {
        if (branch != null && !BRANCH.matcher(branch).matches()) throw new MediaRelayException("no branch " + branch);
        return branched ? r.branchAnswer(session, CALLER_LEG, branchTag(branch), sdp, callerProfile(id))
                : r.answer(session, CALLER_LEG, CALLEE_LEG, sdp, callerProfile(id));
    }

    /** The relay's tag of a branch of the far leg: the first ({@code null}) is the callee leg itself. */
    static String branchTag(String branch) {
        return branch == null ? CALLEE_LEG : CALLEE_LEG + "." + branch;
    }

    /** The bridge's reports about one call, applied under the service's lock like every other step. */
    private final class FarLeg implements CallBridge.Listener {
        private final String id;
        /** The caller's offer, from which the relay makes one per branch; null without a relay. */
        private final String callerSdp;

        FarLeg(String id, String callerSdp) {
            this.id = id;
            this.callerSdp = callerSdp;
        }

        @Override public String branchOffer(String branch) {
            synchronized (CallService.this) {
                Call call = live.get(id);
                if (call == null || call.state() != CallState.RINGING) return null;
                return relayBranchOffer(id, branch, callerSdp);
            }
        }

        @Override public void ringing() {
            step(false, () -> {
                Call call = live.get(id);
                if (call != null && call.state() == CallState.RINGING) toCaller(call).ringing(null);
                return null;
            });
        }

        @Override public void earlyMedia(String sdp) {
            earlyMedia(null, sdp);
        }

        @Override public void earlyMedia(String branch, String sdp) {
            step(false, () -> {
                Call call = live.get(id);
                if (call == null || call.state() != CallState.RINGING) return null;
                String forCaller = throughRelay(call, branch, sdp);
                if (forCaller != null) toCaller(call).ringing(forCaller);
                return null;
            });
        }

        @Override public void answered(String sdp) {
            answered(null, sdp);
        }

        @Override public void answered(String branch, String sdp) {
            step(false, () -> {
                Call call = live.get(id);
                if (call == null || call.state() != CallState.RINGING) return null;
                String forCaller = throughRelay(call, branch, sdp);
                if (forCaller == null) {
                    finish(call.ended(CallState.FAILED, "failed", null, clock.instant()), CallState.RINGING);
                    return null;
                }
                Call answered = call.answered(clock.instant());
                save(answered, CallState.RINGING);
                cancelRingTimer(id);
                toCaller(call).answered(forCaller);
                return null;
            });
        }

        @Override public void failed(String reason, String detail) {
            step(false, () -> {
                Call call = live.get(id);
                if (call == null || call.state() != CallState.RINGING) return null;
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
                return null;
            });
        }

        @Override public void ended() {
            step(false, () -> {
                Call call = live.get(id);
                if (call == null || call.state() != CallState.ANSWERED) return null;
                bridged.remove(id);
                finish(call.ended(CallState.ENDED, "hangup", call.calleeId(), clock.instant()), CallState.ANSWERED);
                return null;
            });
        }

        /**
         * The far leg's answer on a branch as the caller speaks it (WebRTC for a browser, RTP for a phone);
         * null when the relay refused it. A phone calling a company without a relay gets it as it is.
         */
        private String throughRelay(Call call, String branch, String sdp) {
            MediaRelay r = relay;
            if (r == null) return gatewayCallers.containsKey(call.id()) ? sdp : null;
            try {
                return relayAnswer(r, call.id(), call.id(), branch, callerSdp != null, sdp);
            } catch (MediaRelayException e) {
                LOG.warn("Media relay refused the far answer of call {}: {}", call.id(), e.getMessage());
                return null;
            }
        }
    }

    // ---- reading

    public CallView get(AccountPrincipal who, String id) {
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
        String id = ended.id();
        cancelRingTimer(id);
        // Still bridged means the far leg does not know yet (its own reports take the call out first).
        CallBridge bridge = bridged.remove(id);
        if (bridge != null) toLeg(() -> bridge.hangup(id));
        boolean phoneAnswered = answeredOnPhone.contains(id);
        stopPhones(id);
        answeredOnPhone.remove(id);
        webRung.remove(id);
        CallBridge.Listener caller = gatewayCallers.remove(id);
        if (caller != null) {
            if (from == CallState.ANSWERED) toLeg(caller::ended);
            else toLeg(() -> caller.failed(ended.state().wire(), ended.reason()));
        }
        MediaRelay r = relay;
        if (r != null) {
            r.delete(id);
            if (phoneAnswered) r.delete(id + PHONES);
        }
        publishEnded(ended);
    }

    /**
     * The callee's phones stop ringing (a browser answered, the call ended before an answer: their relay
     * session goes too), or hang up the call one of them answered (its session goes with the call's end).
     */
    private void stopPhones(String id) {
        CallFork fork = forked.remove(id);
        if (fork == null) return;
        toLeg(() -> fork.hangup(id));
        MediaRelay r = relay;
        if (r != null && !answeredOnPhone.contains(id)) r.delete(id + PHONES);
    }

    /** What the caller speaks: a phone (through the gateway) plain RTP, a browser WebRTC. */
    private MediaRelay.Profile callerProfile(String id) {
        return gatewayCallers.containsKey(id) ? MediaRelay.Profile.RTP : MediaRelay.Profile.WEBRTC;
    }

    /** True when a phone is one of the call's ends. */
    private boolean onPhone(String id) {
        return gatewayCallers.containsKey(id) || answeredOnPhone.contains(id) || bridged.containsKey(id);
    }

    /** How the caller hears of ringing and the answer: its browsers on the stream, or the gateway's listener. */
    private interface CallerSide {
        void ringing(String earlySdp);

        void answered(String sdp);
    }

    private CallerSide toCaller(Call call) {
        CallBridge.Listener gateway = gatewayCallers.get(call.id());
        if (gateway == null) {
            return new CallerSide() {
                @Override public void ringing(String earlySdp) {
                    publish(call.callerId(), "call.ringing", () -> new CallViews.Progress(call.id(), earlySdp));
                }

                @Override public void answered(String sdp) {
                    publish(call.callerId(), "call.answered", () -> new CallViews.Answered(call.id(), sdp));
                }
            };
        }
        return new CallerSide() {
            @Override public void ringing(String earlySdp) {
                toLeg(earlySdp == null ? gateway::ringing : () -> gateway.earlyMedia(earlySdp));
            }

            @Override public void answered(String sdp) {
                toLeg(() -> gateway.answered(sdp));
            }
        };
    }

    /** The call moves on in memory now and in the store with the step's commit. */
    private void save(Call next, CallState expected) {
        write(c -> {
            if (!store.update(c, next, expected)) {
                LOG.warn("Call {} was no longer {} in the store; it stays as stored there", next.id(), expected.wire());
            }
        });
        remember(next);
    }

    private static String leg(Call call, String accountId) {
        return call.callerId().equals(accountId) ? CALLER_LEG : CALLEE_LEG;
    }

    private void remember(Call c) {
        if (c.state().live()) {
            live.put(c.id(), c);
        } else {
            live.remove(c.id());
            unstored.put(c.id(), c);
            step.after.add(() -> unstored.remove(c.id(), c));
        }
    }

    private void publishEnded(Call c) {
        publish(List.of(c.callerId(), c.calleeId()), "call.ended",
                () -> new CallViews.Ended(c.id(), c.state().wire(), c.reason(), handle(c.endedBy())));
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
        Call c;
        synchronized (this) {
            c = live.get(id);
        }
        if (c == null) c = unstored.get(id);
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
