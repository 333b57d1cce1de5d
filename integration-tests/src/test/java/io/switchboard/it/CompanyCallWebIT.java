package io.switchboard.it;

import static io.switchboard.it.Api.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A person calls a company by its name from the web client, and the call rings at the company's own PBX:
 * headless Chromium (its microphone a known tone) → Switchboard → rtpengine (WebRTC ↔ plain RTP) → SIP
 * trunk → the {@link CompanyPbx} fixture (Kamailio with digest auth, baresip extensions 201 and 202 that
 * answer at once, play their own tone and record what they hear). The browser is driven step by step
 * over a small node script beside the web client's e2e harness, so that each step can be checked against
 * the PBX, rtpengine and the API while the call goes on.
 *
 * <p>What must hold: the browser hears the answering extension's tone; the extension's recording holds
 * the browser's tone (Goertzel, far above the silence of a muted call); the call ends as the API says,
 * whoever hangs up; rtpengine keeps no call; a dead first trunk fails over to the next, a busy PBX does
 * not; round-robin rings the extensions in turn.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CompanyCallWebIT {
    /** The browser's microphone: a tone no extension plays and no harmonic of theirs. */
    static final int BROWSER_TONE_HZ = 600;
    /** How long a connected call is held before its media is judged. */
    private static final Duration HOLD = Duration.ofSeconds(5);
    /** Muting while the call rings may let the first few hundred milliseconds of tone through. */
    private static final Duration MUTE_TAKES = Duration.ofMillis(1500);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OFFICE = "office";

    private CompanyPbx pbx;
    private Rtpengine rtpengine;
    private Switchboard sb;
    private Api api;
    private String acme;
    private String alice;
    private Browser browser;
    /** Trunks a test added besides the office trunk, deleted after it. */
    private final List<String> extraTrunks = new ArrayList<>();
    /** The RMS of what an extension heard from a muted browser: the silence floor (-1 until measured). */
    private double silenceRms = -1;

    @BeforeAll
    void start() throws Exception {
        if (!Files.isExecutable(CallsWebIT.CHROMIUM)) fail(CallsWebIT.CHROMIUM + " is missing: install Debian's chromium (.ci/run does)");
        pbx = CompanyPbx.start(Switchboard.workDir("company-call-pbx"));
        rtpengine = Rtpengine.start(33000, 33999);
        sb = Switchboard.start(Switchboard.workDir("company-call"), Switchboard.env(
                "SWITCHBOARD_RTPENGINE", rtpengine.ngAddress(), "SWITCHBOARD_SIP_ADDRESS", "127.0.0.1"));
        api = sb.api();
        acme = api.signUp("acme", "business", "Acme Ltd");
        alice = api.signUp("alice", "person", "Alice Archer");
        Api.Reply office = api.post("/api/v1/trunks", acme, obj("name", OFFICE, "mode", "register",
                "host", pbx.registrarHost(), "port", pbx.registrarPort(), "username", pbx.trunkUser(),
                "password", pbx.trunkPassword(), "realm", pbx.realm(), "priority", 10));
        assertEquals(201, office.status(), office.toString());
        awaitTrunk(OFFICE, "registered");
        assertTrue(pbx.isRegistered(pbx.trunkUser()), "Kamailio holds Switchboard's contact:\n" + pbx.logs());

        Path work = Path.of(System.getProperty("it.work", "target/it-work")).toAbsolutePath().resolveSibling("company-call-e2e");
        CallsWebIT.installDriver(work);
        browser = Browser.start(work, "http://127.0.0.1:" + sb.port(), work.resolveSibling("screenshots").resolve("company-call"));
        browser.send("login", "handle", "alice");
    }

    @AfterAll
    void stop() throws Exception {
        // Switchboard.stop() fails with an AssertionError (an unclean exit): everything after it is still stopped.
        Throwable first = null;
        for (AutoCloseable c : new AutoCloseable[] {browser, sb, rtpengine, pbx}) {
            try {
                if (c != null) c.close();
            } catch (Exception | AssertionError e) {
                if (first == null) first = e;
            }
        }
        if (first instanceof Exception e) throw e;
        if (first != null) throw (AssertionError) first;
    }

    /** A failed scenario may leave its call on: the next one starts from an idle page without the extra trunks. */
    @AfterEach
    void cleanUp() throws Exception {
        browser.send("reset");
        for (String id : extraTrunks) api.delete("/api/v1/trunks/" + id, acme);
        extraTrunks.clear();
    }

    // ---------------------------------------------------------------------------------------------
    // The scenarios

    @Test
    @Order(1)
    void aMutedBrowserIsSilenceAtTheExtension() throws Exception {
        // The floor the other recordings are measured against: the same path with nothing said. The
        // microphone is muted while the call rings; what arrived before the mute took is left out.
        putRouting(linear("201"));
        Map<String, Integer> mark = mark();
        String id = browser.call("acme", "Acme Ltd");
        browser.send("mute");
        browser.awaitState("^Connected$");
        awaitNewEvent("201", mark, "CALL_ESTABLISHED", Duration.ofSeconds(10));
        browser.heard(null);
        Thread.sleep(HOLD.toMillis());
        browser.hangUp();
        awaitNewEvent("201", mark, "CALL_CLOSED", Duration.ofSeconds(10));
        Path recording = recordingOf("201", id);
        CompanyPbx.Analysis whole = CompanyPbx.analyse(recording);
        CompanyPbx.Analysis muted = CompanyPbx.analyse(recording, MUTE_TAKES.toMillis() / 1000.0);
        silenceRms = muted.rms();
        System.out.printf("201 heard a muted browser: %s; after %d ms: %s; %d Hz amplitude %.0f%n", whole,
                MUTE_TAKES.toMillis(), muted, BROWSER_TONE_HZ, muted.amplitudeAt(BROWSER_TONE_HZ));
        assertTrue(muted.seconds() > HOLD.toSeconds() - 2, "a recording of the whole call: " + whole);
        assertTrue(muted.rms() < 50, "a muted browser is near silence: " + muted);
        awaitCall(id, "ended");
        awaitNoRtpengineCall();
    }

    @Test
    @Order(2)
    void aliceCallsAcmeFromItsProfileTheFirstExtensionToAnswerTakesItAndTheyHearEachOther() throws Exception {
        putRouting(ringAll(OFFICE, "201", "202"));
        Map<String, Integer> mark = mark();
        String id = browser.call("acme", "Acme Ltd");
        browser.awaitState("^Connected$");
        String winner = awaitOneAnswered(mark);
        String loser = winner.equals("201") ? "202" : "201";
        assertTrue(sb.outputContains("Call " + id + ": answered by ext:" + winner + "@" + OFFICE),
                "Switchboard says the same extension answered:\n" + String.join("\n", sb.tail(40)));
        // The loser rang and was cancelled (or answered too and was hung up); or the winner answered while the
        // loser's INVITE was still being challenged by the PBX, and then the loser is never rung at all.
        String notRung = "Call " + id + ": ext:" + loser + "@" + OFFICE + " challenged after the ring was settled";
        await(loser + " closed or never rung", Duration.ofSeconds(10),
                () -> since(loser, mark).contains("CALL_CLOSED") || sb.outputContains(notRung),
                () -> loser + "'s events since the call began: " + since(loser, mark) + "\n" + pbx.logs());
        if (since(loser, mark).contains("CALL_CLOSED")) {
            JsonNode loserClosed = awaitNewEvent(loser, mark, "CALL_CLOSED", Duration.ofSeconds(1));
            System.out.printf("ring-all: %s answered; %s %s: %s (%s)%n", winner, loser,
                    since(loser, mark).contains("CALL_ESTABLISHED") ? "answered too and was hung up" : "was cancelled",
                    since(loser, mark), loserClosed.path("param").asText());
        } else {
            assertEquals(List.of(), since(loser, mark), loser + " was never rung: " + notRung);
            System.out.printf("ring-all: %s answered before %s's challenge was answered; %s never rang%n", winner,
                    loser, loser);
        }
        assertTrue(rtpengine.calls().contains(id), "rtpengine relays the call: " + rtpengine.calls());
        // What the PBX was offered: rtpengine's plain RTP with the codecs every PBX speaks, none of WebRTC's.
        String offer = pbx.lastOffer();
        System.out.println("the offer the PBX got: " + offer.replace("\r\n", " | "));
        assertTrue(offer.matches("(?s).*m=audio \\d+ RTP/AVP 9 0 8 \\d+\r\n.*"), offer);
        for (String codec : List.of("G722/8000", "PCMU/8000", "PCMA/8000", "telephone-event/8000")) {
            assertTrue(offer.contains(codec), codec + " offered: " + offer);
        }
        for (String webrtc : List.of("opus", "red/", "telephone-event/48000", "a=ice-", "a=fingerprint", "a=extmap:", "SAVPF")) {
            assertFalse(offer.contains(webrtc), webrtc + " is not for a PBX: " + offer);
        }

        JsonNode first = browser.heard(null);
        Thread.sleep(HOLD.toMillis());
        JsonNode held = browser.heard(first);
        JsonNode tone = browser.send("tone");
        Map<String, Long> legs = Rtpengine.packetsPerLeg(rtpengine.query(id));
        browser.send("screenshot", "name", "company-call-connected");
        System.out.printf("browser inbound audio: %s then %s; browser hears %s; rtpengine packets per leg: %s%n",
                first, held, tone, legs);
        assertEquals(pbx.toneHz(winner), tone.path("hz").asDouble(), 15, "the browser hears " + winner + "'s tone: " + tone);
        // Each extension rang on a branch of its own at rtpengine: 201 (rung first) on the callee leg,
        // 202 on callee.2. The winner's branch carried the call; the loser's never reached the browser.
        String winnerLeg = Rtpengine.calleeBranch(winner.equals("201") ? 1 : 2);
        assertTrue(legs.containsKey(Rtpengine.calleeBranch(1)) && legs.containsKey(Rtpengine.calleeBranch(2)),
                "a branch per extension: " + legs);
        assertTrue(legs.getOrDefault("caller", 0L) > 100 && legs.getOrDefault(winnerLeg, 0L) > 100,
                "rtpengine relayed both ways: " + legs);
        assertEquals(1, held.path("streams").asInt(), "the browser receives one stream, " + winner + "'s: " + held);
        assertTrue(since(winner, mark).stream().noneMatch("CALL_CLOSED"::equals), winner + " is still in the call: " + since(winner, mark));

        browser.hangUp();
        awaitNewEvent(winner, mark, "CALL_CLOSED", Duration.ofSeconds(10));
        Path recording = recordingOf(winner, id);
        CompanyPbx.Analysis heard = CompanyPbx.analyse(recording);
        CompanyPbx.Analysis tail = CompanyPbx.analyse(recording, MUTE_TAKES.toMillis() / 1000.0);
        System.out.printf("%s heard: %s; after %d ms: %s; silence floor RMS %.1f%n", winner, heard, MUTE_TAKES.toMillis(),
                tail, silenceRms);
        assertHeardBrowser(winner, heard);
        assertHeardBrowser(winner, tail);

        JsonNode call = awaitCall(id, "ended");
        assertEquals("hangup", call.path("reason").asText(), call.toString());
        assertEquals("alice", call.path("endedBy").asText(), call.toString());
        assertEquals("acme", call.path("to").path("handle").asText(), call.toString());
        assertTrue(call.path("answeredAt").isTextual(), call.toString());
        awaitNoRtpengineCall();
    }

    @Test
    @Order(3)
    void thePbxHangsUpAndTheBrowserShowsTheCallEnded() throws Exception {
        putRouting(ringAll(OFFICE, "201", "202"));
        Map<String, Integer> mark = mark();
        String id = browser.call("acme", "Acme Ltd");
        browser.awaitState("^Connected$");
        String winner = awaitOneAnswered(mark);
        browser.heard(null);

        pbx.hangup(winner);
        browser.awaitState("^Call ended$");
        browser.awaitIdle();
        JsonNode call = awaitCall(id, "ended");
        assertEquals("hangup", call.path("reason").asText(), call.toString());
        assertEquals("acme", call.path("endedBy").asText(), "the company hung up: " + call);
        awaitNoRtpengineCall();
    }

    @Test
    @Order(4)
    void aDeadFirstTrunkFailsOverToTheOffice() throws Exception {
        // Priority 1: TCP to a loopback port nobody listens on; the connection is refused at once.
        int deadPort = CompanyPbx.freePort("127.0.0.1", 0);
        addTrunk(obj("name", "dead", "mode", "peer", "host", "127.0.0.1", "port", deadPort, "transport", "tcp", "priority", 1));
        putRouting(linear("201"));
        Map<String, Integer> mark = mark();
        String id = browser.call("acme", "Acme Ltd");
        browser.awaitState("^Connected$");
        awaitNewEvent("201", mark, "CALL_ESTABLISHED", Duration.ofSeconds(10));
        assertTrue(sb.outputContains("Call " + id + ": ext:201 failed over Trunk[dead") || sb.outputContains("Call " + id + ": ext:201 not sent over Trunk[dead"),
                "the dead trunk was tried first:\n" + String.join("\n", sb.tail(40)));
        assertTrue(sb.output().stream().anyMatch(l -> l.contains("Call " + id + ": answered by ext:201 ")
                        && l.contains("over Trunk[" + OFFICE)),
                "answered over the office trunk:\n" + String.join("\n", sb.tail(40)));
        browser.heard(null);
        browser.hangUp();
        awaitNewEvent("201", mark, "CALL_CLOSED", Duration.ofSeconds(10));
        assertEquals("ended", awaitCall(id, "ended").path("state").asText());
        awaitNoRtpengineCall();
    }

    @Test
    @Order(5)
    void aBusyPbxEndsTheCallBusyWithoutTryingTheNextTrunk() throws Exception {
        try (BusyPbx busy = BusyPbx.start(Switchboard.workDir("company-call-busy-pbx"), "127.0.0.20")) {
            addTrunk(obj("name", "busy", "mode", "peer", "host", busy.host, "port", busy.port, "transport", "udp", "priority", 1));
            putRouting(linear("201"));
            Map<String, Integer> mark = mark();
            String kamailioBefore = pbx.kamailioLog();
            String id = browser.call("acme", "Acme Ltd");
            browser.awaitState("^Busy$");
            JsonNode call = awaitCall(id, "busy");
            assertTrue(call.path("answeredAt").isNull(), call.toString());
            assertTrue(busy.sent486(), "the busy PBX answered the INVITE with 486:\n" + busy.messages());
            String kamailioAfter = pbx.kamailioLog().substring(kamailioBefore.length());
            assertFalse(kamailioAfter.contains("PBX <- INVITE"), "the office trunk was never tried:\n" + kamailioAfter);
            assertEquals(List.of(), since("201", mark), "201 never rang");
            assertFalse(sb.outputContains("Call " + id + ": ext:201 failed over"), String.join("\n", sb.tail(40)));
            browser.awaitIdle();
            awaitNoRtpengineCall();
        }
    }

    @Test
    @Order(6)
    void roundRobinRingsTheOtherExtensionOnTheNextCall() throws Exception {
        putRouting(obj("rules", List.of(obj("name", "turns", "ring", obj("strategy", "roundrobin",
                "members", List.of(obj("extension", "201"), obj("extension", "202")), "memberTimeout", 10, "totalTimeout", 20)))));
        List<String> answered = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Map<String, Integer> mark = mark();
            String id = browser.call("acme", "Acme Ltd");
            browser.awaitState("^Connected$");
            String winner = awaitOneAnswered(mark);
            answered.add(winner);
            String other = winner.equals("201") ? "202" : "201";
            assertEquals(List.of(), since(other, mark), other + " did not ring in " + winner + "'s turn");
            JsonNode tone = browser.send("tone");
            assertEquals(pbx.toneHz(winner), tone.path("hz").asDouble(), 15, "the browser hears " + winner + ": " + tone);
            browser.hangUp();
            awaitNewEvent(winner, mark, "CALL_CLOSED", Duration.ofSeconds(10));
            awaitCall(id, "ended");
            awaitNoRtpengineCall();
            }
        System.out.println("round-robin answered by " + answered);
        assertNotEquals(answered.get(0), answered.get(1), "two calls in a row, two different extensions: " + answered);
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers

    /**
     * The browser's tone, far above silence. Chromium's audio processing (noise suppression, gain control)
     * turns a steady tone down within seconds, to a tenth or so of what the file holds, so the level is
     * judged against the muted call's floor and not against the file.
     */
    private void assertHeardBrowser(String ext, CompanyPbx.Analysis heard) {
        String diagnostics = ext + " heard " + heard + " (silence floor RMS " + silenceRms + ")\n" + pbx.logs();
        assertTrue(silenceRms >= 0, "the muted call measured the floor first");
        assertEquals(BROWSER_TONE_HZ, heard.dominantHz(), heard.binHz(), "the browser's tone: " + diagnostics);
        assertTrue(heard.rms() > Math.max(100, 20 * silenceRms), "far above silence: " + diagnostics);
        assertTrue(heard.purity() > 0.8, "the tone and little else: " + diagnostics);
        assertTrue(heard.amplitudeAt(pbx.toneHz(ext)) < heard.amplitudeAt(BROWSER_TONE_HZ) / 20, "not its own tone back: " + diagnostics);
        assertTrue(heard.seconds() > HOLD.toSeconds() - 1, "most of the call: " + diagnostics);
    }

    private static ObjectNode ringAll(String trunk, String... extensions) {
        List<ObjectNode> members = new ArrayList<>();
        for (String e : extensions) members.add(obj("extension", e, "trunk", trunk));
        return obj("rules", List.of(obj("name", "everyone", "ring", obj("strategy", "ringall", "members", members,
                "totalTimeout", 20))));
    }

    /** One extension over the company's trunks by priority (no trunk named: failover applies). */
    private static ObjectNode linear(String extension) {
        return obj("rules", List.of(obj("name", "one", "ring", obj("strategy", "linear",
                "members", List.of(obj("extension", extension)), "memberTimeout", 20, "totalTimeout", 20))));
    }

    private void putRouting(ObjectNode rules) throws Exception {
        Api.Reply r = api.put("/api/v1/routing", acme, rules);
        assertEquals(200, r.status(), r.toString());
    }

    private void addTrunk(ObjectNode trunk) throws Exception {
        Api.Reply r = api.post("/api/v1/trunks", acme, trunk);
        assertEquals(201, r.status(), r.toString());
        extraTrunks.add(r.json().path("id").asText());
    }

    private JsonNode awaitTrunk(String name, String status) throws Exception {
        JsonNode[] last = new JsonNode[1];
        await("trunk " + name + " " + status, Duration.ofSeconds(30), () -> {
            for (JsonNode t : get("/api/v1/trunks", acme).path("trunks")) {
                if (name.equals(t.path("name").asText())) {
                    last[0] = t;
                    return status.equals(t.path("status").asText());
                }
            }
            return false;
        }, () -> String.valueOf(last[0]));
        return last[0];
    }

    /** Waits until the call is in {@code state} for alice; its view. */
    private JsonNode awaitCall(String id, String state) throws Exception {
        JsonNode[] last = new JsonNode[1];
        await("call " + id + " " + state, Duration.ofSeconds(10), () -> {
            last[0] = get("/api/v1/calls/" + id, alice);
            return state.equals(last[0].path("state").asText());
        }, () -> String.valueOf(last[0]));
        return last[0];
    }

    private void awaitNoRtpengineCall() throws Exception {
        List<String>[] left = new List[1];
        await("rtpengine without calls", Duration.ofSeconds(5), () -> (left[0] = rtpengine.calls()).isEmpty(),
                () -> "left: " + left[0]);
    }

    private JsonNode get(String path, String token) {
        try {
            Api.Reply r = api.get(path, token);
            assertEquals(200, r.status(), r.toString());
            return r.json();
        } catch (Exception e) {
            throw new AssertionError(path, e);
        }
    }

    /** What the extension heard in the call just ended (its latest recording), which must hold samples. */
    private Path recordingOf(String ext, String callId) throws IOException {
        Path latest = pbx.lastRecording(ext);
        assertTrue(Files.size(latest) > 44, "call " + callId + ": " + ext + "'s recording " + latest + " is empty");
        return latest;
    }

    /** How many events each extension had reported before a call. */
    private Map<String, Integer> mark() {
        Map<String, Integer> m = new HashMap<>();
        for (String ext : pbx.extensionNumbers()) m.put(ext, pbx.eventLog(ext).size());
        return m;
    }

    /** The types of the call events (CALL_*) an extension reported since the mark. */
    private List<String> since(String ext, Map<String, Integer> mark) {
        List<JsonNode> log = pbx.eventLog(ext);
        return log.subList(mark.get(ext), log.size()).stream().map(e -> e.path("type").asText())
                .filter(t -> t.startsWith("CALL_")).collect(Collectors.toList());
    }

    private JsonNode awaitNewEvent(String ext, Map<String, Integer> mark, String type, Duration timeout) throws Exception {
        JsonNode[] found = new JsonNode[1];
        await(ext + " " + type, timeout, () -> {
            List<JsonNode> log = pbx.eventLog(ext);
            for (JsonNode e : log.subList(mark.get(ext), log.size())) {
                if (type.equals(e.path("type").asText())) {
                    found[0] = e;
                    return true;
                }
            }
            return false;
        }, () -> ext + "'s events since the call began: " + since(ext, mark) + "\n" + pbx.logs());
        return found[0];
    }

    /**
     * The one extension whose call is up once every other that rang has closed its own: the answerer.
     * Both may answer a ring-all at once; the later 200 is then hung up at once.
     */
    private String awaitOneAnswered(Map<String, Integer> mark) throws Exception {
        String[] winner = new String[1];
        await("one extension in the call", Duration.ofSeconds(15), () -> {
            List<String> up = new ArrayList<>();
            boolean settled = true;
            for (String ext : pbx.extensionNumbers()) {
                List<String> events = since(ext, mark);
                boolean closed = events.contains("CALL_CLOSED");
                if (events.contains("CALL_ESTABLISHED") && !closed) up.add(ext);
                else if (!events.isEmpty() && !closed) settled = false;
            }
            if (up.size() == 1 && settled) winner[0] = up.get(0);
            return winner[0] != null;
        }, () -> pbx.extensionNumbers().stream().map(e -> e + ": " + since(e, mark)).collect(Collectors.joining("; "))
                + "\n" + pbx.logs());
        return winner[0];
    }

    private static void await(String what, Duration timeout, Check condition, java.util.function.Supplier<String> state)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) throw new AssertionError("no " + what + " within " + timeout.toSeconds() + " s: " + state.get());
            Thread.sleep(100);
        }
    }

    @FunctionalInterface
    private interface Check {
        boolean holds() throws Exception;
    }

    // ---------------------------------------------------------------------------------------------
    // The browser

    /**
     * Alice's Chromium, one command at a time: a node script beside the e2e harness reads a JSON command
     * per line and answers each with one line {@code @@ {"ok":…}}; everything else it prints is its log.
     */
    static final class Browser implements AutoCloseable {
        private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
        private final Process process;
        private final OutputStream in;
        private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
        private final List<String> log = new ArrayList<>();

        private Browser(Process process) {
            this.process = process;
            this.in = process.getOutputStream();
            Thread reader = new Thread(this::read, "company-call-browser");
            reader.setDaemon(true);
            reader.start();
        }

        static Browser start(Path work, String base, Path screenshots) throws Exception {
            Path tone = work.resolve("browser-tone-" + BROWSER_TONE_HZ + "hz.wav");
            CompanyPbx.writeTone(tone, BROWSER_TONE_HZ, 60, 48_000);
            Files.writeString(work.resolve("company-call.mjs"), DRIVER, StandardCharsets.UTF_8);
            Files.createDirectories(screenshots);
            ProcessBuilder pb = new ProcessBuilder("node", "company-call.mjs", base, screenshots.toString(), tone.toString())
                    .directory(work.toFile()).redirectErrorStream(true);
            pb.environment().put("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
            pb.environment().put("CHROMIUM_PATH", CallsWebIT.CHROMIUM.toString());
            Browser b = new Browser(pb.start());
            b.send("launch");
            return b;
        }

        /** Opens the profile of {@code handle} and presses Call; the call's id once the server gave one. */
        String call(String handle, String displayName) throws Exception {
            return send("call", "handle", handle, "name", displayName).path("id").asText();
        }

        void awaitState(String regex) throws Exception {
            send("state", "text", regex);
        }

        /** Waits until the page shows an incoming call from {@code callerName}; the call's id. */
        String awaitIncoming(String callerName) throws Exception {
            return send("incoming", "name", callerName).path("id").asText();
        }

        /** Presses Answer on the incoming call; returns once the page shows it connected. */
        void answer() throws Exception {
            send("answer");
        }

        /** Presses Hang up; returns once the call screen is gone. */
        void hangUp() throws Exception {
            send("hangup");
        }

        void awaitIdle() throws Exception {
            send("idle");
        }

        /**
         * Waits until the inbound audio has more packets and more energy than {@code before} (or than
         * nothing) and returns it; fails when it does not within 10 s.
         */
        JsonNode heard(JsonNode before) throws Exception {
            JsonNode stats = send("heard", "before", before == null ? obj("packetsReceived", 0, "totalAudioEnergy", 0) : before);
            assertTrue(stats.path("packetsReceived").asLong() > 0 && stats.path("totalAudioEnergy").asDouble() > 0, stats.toString());
            return stats;
        }

        JsonNode send(String command, Object... kv) throws Exception {
            ObjectNode json = obj(kv);
            json.put("cmd", command);
            synchronized (in) {
                in.write((JSON.writeValueAsString(json) + "\n").getBytes(StandardCharsets.UTF_8));
                in.flush();
            }
            String line = answers.poll(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            if (line == null) throw new AssertionError("the browser did not answer " + json + "\n" + log());
            JsonNode answer = JSON.readTree(line);
            if (!answer.path("ok").asBoolean()) {
                throw new AssertionError("in the browser, " + json + " failed: " + answer.path("error").asText() + "\n" + log());
            }
            return answer.path("result");
        }

        String log() {
            synchronized (log) {
                return String.join("\n", log.subList(Math.max(0, log.size() - 40), log.size()));
            }
        }

        private void read() {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (line.startsWith("@@ ")) {
                        answers.add(line.substring(3));
                    } else {
                        System.out.println("[browser] " + line);
                        synchronized (log) {
                            log.add(line);
                        }
                    }
                }
            } catch (IOException gone) {
                // the process ended
            }
        }

        @Override
        public void close() throws Exception {
            try {
                in.close(); // the script closes the browser and exits at the end of its input
            } catch (IOException ignored) {
                // gone already
            }
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        }

        private static final String DRIVER = """
                // Alice's browser for CompanyCallWebIT and PhoneCallsIT: node company-call.mjs <baseUrl> <screenshotDir> <tone.wav>
                // Reads one JSON command per line ({"cmd": …}) and answers each with one line "@@ {ok, result|error}".
                import {chromium} from 'playwright-core';
                import {createInterface} from 'node:readline';
                import {DESKTOP, Harness, live} from './harness.mjs';

                const [baseUrl, screenshotDir, toneFile] = process.argv.slice(2);
                const HEARD_WITHIN_MS = 10_000;

                /** The harness's Chromium with a fake microphone playing the tone file, allowed without asking, and autoplay. */
                class CallHarness extends Harness {
                  async launch() {
                    this.browser = await chromium.launch({
                      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
                      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
                        '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage',
                        '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required',
                        `--use-file-for-fake-audio-capture=${toneFile}`],
                      timeout: 60_000,
                    });
                  }
                }

                const h = new CallHarness(baseUrl, screenshotDir);
                let person;

                function inboundAudio() {
                  return person.page.evaluate(async () => {
                    const pc = window.switchboardCall.pc;
                    const found = {packetsReceived: 0, totalAudioEnergy: 0, codec: null, streams: 0};
                    if (!pc) return found;
                    const stats = await pc.getStats();
                    for (const s of stats.values()) {
                      if (s.type === 'inbound-rtp' && s.kind === 'audio') {
                        found.streams++;
                        found.packetsReceived = s.packetsReceived || 0;
                        found.totalAudioEnergy = s.totalAudioEnergy || 0;
                        const codec = s.codecId && stats.get(s.codecId);
                        found.codec = codec ? codec.mimeType : null;
                      }
                    }
                    return found;
                  });
                }

                const commands = {
                  async launch() {
                    await h.launch();
                    person = await h.person('alice', DESKTOP);
                  },

                  async login({handle}) {
                    const {page} = person;
                    await page.goto('/');
                    await page.getByLabel('Handle').fill(handle);
                    await page.getByLabel('Password').fill(`correct horse ${handle}`);
                    await page.getByRole('button', {name: 'Log in'}).click();
                    await live(person);
                  },

                  /** Finds the company in the directory, opens its profile, presses Call. */
                  async call({handle, name}) {
                    const {page} = person;
                    const search = page.getByLabel('Search people and companies');
                    await search.fill('');
                    await search.pressSequentially(handle);
                    await page.locator(`.results button[data-handle="${handle}"]`).click();
                    await page.getByRole('heading', {name}).waitFor();
                    await page.getByTestId('call-start').click();
                    await page.waitForFunction(() => window.switchboardCall.id !== null);
                    return {id: await page.evaluate(() => window.switchboardCall.id)};
                  },

                  /** Waits for the incoming call screen naming the caller; the call's id. */
                  async incoming({name}) {
                    const {page} = person;
                    await page.getByTestId('call-incoming').waitFor({timeout: 15_000});
                    await page.getByTestId('call-screen').filter({hasText: name}).waitFor();
                    return {id: await page.evaluate(() => window.switchboardCall.id)};
                  },

                  async answer() {
                    await person.page.getByTestId('call-answer').click();
                    await person.page.getByTestId('call-state').filter({hasText: /^Connected$/}).waitFor();
                  },

                  async state({text}) {
                    await person.page.getByTestId('call-state').filter({hasText: new RegExp(text)}).waitFor();
                  },

                  async mute() {
                    await person.page.getByTestId('call-mute').click();
                    await person.page.locator('[data-testid="call-mute"][aria-pressed="true"]').waitFor();
                  },

                  /** Polls until more packets with more energy arrived than `before`; what was measured. */
                  async heard({before}) {
                    const deadline = Date.now() + HEARD_WITHIN_MS;
                    for (;;) {
                      const now = await inboundAudio();
                      if ((now.packetsReceived > before.packetsReceived && now.totalAudioEnergy > before.totalAudioEnergy)
                        || Date.now() > deadline) return now;
                      await person.page.waitForTimeout(250);
                    }
                  },

                  /** The strongest frequency in what the page plays (Web Audio analyser on the call's sound, 1 s). */
                  async tone() {
                    return person.page.evaluate(async () => {
                      const el = document.querySelector('[data-testid="call-audio"]');
                      const ctx = new AudioContext();
                      const analyser = ctx.createAnalyser();
                      analyser.fftSize = 8192;
                      ctx.createMediaStreamSource(el.srcObject).connect(analyser);
                      const power = new Float64Array(analyser.frequencyBinCount);
                      const db = new Float32Array(analyser.frequencyBinCount);
                      for (let i = 0; i < 10; i++) {
                        await new Promise((r) => setTimeout(r, 100));
                        analyser.getFloatFrequencyData(db);
                        for (let k = 0; k < db.length; k++) if (Number.isFinite(db[k])) power[k] += 10 ** (db[k] / 10);
                      }
                      let best = 1;
                      for (let k = 1; k < power.length; k++) if (power[k] > power[best]) best = k;
                      const result = {hz: best * ctx.sampleRate / analyser.fftSize, db: 10 * Math.log10(power[best] / 10)};
                      await ctx.close();
                      return result;
                    });
                  },

                  async hangup() {
                    await person.page.getByTestId('call-hangup').click();
                    await person.page.getByTestId('call-screen').waitFor({state: 'hidden'});
                  },

                  async idle() {
                    await person.page.getByTestId('call-screen').waitFor({state: 'hidden'});
                    const state = await person.page.evaluate(() => window.switchboardCall.state);
                    if (state !== 'idle') throw new Error(`the call is ${state}`);
                  },

                  /** Hangs up whatever call is left and waits for the idle page. */
                  async reset() {
                    const {page} = person;
                    const hangUp = page.getByTestId('call-hangup');
                    if (await hangUp.isVisible()) await hangUp.click();
                    await page.getByTestId('call-screen').waitFor({state: 'hidden'});
                  },

                  async screenshot({name}) {
                    await h.screenshot(person, name);
                    const problems = h.problems();
                    if (problems.length) throw new Error(`the page reported problems: ${problems.join('; ')}`);
                  },
                };

                const lines = createInterface({input: process.stdin});
                for await (const line of lines) {
                  let command;
                  try {
                    command = JSON.parse(line);
                    const run = commands[command.cmd];
                    if (!run) throw new Error(`no command ${command.cmd}`);
                    const result = await run(command);
                    console.log(`@@ ${JSON.stringify({ok: true, result: result === undefined ? null : result})}`);
                  } catch (e) {
                    if (person) await h.screenshot(person, `FAILED-${command && command.cmd}`).catch(() => {});
                    console.log(`@@ ${JSON.stringify({ok: false, error: String(e.stack || e).split('\\n').slice(0, 6).join('\\n')})}`);
                  }
                }
                await h.closePeople();
                await h.close();
                """;
    }

    /**
     * A second "PBX" that is busy: SIPp on its own loopback address answers every INVITE with 486 (and
     * the OPTIONS probes of a peer trunk with 200), for as long as it runs; its message trace is read.
     */
    static final class BusyPbx implements AutoCloseable {
        final String host;
        final int port;
        private final Process process;
        private final Path messages;

        private BusyPbx(String host, int port, Process process, Path messages) {
            this.host = host;
            this.port = port;
            this.process = process;
            this.messages = messages;
        }

        static BusyPbx start(Path dir, String host) throws Exception {
            Path sipp = Path.of("/usr/bin/sipp");
            if (!Files.isExecutable(sipp)) fail("sipp is missing: .ci/run installs Debian's sip-tester");
            Path scenario = dir.resolve("busy.xml");
            Files.writeString(scenario, SCENARIO);
            Path messages = dir.resolve("messages.log");
            int port = CompanyPbx.freePort(host, 0);
            Process p = new ProcessBuilder(sipp.toString(), "-sf", scenario.toString(), "-t", "u1", "-i", host,
                    "-p", Integer.toString(port), "-nostdin", "-trace_msg", "-message_file", messages.toString(),
                    "-trace_err", "-error_file", dir.resolve("errors.log").toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("sipp.out").toFile()).start();
            BusyPbx busy = new BusyPbx(host, port, p, messages);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!busy.bound()) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    busy.close();
                    fail("sipp did not start: " + Files.readString(dir.resolve("sipp.out")));
                }
                Thread.sleep(20);
            }
            return busy;
        }

        private boolean bound() {
            try (java.net.DatagramSocket probe = new java.net.DatagramSocket(new java.net.InetSocketAddress(host, port))) {
                return false;
            } catch (IOException taken) {
                return true;
            }
        }

        String messages() throws IOException {
            return Files.exists(messages) ? Files.readString(messages) : "";
        }

        boolean sent486() throws IOException {
            String m = messages();
            return m.contains("INVITE sip:") && m.contains("SIP/2.0 486 Busy Here");
        }

        @Override
        public void close() throws Exception {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly();
        }

        private static final String SCENARIO = """
                <?xml version="1.0" encoding="ISO-8859-1" ?>
                <scenario name="a busy PBX">
                  <recv request="OPTIONS" optional="true" next="options"/>
                  <recv request="INVITE"/>
                  <send>
                    <![CDATA[
                SIP/2.0 486 Busy Here
                [last_Via:]
                [last_From:]
                [last_To:];tag=[pid]busy[call_number]
                [last_Call-ID:]
                [last_CSeq:]
                Content-Length: 0

                ]]>
                  </send>
                  <recv request="ACK" next="done"/>
                  <label id="options"/>
                  <send>
                    <![CDATA[
                SIP/2.0 200 OK
                [last_Via:]
                [last_From:]
                [last_To:];tag=[pid]busy[call_number]
                [last_Call-ID:]
                [last_CSeq:]
                Content-Length: 0

                ]]>
                  </send>
                  <label id="done"/>
                </scenario>
                """;
    }
}
