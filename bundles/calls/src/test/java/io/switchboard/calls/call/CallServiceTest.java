package io.switchboard.calls.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.sdk.accounts.AccountInfo;
import io.switchboard.sdk.accounts.AccountKind;
import io.switchboard.sdk.accounts.AccountLookup;
import io.switchboard.sdk.api.ApiException;
import io.switchboard.sdk.auth.AccountPrincipal;
import io.switchboard.sdk.calls.CallBridge;
import io.switchboard.sdk.calls.CallFork;
import io.switchboard.sdk.calls.CallGateway;
import io.switchboard.sdk.calls.CallRefusedException;
import io.switchboard.sdk.calls.MediaRelay;
import io.switchboard.sdk.calls.MediaRelayException;
import io.switchboard.sdk.stream.UpdatePublisher;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CopyOnWriteArraySet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;

/** The call state machine on a real PostgreSQL with the real migration; stream, accounts and relay recorded. */
class CallServiceTest {
    private static final String OFFER = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";
    private static final String ANSWER = "v=0\r\no=- 2 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";
    private static EmbeddedPostgres postgres;
    private static CallStore store;

    private final Accounts accounts = new Accounts();
    private final Published published = new Published();

    @BeforeAll
    static void start() throws Exception {
        postgres = CallsSchema.start();
        store = new CallStore(postgres.getPostgresDatabase());
    }

    @AfterAll
    static void stop() throws Exception {
        if (postgres != null) postgres.close();
    }

    private CallService service(Duration ring) {
        return new CallService(store, published, accounts, java.time.Clock.systemUTC(), ring, Runnable::run);
    }

    @Test
    void aMissedCallIsToldToChatOnceAndARingingCallSurvivesARestart() throws Exception {
        AccountPrincipal a = accounts.add("amy_t");
        accounts.add("bea_t");
        CallService first = service(Duration.ofMillis(600));
        String id = first.start(a, new CallViews.NewCall("bea_t", OFFER, true)).id();
        first.deactivate();

        // Started again (a bundle update): the call is taken over and its ring timer re-armed.
        CallService second = service(Duration.ofMillis(600));
        RecordingEvents events = new RecordingEvents();
        second.setEvents(events);
        assertEquals(1, second.liveCalls());
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (events.events.isEmpty() && System.nanoTime() < deadline) Thread.sleep(20);
        second.deactivate();

        assertEquals(1, events.events.size(), "one missed-call event");
        Event e = events.events.get(0);
        assertEquals(CallService.MISSED_TOPIC, e.getTopic());
        assertEquals(id, e.getProperty("callId"));
        assertEquals(accounts.id("amy_t"), e.getProperty("callerId"));
        assertEquals(accounts.id("bea_t"), e.getProperty("calleeId"));
        assertEquals(Boolean.TRUE, e.getProperty("video"));
        Instant.parse((String) e.getProperty("startedAt"));
        Call stored = store.find(id).orElseThrow();
        assertEquals(CallState.MISSED, stored.state());
        assertEquals(null, stored.endedBy());
        assertTrue(published.types(accounts.id("amy_t")).contains("call.ended"));
    }

    @Test
    void withItsOwnThreadsARestStepAnswersAfterItsCommitAndItsEventsFollowIt() throws Exception {
        AccountPrincipal a = accounts.add("ann_async");
        AccountPrincipal b = accounts.add("bob_async");
        StoreCheckingPublished seen = new StoreCheckingPublished();
        CallService calls = new CallService(store, seen, accounts, java.time.Clock.systemUTC(), Duration.ofSeconds(30), null);
        try {
            String id = calls.start(a, new CallViews.NewCall("bob_async", OFFER, false)).id();
            assertEquals(CallState.RINGING, store.find(id).orElseThrow().state(), "stored when start returns");
            assertEquals("answered", calls.answer(b, id, new CallViews.Answer(ANSWER)).state());
            assertEquals(CallState.ANSWERED, store.find(id).orElseThrow().state(), "stored when answer returns");
            calls.hangup(a, id, new CallViews.Hangup("hangup"));
            assertEquals(CallState.ENDED, store.find(id).orElseThrow().state(), "stored when hangup returns");
            assertEquals("ended", calls.get(a, id).state());

            long deadline = System.nanoTime() + 10_000_000_000L;
            while (seen.types(accounts.id("bob_async")).size() < 3 && System.nanoTime() < deadline) Thread.sleep(10);
            assertEquals(List.of("call.answered", "call.ended"), seen.types(accounts.id("ann_async")));
            assertEquals(List.of("call.incoming", "call.ended", "call.ended"), seen.types(accounts.id("bob_async")));
            // Each event went out after its step's commit: the store held what the event says, or a later state.
            assertEquals(List.of(), seen.early, "events published before their step was stored");
        } finally {
            calls.deactivate();
        }
        // An executor reports termination just before its thread returns: allow that thread a moment to exit.
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (serviceThreadAlive() && System.nanoTime() < deadline) Thread.sleep(5);
        assertFalse(serviceThreadAlive(), "the service's threads end with it");
    }

    private static boolean serviceThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.isAlive()
                && (t.getName().equals("switchboard-calls-log") || t.getName().equals("switchboard-calls-events")
                || t.getName().equals("switchboard-calls-legs")));
    }

    /**
     * Records each event as {@link Published} does, and the events that went out while the store still
     * held an earlier state of their call than the one they report.
     */
    private static final class StoreCheckingPublished extends Published {
        final List<String> early = new CopyOnWriteArrayList<>();

        /** Ringing, then answered, then any end. */
        private static int rank(CallState state) {
            return state == CallState.RINGING ? 0 : state == CallState.ANSWERED ? 1 : 2;
        }

        @Override public long publish(String accountId, String type, Object data) {
            CallState reported;
            String id;
            if (data instanceof CallViews.Incoming i) {
                reported = CallState.RINGING;
                id = i.id();
            } else if (data instanceof CallViews.Answered a) {
                reported = CallState.ANSWERED;
                id = a.id();
            } else if (data instanceof CallViews.Ended e) {
                reported = CallState.ofWire(e.state());
                id = e.id();
            } else {
                throw new IllegalStateException("unexpected " + data);
            }
            Optional<Call> stored = store.find(id);
            if (stored.isEmpty() || rank(stored.get().state()) < rank(reported)) {
                early.add(type + " " + reported.wire() + " while stored " + stored.map(c -> c.state().wire()).orElse("nothing"));
            }
            return super.publish(accountId, type, data);
        }
    }

    @Test
    void throughARelayTheSdpIsRewrittenCandidatesStayAndEveryEndDeletes() throws Exception {
        AccountPrincipal c = accounts.add("cal_t");
        AccountPrincipal d = accounts.add("dee_t");
        CallService calls = service(Duration.ofSeconds(30));
        RecordingRelay relay = new RecordingRelay();
        calls.setRelay(relay);
        try {
            String id = calls.start(c, new CallViews.NewCall("dee_t", OFFER, false)).id();
            assertEquals(List.of("offer " + id + " caller"), relay.log);
            Object incoming = published.last(accounts.id("dee_t"), "call.incoming");
            assertEquals("relayed:" + OFFER, ((CallViews.Incoming) incoming).sdp());

            calls.candidate(c, id, new CallViews.Candidate("candidate:1 1 udp 1 127.0.0.1 9 typ host", "0", 0));
            assertFalse(published.types(accounts.id("dee_t")).contains("call.candidate"), "rtpengine does ICE itself");

            calls.answer(d, id, new CallViews.Answer(ANSWER));
            assertEquals("relayed:" + ANSWER, ((CallViews.Answered) published.last(accounts.id("cal_t"), "call.answered")).sdp());
            // The callee switches video on: its offer and the caller's answer go through the relay too.
            calls.renegotiate(d, id, new CallViews.Sdp("offer", OFFER, true));
            assertEquals("offer " + id + " callee caller", relay.log.get(relay.log.size() - 1));
            assertEquals("relayed:" + OFFER, ((CallViews.SdpEvent) published.last(accounts.id("cal_t"), "call.sdp")).sdp());
            calls.renegotiate(c, id, new CallViews.Sdp("answer", ANSWER, true));
            assertEquals("answer " + id + " callee caller", relay.log.get(relay.log.size() - 1));
            calls.hangup(c, id, new CallViews.Hangup("hangup"));
            assertEquals("delete " + id, relay.log.get(relay.log.size() - 1));

            relay.refuse = true;
            ApiException down = assertThrows(ApiException.class, () -> calls.start(c, new CallViews.NewCall("dee_t", OFFER, false)));
            assertEquals(503, down.status());
            assertEquals(1, store.history(accounts.id("cal_t"), null, 10).size(), "a call the relay refused is not stored");
        } finally {
            calls.deactivate();
        }
    }

    @Test
    void stepsOutOfOrderAreRefusedAndChangeNothing() {
        AccountPrincipal e = accounts.add("eli_t");
        AccountPrincipal f = accounts.add("fox_t");
        AccountPrincipal g = accounts.add("gil_t");
        CallService calls = service(Duration.ofSeconds(30));
        try {
            String id = calls.start(e, new CallViews.NewCall("fox_t", OFFER, null)).id();
            assertEquals(404, assertThrows(ApiException.class, () -> calls.answer(g, id, new CallViews.Answer(ANSWER))).status());
            assertEquals(403, assertThrows(ApiException.class, () -> calls.answer(e, id, new CallViews.Answer(ANSWER))).status());
            assertEquals(409, assertThrows(ApiException.class,
                    () -> calls.renegotiate(e, id, new CallViews.Sdp("offer", OFFER, true))).status());
            assertEquals(CallState.RINGING, store.find(id).orElseThrow().state());

            accounts.blocked.add(accounts.id("fox_t") + ">" + accounts.id("gil_t"));
            ApiException refused = assertThrows(ApiException.class, () -> calls.start(g, new CallViews.NewCall("fox_t", OFFER, null)));
            assertEquals(403, refused.status());
            assertEquals("call_refused", refused.code());
            assertTrue(store.history(accounts.id("gil_t"), null, 10).isEmpty());

            calls.hangup(f, id, new CallViews.Hangup("decline"));
            assertEquals(CallState.DECLINED, store.find(id).orElseThrow().state());
            calls.hangup(e, id, null);
            assertEquals(CallState.DECLINED, store.find(id).orElseThrow().state(), "a second hang-up changes nothing");
        } finally {
            calls.deactivate();
        }
    }

    @Test
    void aCallToACompanyGoesThroughItsBridgeWithPlainRtpTowardsThePbx() {
        AccountPrincipal caller = accounts.add("hal_t");
        AccountPrincipal company = accounts.add("acme_t");
        CallService calls = service(Duration.ofSeconds(30));
        RecordingBridge bridge = new RecordingBridge(accounts.id("acme_t"));
        calls.setBridges(List.of(bridge));
        try {
            ApiException noRelay = assertThrows(ApiException.class, () -> calls.start(caller, new CallViews.NewCall("acme_t", OFFER, false)));
            assertEquals(503, noRelay.status(), "a PBX speaks no WebRTC: without the relay there is no media path");
            assertTrue(store.history(accounts.id("hal_t"), null, 10).isEmpty());

            RecordingRelay relay = new RecordingRelay();
            calls.setRelay(relay);
            String id = calls.start(caller, new CallViews.NewCall("acme_t", OFFER, false)).id();
            assertEquals(List.of(MediaRelay.Profile.RTP), relay.towards, "the offer the PBX gets is plain RTP");
            CallBridge.BridgedCall placed = bridge.calls.get(0);
            assertEquals("relayed:" + OFFER, placed.offer());
            assertEquals("hal_t", placed.callerHandle());
            assertFalse(published.types(accounts.id("acme_t")).contains("call.incoming"), "the company's devices do not ring");

            bridge.listener.ringing();
            bridge.listener.earlyMedia(ANSWER);
            assertEquals("relayed:" + ANSWER, ((CallViews.Progress) published.last(accounts.id("hal_t"), "call.ringing")).sdp());
            assertEquals(409, assertThrows(ApiException.class, () -> calls.answer(company, id, new CallViews.Answer(ANSWER))).status());
            bridge.listener.answered(ANSWER);
            assertEquals(MediaRelay.Profile.WEBRTC, relay.towards.get(relay.towards.size() - 1), "the answer the browser gets is WebRTC");
            assertEquals("relayed:" + ANSWER, ((CallViews.Answered) published.last(accounts.id("hal_t"), "call.answered")).sdp());
            assertEquals(CallState.ANSWERED, store.find(id).orElseThrow().state());
            calls.hangup(caller, id, null);
            assertEquals(List.of(id), bridge.hungUp, "the caller's hang-up reaches the PBX");
            assertEquals("delete " + id, relay.log.get(relay.log.size() - 1));

            // The PBX is busy: the call ends busy and nothing is sent back to it.
            String busy = calls.start(caller, new CallViews.NewCall("acme_t", OFFER, false)).id();
            bridge.listener.failed("busy", "486 Busy Here");
            Call b = store.find(busy).orElseThrow();
            assertEquals(CallState.BUSY, b.state());
            assertEquals(accounts.id("acme_t"), b.endedBy());
            // Nobody answers at the PBX: missed.
            String missed = calls.start(caller, new CallViews.NewCall("acme_t", OFFER, false)).id();
            bridge.listener.failed("missed", "routing exhausted");
            assertEquals(CallState.MISSED, store.find(missed).orElseThrow().state());
            // No trunk reached the PBX: failed.
            String failed = calls.start(caller, new CallViews.NewCall("acme_t", OFFER, false)).id();
            bridge.listener.failed("failed", "503 from every trunk");
            assertEquals(CallState.FAILED, store.find(failed).orElseThrow().state());
            // The PBX hangs up an answered call.
            String byPbx = calls.start(caller, new CallViews.NewCall("acme_t", OFFER, false)).id();
            bridge.listener.answered(ANSWER);
            bridge.listener.ended();
            assertEquals(CallState.ENDED, store.find(byPbx).orElseThrow().state());
            assertEquals(accounts.id("acme_t"), store.find(byPbx).orElseThrow().endedBy());
            // The caller gives up while it rings.
            String cancelled = calls.start(caller, new CallViews.NewCall("acme_t", OFFER, false)).id();
            calls.hangup(caller, cancelled, null);
            assertEquals(CallState.CANCELLED, store.find(cancelled).orElseThrow().state());
            assertEquals(List.of(id, cancelled), bridge.hungUp, "only the caller's own ends are sent to the PBX");
            // Late reports about a finished call change nothing.
            bridge.listener.answered(ANSWER);
            assertEquals(CallState.CANCELLED, store.find(cancelled).orElseThrow().state());
        } finally {
            calls.deactivate();
        }
    }

    /**
     * A ring group rings two extensions: the second gets an offer of its own at the relay (a branch), and
     * the answer of whichever picks up joins the caller to that branch only. Bad branch names and branches
     * of a call no longer ringing get nothing.
     */
    @Test
    void eachBranchOfACompanyCallHasItsOwnMediaAtTheRelay() {
        AccountPrincipal caller = accounts.add("nia_t");
        accounts.add("shop_t");
        CallService calls = service(Duration.ofSeconds(30));
        RecordingBridge bridge = new RecordingBridge(accounts.id("shop_t"));
        calls.setBridges(List.of(bridge));
        RecordingRelay relay = new RecordingRelay();
        calls.setRelay(relay);
        try {
            String id = calls.start(caller, new CallViews.NewCall("shop_t", OFFER, false)).id();
            assertEquals(List.of("branch-offer " + id + " caller callee"), relay.log, "the first branch is the callee leg");
            CallBridge.Listener far = bridge.listener;
            assertEquals("relayed:" + OFFER, far.branchOffer("2"));
            assertEquals("branch-offer " + id + " caller callee.2", relay.log.get(relay.log.size() - 1));
            for (String bad : java.util.Arrays.asList(null, "", "a/b", "{\"$ne\":1}", "x".repeat(33))) {
                assertEquals(null, far.branchOffer(bad), "no branch named " + bad);
            }
            assertEquals(2, relay.log.size(), "bad names reach no relay");

            far.earlyMedia("2", ANSWER);
            assertEquals("branch-answer " + id + " caller callee.2", relay.log.get(relay.log.size() - 1));
            far.answered("2", ANSWER);
            assertEquals("branch-answer " + id + " caller callee.2", relay.log.get(relay.log.size() - 1));
            assertEquals(CallState.ANSWERED, store.find(id).orElseThrow().state());
            assertEquals(null, far.branchOffer("3"), "an answered call rings no more branches");
            calls.hangup(caller, id, null);
            assertEquals("delete " + id, relay.log.get(relay.log.size() - 1), "one delete ends every branch");

            // The first branch answers (the bridge names it null): the callee leg itself.
            String first = calls.start(caller, new CallViews.NewCall("shop_t", OFFER, false)).id();
            bridge.listener.answered(ANSWER);
            assertEquals("branch-answer " + first + " caller callee", relay.log.get(relay.log.size() - 1));
            calls.hangup(caller, first, null);
        } finally {
            calls.deactivate();
        }
    }

    @Test
    void aCallFromAPhoneRingsTheBrowsersThroughTheRelayAndHearsTheOutcome() throws Exception {
        AccountPrincipal company = accounts.add("pbx_t");
        AccountPrincipal callee = accounts.add("ivy_t");
        accounts.add("joe_t");
        CallService calls = service(Duration.ofSeconds(30));
        RecordingRelay relay = new RecordingRelay();
        calls.setRelay(relay);
        RecordingEvents events = new RecordingEvents();
        calls.setEvents(events);
        try {
            Heard heard = new Heard();
            String id = calls.call(new CallGateway.IncomingCall(company.accountId(), callee.accountId(), OFFER, false), heard);
            CallViews.Incoming incoming = (CallViews.Incoming) published.last(callee.accountId(), "call.incoming");
            assertEquals("relayed:" + OFFER, incoming.sdp());
            assertEquals("pbx_t", incoming.from().handle());
            assertEquals(List.of(MediaRelay.Profile.WEBRTC), relay.towards, "the browser gets WebRTC");
            assertEquals(List.of("ringing"), heard.log);

            assertFalse(calls.inCall(callee.accountId()), "ringing is not busy");
            calls.answer(callee, id, new CallViews.Answer(ANSWER));
            assertTrue(calls.inCall(callee.accountId()) && calls.inCall(company.accountId()));
            assertFalse(calls.inCall(accounts.id("joe_t")));
            assertEquals(MediaRelay.Profile.RTP, relay.towards.get(relay.towards.size() - 1), "the phone gets plain RTP");
            assertEquals(List.of("ringing", "answered:relayed:" + ANSWER), heard.log);
            assertEquals(409, assertThrows(ApiException.class,
                    () -> calls.renegotiate(callee, id, new CallViews.Sdp("offer", OFFER, true))).status());
            calls.hangup(callee, id, null);
            assertEquals(List.of("ringing", "answered:relayed:" + ANSWER, "ended"), heard.log);
            assertEquals(CallState.ENDED, store.find(id).orElseThrow().state());

            // The phone gives up while it rings: cancelled, the browsers stop, the phone hears nothing back.
            Heard second = new Heard();
            String cancelled = calls.call(new CallGateway.IncomingCall(company.accountId(), callee.accountId(), OFFER, false), second);
            calls.hangup(cancelled);
            assertEquals(CallState.CANCELLED, store.find(cancelled).orElseThrow().state());
            assertEquals(List.of("ringing"), second.log);
            assertEquals("delete " + cancelled, relay.log.get(relay.log.size() - 1));
            calls.hangup(cancelled); // a second CANCEL changes nothing

            // Nobody of the callee's is connected and no phone reaches them: 480 at once and a missed call.
            published.offline.add(accounts.id("joe_t"));
            int before = relay.log.size();
            CallRefusedException offline = assertThrows(CallRefusedException.class, () -> calls.call(
                    new CallGateway.IncomingCall(company.accountId(), accounts.id("joe_t"), OFFER, false), new Heard()));
            assertEquals("offline", offline.reason());
            assertEquals(before, relay.log.size(), "no relay session for a call that cannot ring");
            Call missed = store.history(accounts.id("joe_t"), null, 1).get(0);
            assertEquals(CallState.MISSED, missed.state());
            assertEquals(1, events.events.size());
            assertEquals(missed.id(), events.events.get(0).getProperty("callId"));

            // Blocked, unknown, invalid: refused, nothing stored.
            accounts.blocked.add(callee.accountId() + ">" + company.accountId());
            assertEquals("refused", assertThrows(CallRefusedException.class, () -> calls.call(
                    new CallGateway.IncomingCall(company.accountId(), callee.accountId(), OFFER, false), new Heard())).reason());
            assertEquals("not_found", assertThrows(CallRefusedException.class, () -> calls.call(
                    new CallGateway.IncomingCall(company.accountId(), "acct_nobody", OFFER, false), new Heard())).reason());
            assertEquals("invalid", assertThrows(CallRefusedException.class, () -> calls.call(
                    new CallGateway.IncomingCall(company.accountId(), accounts.id("joe_t"), "hello", false), new Heard())).reason());
            assertEquals(2, store.history(callee.accountId(), null, 10).size());
        } finally {
            calls.deactivate();
        }
    }

    @Test
    void theCalleesPhonesRingAlongAndTheFirstAnswerWins() {
        AccountPrincipal caller = accounts.add("kim_t");
        AccountPrincipal callee = accounts.add("lou_t");
        CallService calls = service(Duration.ofSeconds(30));
        RecordingRelay relay = new RecordingRelay();
        RecordingFork phones = new RecordingFork(callee.accountId());
        calls.setForks(List.of(phones));
        try {
            // Without the relay a browser's call cannot reach a SIP phone: only the browsers ring.
            String direct = calls.start(caller, new CallViews.NewCall("lou_t", OFFER, false)).id();
            assertTrue(phones.calls.isEmpty());
            calls.hangup(caller, direct, null);

            calls.setRelay(relay);
            String id = calls.start(caller, new CallViews.NewCall("lou_t", OFFER, false)).id();
            assertEquals("relayed:" + OFFER, phones.calls.get(0).offer());
            assertTrue(relay.log.contains("branch-offer " + id + CallService.PHONES + " caller callee"), relay.log.toString());
            // A second phone rings on a branch of its own.
            assertEquals("relayed:" + OFFER, phones.listener.branchOffer("2"));
            assertTrue(relay.log.contains("branch-offer " + id + CallService.PHONES + " caller callee.2"), relay.log.toString());
            assertEquals(null, phones.listener.branchOffer("../2"));
            assertTrue(published.types(callee.accountId()).contains("call.incoming"), "the browsers ring too");
            phones.listener.ringing();
            assertEquals("call.ringing", published.types(caller.accountId()).get(published.types(caller.accountId()).size() - 1));

            phones.listener.answered("2", ANSWER);
            assertEquals("relayed:" + ANSWER, ((CallViews.Answered) published.last(caller.accountId(), "call.answered")).sdp());
            assertTrue(relay.log.contains("branch-answer " + id + CallService.PHONES + " caller callee.2"), relay.log.toString());
            assertEquals(null, phones.listener.branchOffer("3"), "an answered call rings no more phones");
            assertTrue(relay.log.contains("delete " + id), "the browsers' relay session goes: " + relay.log);
            assertEquals("answered_elsewhere",
                    ((CallViews.Ended) published.last(callee.accountId(), "call.ended")).reason());
            assertEquals(409, assertThrows(ApiException.class, () -> calls.answer(callee, id, new CallViews.Answer(ANSWER))).status());
            calls.hangup(caller, id, null);
            assertEquals(List.of(id), phones.hungUp, "the caller's hang-up reaches the phone");
            assertEquals("delete " + id + CallService.PHONES, relay.log.get(relay.log.size() - 1));

            // A browser answers first: the phones stop ringing.
            String second = calls.start(caller, new CallViews.NewCall("lou_t", OFFER, false)).id();
            calls.answer(callee, second, new CallViews.Answer(ANSWER));
            assertEquals(List.of(id, second), phones.hungUp);
            assertEquals("delete " + second + CallService.PHONES, relay.log.get(relay.log.size() - 1),
                    "the phones' relay session goes when a browser answers");
            phones.listener.answered(ANSWER); // too late
            assertEquals(CallState.ANSWERED, store.find(second).orElseThrow().state());
            calls.hangup(callee, second, null);
            assertEquals(List.of(id, second), phones.hungUp, "stopped once");

            // The phones fail (busy): the browsers ring on.
            String third = calls.start(caller, new CallViews.NewCall("lou_t", OFFER, false)).id();
            phones.listener.failed("busy", "486");
            assertEquals(CallState.RINGING, store.find(third).orElseThrow().state());
            assertEquals("delete " + third + CallService.PHONES, relay.log.get(relay.log.size() - 1));
            calls.hangup(caller, third, null);
            assertEquals("delete " + third, relay.log.get(relay.log.size() - 1));

            // The caller gives up while browsers and phones ring: both relay sessions go.
            String fourth = calls.start(caller, new CallViews.NewCall("lou_t", OFFER, false)).id();
            calls.hangup(caller, fourth, null);
            assertTrue(relay.log.containsAll(List.of("delete " + fourth + CallService.PHONES, "delete " + fourth)), relay.log.toString());
        } finally {
            calls.deactivate();
        }
    }

    @Test
    void aPhoneCallingACompanyIsBridgedWithItsSdpAsItIsWhenThereIsNoRelay() throws Exception {
        AccountPrincipal caller = accounts.add("max_t");
        accounts.add("firm_t");
        CallService calls = service(Duration.ofSeconds(30));
        RecordingBridge bridge = new RecordingBridge(accounts.id("firm_t"));
        calls.setBridges(List.of(bridge));
        try {
            Heard heard = new Heard();
            String id = calls.call(new CallGateway.IncomingCall(caller.accountId(), accounts.id("firm_t"), OFFER, false), heard);
            assertEquals(OFFER, bridge.calls.get(0).offer(), "plain RTP on both legs: nothing to convert");
            bridge.listener.ringing();
            bridge.listener.answered(ANSWER);
            assertEquals(List.of("ringing", "answered:" + ANSWER), heard.log);
            bridge.listener.ended();
            assertEquals(List.of("ringing", "answered:" + ANSWER, "ended"), heard.log);
            assertEquals(CallState.ENDED, store.find(id).orElseThrow().state());
            assertTrue(bridge.hungUp.isEmpty(), "the PBX's own hang-up is not sent back");

            String busy = calls.call(new CallGateway.IncomingCall(caller.accountId(), accounts.id("firm_t"), OFFER, false), heard);
            bridge.listener.failed("busy", "486");
            assertEquals("failed:busy", heard.log.get(heard.log.size() - 1));
            assertEquals(CallState.BUSY, store.find(busy).orElseThrow().state());
        } finally {
            calls.deactivate();
        }
    }

    // ---- recorded collaborators

    /** What a phone leg hears through the gateway. */
    private static final class Heard implements CallBridge.Listener {
        final List<String> log = new CopyOnWriteArrayList<>();

        @Override public void ringing() { log.add("ringing"); }

        @Override public void earlyMedia(String sdp) { log.add("early:" + sdp); }

        @Override public void answered(String sdp) { log.add("answered:" + sdp); }

        @Override public void failed(String reason, String detail) { log.add("failed:" + reason); }

        @Override public void ended() { log.add("ended"); }
    }

    private static final class RecordingFork implements CallFork {
        private final String accountId;
        private final List<CallBridge.BridgedCall> calls = new CopyOnWriteArrayList<>();
        private final List<String> hungUp = new CopyOnWriteArrayList<>();
        private volatile CallBridge.Listener listener;

        RecordingFork(String accountId) {
            this.accountId = accountId;
        }

        @Override public boolean reaches(String id) { return accountId.equals(id); }

        @Override public void ring(CallBridge.BridgedCall call, CallBridge.Listener l) {
            calls.add(call);
            listener = l;
        }

        @Override public void hangup(String callId) { hungUp.add(callId); }
    }

    private static final class RecordingBridge implements CallBridge {
        private final String companyId;
        private final List<BridgedCall> calls = new CopyOnWriteArrayList<>();
        private final List<String> hungUp = new CopyOnWriteArrayList<>();
        private volatile Listener listener;

        RecordingBridge(String companyId) {
            this.companyId = companyId;
        }

        @Override public boolean bridges(String calleeAccountId) { return companyId.equals(calleeAccountId); }

        @Override public void ring(BridgedCall call, Listener l) {
            calls.add(call);
            listener = l;
        }

        @Override public void hangup(String callId) { hungUp.add(callId); }
    }

    private static final class Accounts implements AccountLookup {
        private final Map<String, AccountInfo> byHandle = new java.util.concurrent.ConcurrentHashMap<>();
        private final Set<String> blocked = new CopyOnWriteArraySet<>();

        AccountPrincipal add(String handle) {
            AccountInfo info = new AccountInfo("acct_" + handle, handle, handle.toUpperCase(), AccountKind.PERSON, null,
                    false, Instant.now());
            byHandle.put(handle, info);
            return new AccountPrincipal(info.id(), handle, "person", "sess_" + handle);
        }

        String id(String handle) { return byHandle.get(handle).id(); }

        @Override public Optional<AccountInfo> byHandle(String handle) {
            return Optional.ofNullable(byHandle.get(handle.toLowerCase()));
        }

        @Override public Optional<AccountInfo> byId(String accountId) {
            return byHandle.values().stream().filter(a -> a.id().equals(accountId)).findFirst();
        }

        @Override public boolean blocks(String blocker, String blockedId) {
            return blocked.contains(blocker + ">" + blockedId);
        }
    }

    private static class Published implements UpdatePublisher {
        private final List<Object[]> log = new CopyOnWriteArrayList<>();

        List<String> types(String account) {
            List<String> out = new ArrayList<>();
            for (Object[] p : log) if (p[0].equals(account)) out.add((String) p[1]);
            return out;
        }

        Object last(String account, String type) {
            Object found = null;
            for (Object[] p : log) if (p[0].equals(account) && p[1].equals(type)) found = p[2];
            return found;
        }

        @Override public long publish(String accountId, String type, Object data) {
            log.add(new Object[] {accountId, type, data});
            return log.size();
        }

        @Override public void publish(Collection<String> accountIds, String type, Object data) {
            for (String a : accountIds) publish(a, type, data);
        }

        @Override public void deliver(String source, long position, Collection<String> accountIds, String type, Object data) {
            throw new UnsupportedOperationException();
        }

        @Override public void publishEphemeral(Collection<String> accountIds, String type, Object data) {
            throw new UnsupportedOperationException("call events are stored");
        }

        @Override public io.switchboard.sdk.stream.Json json(Object data) {
            throw new UnsupportedOperationException("the calls feature sends each event once");
        }

        /** Accounts with no device connected. */
        final Set<String> offline = new CopyOnWriteArraySet<>();

        @Override public boolean connected(String accountId) {
            return !offline.contains(accountId);
        }
    }

    private static final class RecordingEvents implements EventAdmin {
        private final List<Event> events = new CopyOnWriteArrayList<>();

        @Override public void postEvent(Event event) { events.add(event); }

        @Override public void sendEvent(Event event) { events.add(event); }
    }

    private static final class RecordingRelay implements MediaRelay {
        private final List<String> log = new CopyOnWriteArrayList<>();
        private final List<Profile> towards = new CopyOnWriteArrayList<>();
        private volatile boolean refuse;

        @Override public String offer(String callId, String fromTag, String toTag, String sdp, Profile towards)
                throws MediaRelayException {
            if (refuse) throw new MediaRelayException("down");
            this.towards.add(towards);
            log.add("offer " + callId + " " + fromTag + (toTag == null ? "" : " " + toTag));
            return "relayed:" + sdp;
        }

        @Override public String answer(String callId, String fromTag, String toTag, String sdp, Profile towards) {
            this.towards.add(towards);
            log.add("answer " + callId + " " + fromTag + " " + toTag);
            return "relayed:" + sdp;
        }

        @Override public String branchOffer(String callId, String fromTag, String toTag, String sdp, Profile towards)
                throws MediaRelayException {
            if (refuse) throw new MediaRelayException("down");
            this.towards.add(towards);
            log.add("branch-offer " + callId + " " + fromTag + " " + toTag);
            return "relayed:" + sdp;
        }

        @Override public String branchAnswer(String callId, String fromTag, String toTag, String sdp, Profile towards) {
            this.towards.add(towards);
            log.add("branch-answer " + callId + " " + fromTag + " " + toTag);
            return "relayed:" + sdp;
        }

        @Override public void delete(String callId) {
            log.add("delete " + callId);
        }
    }
}
