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
        postgres = EmbeddedPostgres.builder().start();
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA calls; SET search_path TO calls");
            Path migration = Path.of(CallServiceTest.class.getClassLoader().getResource("db/migration/calls/V1__calls.sql").toURI());
            s.execute(Files.readString(migration));
        }
        store = new CallStore(postgres.getPostgresDatabase());
    }

    @AfterAll
    static void stop() throws Exception {
        if (postgres != null) postgres.close();
    }

    private CallService service(Duration ring) {
        return new CallService(store, published, accounts, java.time.Clock.systemUTC(), ring);
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

    // ---- recorded collaborators

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

    private static final class Published implements UpdatePublisher {
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
    }

    private static final class RecordingEvents implements EventAdmin {
        private final List<Event> events = new CopyOnWriteArrayList<>();

        @Override public void postEvent(Event event) { events.add(event); }

        @Override public void sendEvent(Event event) { events.add(event); }
    }

    private static final class RecordingRelay implements MediaRelay {
        private final List<String> log = new CopyOnWriteArrayList<>();
        private volatile boolean refuse;

        @Override public String offer(String callId, String fromTag, String toTag, String sdp, Profile towards)
                throws MediaRelayException {
            if (refuse) throw new MediaRelayException("down");
            log.add("offer " + callId + " " + fromTag + (toTag == null ? "" : " " + toTag));
            return "relayed:" + sdp;
        }

        @Override public String answer(String callId, String fromTag, String toTag, String sdp, Profile towards) {
            log.add("answer " + callId + " " + fromTag + " " + toTag);
            return "relayed:" + sdp;
        }

        @Override public void delete(String callId) {
            log.add("delete " + callId);
        }
    }
}
