package io.switchboard.it;

import static io.switchboard.it.Api.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Call signalling over the real runtime and real sockets: ringing on every device of the callee, the
 * first answer wins, decline, busy, missed after the (shortened) ring timeout, cancel, strangers,
 * bad input, history, and a calls bundle restarted in the middle of a call.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CallsIT {
    static final String OFFER = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n";
    static final String ANSWER = "v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n";
    private static final int RING_SECONDS = 3;
    private Switchboard sb;
    private Api api;

    @BeforeAll
    void start() throws Exception {
        Path home = Switchboard.workDir("calls");
        Files.createDirectories(home.resolve("deploy"));
        Files.writeString(home.resolve("deploy").resolve("io.switchboard.calls.cfg"), "ring.timeout.seconds=" + RING_SECONDS + "\n");
        sb = Switchboard.start(home);
        api = sb.api();
    }

    @AfterAll
    void stop() throws Exception {
        if (sb != null) sb.close();
    }

    private String call(String token, String to) throws Exception {
        Api.Reply r = api.post("/api/v1/calls", token, obj("to", to, "sdp", OFFER));
        assertEquals(201, r.status(), r.toString());
        return r.json().path("id").asText();
    }

    private static JsonNode awaitCall(StreamClient ws, String type, String id) throws Exception {
        return ws.await(f -> type.equals(f.path("type").asText()) && id.equals(f.path("data").path("id").asText()), 10);
    }

    private JsonNode history(String token, String id) throws Exception {
        Api.Reply r = api.get("/api/v1/calls/" + id, token);
        assertEquals(200, r.status(), r.toString());
        return r.json();
    }

    @Test
    void ringsEveryDeviceTheFirstAnswerWinsAndCandidatesGoBothWays() throws Exception {
        String ann = api.signUp("ann_c", "person", "Ann");
        String bob1 = api.signUp("bob_c", "person", "Bob");
        String bob2 = api.login("bob_c");
        String bob3 = api.login("bob_c");
        try (StreamClient annWs = StreamClient.open(sb.wsUrl(), ann, null);
             StreamClient b1 = StreamClient.open(sb.wsUrl(), bob1, null);
             StreamClient b2 = StreamClient.open(sb.wsUrl(), bob2, null);
             StreamClient b3 = StreamClient.open(sb.wsUrl(), bob3, null)) {
            Api.Reply started = api.post("/api/v1/calls", ann, obj("to", "BOB_C", "sdp", OFFER, "video", true));
            assertEquals(201, started.status(), started.toString());
            assertEquals("ringing", started.json().path("state").asText());
            String id = started.json().path("id").asText();
            for (StreamClient bob : List.of(b1, b2, b3)) {
                JsonNode in = awaitCall(bob, "call.incoming", id).path("data");
                assertEquals("ann_c", in.path("from").path("handle").asText());
                assertEquals(OFFER, in.path("sdp").asText());
                assertTrue(in.path("video").asBoolean());
            }
            // The caller's candidates reach the callee's devices while it rings.
            assertEquals(204, api.post("/api/v1/calls/" + id + "/candidates", ann,
                    obj("candidate", "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host", "sdpMid", "0", "sdpMLineIndex", 0)).status());
            assertEquals("0", awaitCall(b3, "call.candidate", id).path("data").path("sdpMid").asText());

            Api.Reply answered = api.post("/api/v1/calls/" + id + "/answer", bob2, obj("sdp", ANSWER));
            assertEquals(200, answered.status(), answered.toString());
            assertEquals("answered", answered.json().path("state").asText());
            assertEquals(ANSWER, awaitCall(annWs, "call.answered", id).path("data").path("sdp").asText());
            for (StreamClient other : List.of(b1, b3)) {
                assertEquals("answered_elsewhere", awaitCall(other, "call.ended", id).path("data").path("reason").asText());
            }
            Api.Reply second = api.post("/api/v1/calls/" + id + "/answer", bob3, obj("sdp", ANSWER));
            assertEquals(409, second.status(), "a second device is too late: " + second);
            assertEquals("call_not_ringing", second.errorCode());

            assertEquals(204, api.post("/api/v1/calls/" + id + "/candidates", bob2,
                    obj("candidate", "candidate:2 1 udp 2122260223 127.0.0.1 50002 typ host", "sdpMLineIndex", 0)).status());
            assertEquals("candidate:2 1 udp 2122260223 127.0.0.1 50002 typ host",
                    awaitCall(annWs, "call.candidate", id).path("data").path("candidate").asText());

            // Video off and on again: a new offer one way, the answer back.
            assertEquals(204, api.post("/api/v1/calls/" + id + "/sdp", ann, obj("type", "offer", "sdp", OFFER, "video", false)).status());
            JsonNode reoffer = awaitCall(b2, "call.sdp", id).path("data");
            assertEquals("offer", reoffer.path("type").asText());
            assertFalse(reoffer.path("video").asBoolean());
            assertEquals(204, api.post("/api/v1/calls/" + id + "/sdp", bob2, obj("type", "answer", "sdp", ANSWER)).status());
            assertEquals("answer", awaitCall(annWs, "call.sdp", id).path("data").path("type").asText());

            assertEquals(204, api.post("/api/v1/calls/" + id + "/hangup", bob2, obj("reason", "hangup")).status());
            JsonNode ended = awaitCall(annWs, "call.ended", id).path("data");
            assertEquals("ended", ended.path("state").asText());
            assertEquals("bob_c", ended.path("endedBy").asText());
            assertEquals("ended", awaitCall(b1, "call.ended", id).path("data").path("state").asText(),
                    "the callee's other devices hear the end too");
            assertEquals(204, api.post("/api/v1/calls/" + id + "/hangup", ann, "{}").status(), "hanging up twice is harmless");

            JsonNode stored = history(ann, id);
            assertEquals("ended", stored.path("state").asText());
            assertTrue(stored.path("video").asBoolean());
            assertFalse(stored.path("answeredAt").isNull());
            assertFalse(stored.path("endedAt").isNull());
            assertEquals(409, api.post("/api/v1/calls/" + id + "/candidates", ann, obj("candidate", "candidate:x")).status(),
                    "no candidates after the end");
        }
    }

    @Test
    void declineBusyCancelAndMissed() throws Exception {
        String cat = api.signUp("cat_c", "person", "Cat");
        String dan = api.signUp("dan_c", "person", "Dan");
        String eve = api.signUp("eve_c", "person", "Eve");
        try (StreamClient catWs = StreamClient.open(sb.wsUrl(), cat, null);
             StreamClient danWs = StreamClient.open(sb.wsUrl(), dan, null)) {
            // Decline.
            String declined = call(cat, "dan_c");
            awaitCall(danWs, "call.incoming", declined);
            assertEquals(204, api.post("/api/v1/calls/" + declined + "/hangup", dan, obj("reason", "decline")).status());
            JsonNode d = awaitCall(catWs, "call.ended", declined).path("data");
            assertEquals("declined", d.path("state").asText());
            assertEquals("declined", d.path("reason").asText());

            // Cancel: the caller gives up before an answer.
            String cancelled = call(cat, "dan_c");
            awaitCall(danWs, "call.incoming", cancelled);
            assertEquals(204, api.post("/api/v1/calls/" + cancelled + "/hangup", cat, "{}").status());
            assertEquals("cancelled", awaitCall(danWs, "call.ended", cancelled).path("data").path("state").asText());
            assertEquals(409, api.post("/api/v1/calls/" + cancelled + "/answer", dan, obj("sdp", ANSWER)).status(),
                    "a cancelled call cannot be answered");

            // Busy: dan is in an answered call with cat; eve's call to dan ends at once.
            String talking = call(cat, "dan_c");
            assertEquals(200, api.post("/api/v1/calls/" + talking + "/answer", dan, obj("sdp", ANSWER)).status());
            Api.Reply busy = api.post("/api/v1/calls", eve, obj("to", "dan_c", "sdp", OFFER));
            assertEquals(201, busy.status(), busy.toString());
            assertEquals("busy", busy.json().path("state").asText());
            String busyId = busy.json().path("id").asText();
            assertEquals("busy", history(eve, busyId).path("reason").asText());
            assertEquals(204, api.post("/api/v1/calls/" + talking + "/hangup", cat, "{}").status());
            // The callee may also answer busy by hand.
            String byHand = call(eve, "dan_c");
            assertEquals(204, api.post("/api/v1/calls/" + byHand + "/hangup", dan, obj("reason", "busy")).status());
            assertEquals("busy", history(eve, byHand).path("state").asText());

            // Missed: nobody answers within the ring timeout (shortened here).
            String missed = call(cat, "dan_c");
            awaitCall(danWs, "call.incoming", missed);
            JsonNode m = catWs.await(f -> "call.ended".equals(f.path("type").asText())
                    && missed.equals(f.path("data").path("id").asText()), RING_SECONDS + 10).path("data");
            assertEquals("missed", m.path("state").asText());
            assertTrue(m.path("endedBy").isNull(), "nobody ended it");
            assertEquals("missed", awaitCall(danWs, "call.ended", missed).path("data").path("state").asText());
            assertEquals(409, api.post("/api/v1/calls/" + missed + "/answer", dan, obj("sdp", ANSWER)).status());

            // The missed call leaves a message from the caller in their direct conversation, once.
            String conversation = ChatIT.direct(api, dan, "cat_c");
            JsonNode note = awaitMessage(dan, conversation, msg -> missed.equals(msg.path("call").path("id").asText()));
            assertEquals("cat_c", note.path("sender").asText());
            assertEquals("missed", note.path("call").path("outcome").asText());
            assertEquals("call-" + missed, note.path("clientMsgId").asText());
            assertEquals(400, ChatIT.send(api, cat, conversation, "call-" + missed, obj("text", "me first")).status(),
                    "the missed-call message ids are reserved");
            long notes = 0;
            for (JsonNode msg : api.get("/api/v1/conversations/" + conversation + "/messages", dan).json().path("messages")) {
                if (msg.path("call").isObject()) notes++;
            }
            assertEquals(1, notes, "one message for the one missed call; the declined and cancelled calls left none");

            // The history, newest first, the same for both, paged.
            JsonNode list = api.get("/api/v1/calls", dan).json().path("calls");
            assertEquals(missed, list.get(0).path("id").asText());
            assertEquals("missed", list.get(0).path("state").asText());
            List<String> ids = new java.util.ArrayList<>();
            list.forEach(c -> ids.add(c.path("id").asText()));
            assertEquals(List.of(missed, byHand, busyId, talking, cancelled, declined), ids);
            JsonNode page = api.get("/api/v1/calls?limit=2&before=" + talking, dan).json().path("calls");
            assertEquals(2, page.size());
            assertEquals(cancelled, page.get(0).path("id").asText());
            assertEquals(declined, page.get(1).path("id").asText());
            for (JsonNode c : api.get("/api/v1/calls", eve).json().path("calls")) {
                assertTrue(c.path("from").path("handle").asText().equals("eve_c") || c.path("to").path("handle").asText().equals("eve_c"),
                        "only one's own calls: " + c);
            }
        }
    }

    @Test
    void strangersAndBadInputGetClearErrorsAndChangeNothing() throws Exception {
        String fay = api.signUp("fay_c", "person", "Fay");
        String gus = api.signUp("gus_c", "person", "Gus");
        String hal = api.signUp("hal_c", "person", "Hal");
        String id = call(fay, "gus_c");

        // A stranger can neither see nor touch the call: 404 for everything.
        java.util.Map<String, Object> valid = java.util.Map.of("/answer", obj("sdp", ANSWER),
                "/candidates", obj("candidate", "candidate:1"), "/hangup", obj("reason", "hangup"),
                "/sdp", obj("type", "offer", "sdp", OFFER));
        for (java.util.Map.Entry<String, Object> e : valid.entrySet()) {
            String path = e.getKey();
            Api.Reply r = api.post("/api/v1/calls/" + id + path, hal, e.getValue());
            assertEquals(404, r.status(), path + ": " + r);
            assertEquals("not_found", r.errorCode());
        }
        assertEquals(404, api.get("/api/v1/calls/" + id, hal).status());
        assertEquals(404, api.get("/api/v1/calls?before=" + id, hal).status(), "no paging from someone else's call");
        assertEquals(404, api.post("/api/v1/calls/call-does-not-exist/answer", gus, obj("sdp", ANSWER)).status());
        assertEquals(403, api.post("/api/v1/calls/" + id + "/answer", fay, obj("sdp", ANSWER)).status(),
                "the caller does not answer its own call");
        assertEquals("ringing", history(fay, id).path("state").asText(), "nothing changed");

        // Refused calls.
        assertError(api.post("/api/v1/calls", fay, obj("to", "fay_c", "sdp", OFFER)), 400, "invalid_callee");
        assertError(api.post("/api/v1/calls", fay, obj("to", "nobody_here", "sdp", OFFER)), 404, "not_found");
        assertEquals(401, api.post("/api/v1/calls", null, obj("to", "gus_c", "sdp", OFFER)).status());
        assertEquals(204, api.put("/api/v1/blocks/fay_c", hal, "{}").status());
        assertError(api.post("/api/v1/calls", fay, obj("to", "hal_c", "sdp", OFFER)), 403, "call_refused");
        assertEquals(201, api.post("/api/v1/calls", hal, obj("to", "gus_c", "sdp", OFFER)).status(),
                "a block stops calls one way only");

        // Wrong shapes: missing fields, operator objects and numbers where strings belong, junk.
        assertEquals(400, api.post("/api/v1/calls", fay, obj("to", "gus_c")).status());
        assertEquals(400, api.post("/api/v1/calls", fay, obj("sdp", OFFER)).status());
        assertEquals(400, api.post("/api/v1/calls", fay, obj("to", obj("$ne", ""), "sdp", OFFER)).status());
        assertEquals(400, api.post("/api/v1/calls", fay, obj("to", 42, "sdp", OFFER)).status());
        assertEquals(400, api.post("/api/v1/calls", fay, obj("to", "gus_c", "sdp", "hello")).status(), "no SDP");
        assertEquals(400, api.post("/api/v1/calls", fay, obj("to", "gus_c", "sdp", "v=0\r\n" + "a".repeat(40_000))).status());
        assertEquals(400, api.post("/api/v1/calls", fay, obj("to", "gus_c", "sdp", OFFER, "video", "yes")).status());
        assertEquals(400, api.post("/api/v1/calls", fay, "{\"to\":").status());
        assertEquals(400, api.post("/api/v1/calls", fay, "null").status());
        assertEquals(400, api.post("/api/v1/calls/" + id + "/hangup", gus, obj("reason", "bored")).status());
        assertEquals(400, api.post("/api/v1/calls/" + id + "/candidates", fay, obj("candidate", 7)).status());
        assertEquals(400, api.post("/api/v1/calls/" + id + "/candidates", fay, obj("candidate", "c", "sdpMLineIndex", 99)).status());
        assertEquals(400, api.post("/api/v1/calls/" + id + "/sdp", fay, obj("type", "rollback", "sdp", OFFER)).status());
        assertEquals(400, api.get("/api/v1/calls?limit=0", fay).status());
        assertEquals(400, api.get("/api/v1/calls?limit=abc", fay).status());
        assertEquals(409, api.post("/api/v1/calls/" + id + "/sdp", fay, obj("type", "offer", "sdp", OFFER)).status(),
                "no renegotiation before an answer");

        long fays = api.get("/api/v1/calls", fay).json().path("calls").size();
        assertEquals(1, fays, "none of the refused calls was stored");
        assertEquals(204, api.delete("/api/v1/blocks/fay_c", hal).status());
        String afterUnblock = call(fay, "hal_c");
        assertEquals(204, api.post("/api/v1/calls/" + afterUnblock + "/hangup", fay, "{}").status());
        assertEquals(204, api.post("/api/v1/calls/" + id + "/hangup", fay, "{}").status());
    }

    @Test
    void aCallLivesThroughARestartOfTheCallsBundle() throws Exception {
        String ida = api.signUp("ida_c", "person", "Ida");
        String jon = api.signUp("jon_c", "person", "Jon");
        String admin = Switchboard.ADMIN_TOKEN;
        long calls = ChatHotSwapIT.bundleId(api, admin, "io.switchboard.calls");
        try (StreamClient idaWs = StreamClient.open(sb.wsUrl(), ida, null)) {
            String id = call(ida, "jon_c");
            assertEquals(200, api.post("/api/v1/calls/" + id + "/answer", jon, obj("sdp", ANSWER)).status());
            assertEquals("resolved", api.post("/api/v1/admin/bundles/" + calls + "/stop", admin, "{}").json().path("state").asText());
            assertEquals(404, ChatHotSwapIT.awaitStatus(api, "/api/v1/calls/" + id, ida, 404).status());
            assertEquals("active", api.post("/api/v1/admin/bundles/" + calls + "/start", admin, "{}").json().path("state").asText());
            assertEquals("answered", ChatHotSwapIT.awaitStatus(api, "/api/v1/calls/" + id, ida, 200).json().path("state").asText());
            assertEquals(204, api.post("/api/v1/calls/" + id + "/hangup", jon, "{}").status());
            assertEquals("ended", awaitCall(idaWs, "call.ended", id).path("data").path("state").asText(),
                    "the same socket hears the end of a call made before the restart");
            assertFalse(idaWs.isClosed());
        }
    }

    private JsonNode awaitMessage(String token, String conversation, java.util.function.Predicate<JsonNode> match) throws Exception {
        long deadline = System.nanoTime() + 15_000_000_000L;
        do {
            for (JsonNode m : api.get("/api/v1/conversations/" + conversation + "/messages", token).json().path("messages")) {
                if (match.test(m)) return m;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("no such message in " + conversation + " after 15 s");
    }

    private static void assertError(Api.Reply r, int status, String code) {
        assertEquals(status, r.status(), r.toString());
        assertEquals(code, r.errorCode(), r.toString());
    }
}
