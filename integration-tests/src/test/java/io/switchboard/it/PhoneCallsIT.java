package io.switchboard.it;

import static io.switchboard.it.Api.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
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
 * Calls with SIP phones end to end (docs/calls.md, docs/sip-devices.md): Alice's desk phone is baresip on
 * its own loopback address, registered to Switchboard with the credentials of {@code POST
 * /api/v1/sip-devices}, answering nothing by itself, playing a {@value #PHONE_TONE_HZ} Hz tone and
 * recording what it hears. Company acme has the {@link CompanyPbx} fixture behind a registration trunk;
 * media goes through a real rtpengine; Alice's web client runs in headless Chromium.
 *
 * <p>What must hold: the phone calls acme by name, an extension answers and each side hears the other's
 * tone, whoever hangs up; an extension that dials {@code alice} rings her browser and her phone at once,
 * the browser's answer stops the phone (and the phone's the browser), and the extension hears whichever
 * answered and is heard by it; rtpengine keeps nothing of a call once it is over; with nothing
 * of hers online the PBX hears 480 and she finds a missed call in her chat with acme; a handle nobody has
 * is 404 at the PBX.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PhoneCallsIT {
    /** Alice's phone's microphone: no extension's tone, no harmonic of theirs, not the browser's. */
    static final int PHONE_TONE_HZ = 1000;
    private static final String PHONE_HOST = "127.0.0.21";
    private static final Duration HOLD = Duration.ofSeconds(5);
    private static final String OFFICE = "office";

    private CompanyPbx pbx;
    private Rtpengine rtpengine;
    private Switchboard sb;
    private Api api;
    private String acme;
    private String alice;
    private JsonNode device;
    private Baresip phone;
    private CompanyCallWebIT.Browser browser;

    @BeforeAll
    void start() throws Exception {
        if (!Files.isExecutable(CallsWebIT.CHROMIUM)) fail(CallsWebIT.CHROMIUM + " is missing: install Debian's chromium (.ci/run does)");
        pbx = CompanyPbx.start(Switchboard.workDir("phone-calls-pbx"));
        rtpengine = Rtpengine.start(34000, 34999);
        sb = Switchboard.start(Switchboard.workDir("phone-calls"), Switchboard.env(
                "SWITCHBOARD_RTPENGINE", rtpengine.ngAddress(), "SWITCHBOARD_SIP_ADDRESS", "127.0.0.1"));
        api = sb.api();
        acme = api.signUp("acme", "business", "Acme Ltd");
        alice = api.signUp("alice", "person", "Alice Archer");
        Api.Reply office = api.post("/api/v1/trunks", acme, obj("name", OFFICE, "mode", "register",
                "host", pbx.registrarHost(), "port", pbx.registrarPort(), "username", pbx.trunkUser(),
                "password", pbx.trunkPassword(), "realm", pbx.realm(), "priority", 10));
        assertEquals(201, office.status(), office.toString());
        awaitTrunkRegistered();

        Api.Reply created = api.post("/api/v1/sip-devices", alice, obj("name", "Desk phone"));
        assertEquals(201, created.status(), created.toString());
        device = created.json();
        phone = startPhone();
        awaitPhoneRegistered(true);

        Path work = Path.of(System.getProperty("it.work", "target/it-work")).toAbsolutePath().resolveSibling("phone-calls-e2e");
        CallsWebIT.installDriver(work);
        browser = CompanyCallWebIT.Browser.start(work, "http://127.0.0.1:" + sb.port(),
                work.resolveSibling("screenshots").resolve("phone-calls"));
        browser.send("login", "handle", "alice");
    }

    /**
     * Alice's phone as its owner sets it up from the API's answer: the AOR {@code sip:<username>@<realm>},
     * the registrar as outbound proxy (the realm is an address here, but a phone is told where to go).
     */
    private Baresip startPhone() throws Exception {
        String account = "<sip:" + device.path("username").asText() + "@" + device.path("realm").asText() + ">;auth_pass="
                + device.path("password").asText() + ";outbound=\"" + device.path("registrar").asText()
                + "\";answermode=manual;regint=600";
        Path dir = Switchboard.workDir("phone-calls-phone");
        // -s: its SIP messages go into its log, where the scenarios look for the 407 and the CANCEL.
        return Baresip.start("alice-phone", dir.resolve("home"), dir.resolve("baresip.log"), PHONE_HOST,
                PHONE_TONE_HZ, CompanyPbx.TONE_SECONDS, 43000, account, "-s");
    }

    @AfterAll
    void stop() throws Exception {
        // Switchboard.stop() fails with an AssertionError (an unclean exit): everything after it is still stopped.
        Throwable first = null;
        for (AutoCloseable c : new AutoCloseable[] {browser, phone, sb, rtpengine, pbx}) {
            try {
                if (c != null) c.close();
            } catch (Exception | AssertionError e) {
                if (first == null) first = e;
            }
        }
        if (first instanceof Exception e) throw e;
        if (first != null) throw (AssertionError) first;
    }

    /**
     * A failed scenario may leave a call on, or a session in rtpengine that it reported: the next one
     * starts from idle, with rtpengine empty.
     */
    @AfterEach
    void cleanUp() throws Exception {
        if (browser != null) browser.send("reset");
        if (phone != null && phone.isAlive() && inCall(phone.eventLog())) phone.command("hangup", null);
        for (String left : rtpengine.calls()) rtpengine.request(Map.of("command", "delete", "call-id", left));
    }

    // ---------------------------------------------------------------------------------------------
    // The scenarios

    @Test
    @Order(1)
    void alicesPhoneCallsAcmeAnExtensionAnswersTheyHearEachOtherAndThePhoneHangsUp() throws Exception {
        putRouting(ringAll("201", "202"));
        Marks mark = mark();
        int logged = phone.log().length();
        phone.command("dial", "sip:acme@" + device.path("realm").asText());
        awaitNew(phone, mark, "CALL_ESTABLISHED", Duration.ofSeconds(15));
        String trace = phone.log().substring(logged);
        assertTrue(trace.contains("SIP/2.0 407 "), "the INVITE was challenged first:\n" + phone.tail(60));
        String winner = awaitOneAnswered(mark);
        JsonNode call = latestCall("answered");
        String id = call.path("id").asText();
        assertEquals("alice", call.path("from").path("handle").asText(), call.toString());
        assertEquals("acme", call.path("to").path("handle").asText(), call.toString());
        assertTrue(rtpengine.calls().contains(id), "rtpengine relays the call: " + rtpengine.calls());

        Thread.sleep(HOLD.toMillis());
        Map<String, Long> legs = Rtpengine.packetsPerLeg(rtpengine.query(id));
        System.out.printf("phone -> acme: %s answered; rtpengine packets per leg: %s%n", winner, legs);
        // 201 rang on the callee leg, 202 on a branch of its own; the winner's carried the call.
        String winnerLeg = Rtpengine.calleeBranch(winner.equals("201") ? 1 : 2);
        assertTrue(legs.getOrDefault("caller", 0L) > 100 && legs.getOrDefault(winnerLeg, 0L) > 100,
                "rtpengine relayed both ways: " + legs);
        assertFalse(since(phone, mark).contains("CALL_CLOSED"), "the phone is still in the call: " + since(phone, mark));

        phone.command("hangup", null);
        awaitNew(phone, mark, "CALL_CLOSED", Duration.ofSeconds(10));
        awaitNew(pbx, winner, mark, "CALL_CLOSED", Duration.ofSeconds(10));
        assertHeardEachOther(winner, "hung up by the phone");

        JsonNode ended = awaitCall(id, "ended");
        assertEquals("hangup", ended.path("reason").asText(), ended.toString());
        assertEquals("alice", ended.path("endedBy").asText(), ended.toString());
        assertTrue(ended.path("answeredAt").isTextual(), ended.toString());
        awaitNoRtpengineCall();
    }

    @Test
    @Order(2)
    void alicesPhoneCallsAcmeAndTheExtensionHangsUp() throws Exception {
        putRouting(ringAll("201", "202"));
        Marks mark = mark();
        phone.command("dial", "sip:acme@" + device.path("realm").asText());
        awaitNew(phone, mark, "CALL_ESTABLISHED", Duration.ofSeconds(15));
        String winner = awaitOneAnswered(mark);
        String id = latestCall("answered").path("id").asText();
        Thread.sleep(HOLD.toMillis());

        pbx.hangup(winner);
        awaitNew(pbx, winner, mark, "CALL_CLOSED", Duration.ofSeconds(10));
        // baresip reports a BYE from the far end as "Connection reset by peer".
        JsonNode closed = awaitNew(phone, mark, "CALL_CLOSED", Duration.ofSeconds(10));
        System.out.printf("the PBX hung up: the phone's call closed (%s)%n", closed.path("param").asText());
        assertHeardEachOther(winner, "hung up by the extension");
        JsonNode ended = awaitCall(id, "ended");
        assertEquals("hangup", ended.path("reason").asText(), ended.toString());
        assertEquals("acme", ended.path("endedBy").asText(), "the company hung up: " + ended);
        awaitNoRtpengineCall();
    }

    @Test
    @Order(3)
    void anExtensionDialsAliceHerBrowserAndHerPhoneRingTheBrowserAnswersAndThePhoneStops() throws Exception {
        Marks mark = mark();
        int logged = phone.log().length();
        pbx.dial("201", "alice");
        String id = browser.awaitIncoming("Acme Ltd");
        JsonNode incoming = awaitNew(phone, mark, "CALL_INCOMING", Duration.ofSeconds(10));
        System.out.printf("PBX -> alice: the browser shows call %s; the phone rings (%s)%n", id, incoming.path("peeruri").asText());
        assertTrue(since(pbx, "201", mark).contains("CALL_RINGING"), "201 hears ringing: " + since(pbx, "201", mark));
        assertEquals(List.of(), since(pbx, "202", mark), "202 has nothing to do with it");

        browser.answer();
        awaitNew(pbx, "201", mark, "CALL_ESTABLISHED", Duration.ofSeconds(10));
        JsonNode stopped = awaitNew(phone, mark, "CALL_CLOSED", Duration.ofSeconds(10));
        assertFalse(since(phone, mark).contains("CALL_ESTABLISHED"), "the phone never took the call: " + since(phone, mark));
        String trace = phone.log().substring(logged);
        assertTrue(trace.contains("\nCANCEL sip:") && trace.contains("SIP/2.0 487 "), "the phone's INVITE was cancelled:\n" + phone.tail(60));
        System.out.printf("the browser answered; the phone stopped ringing (%s)%n", stopped.path("param").asText());
        assertTrue(rtpengine.calls().contains(id), "rtpengine relays the call: " + rtpengine.calls());

        JsonNode first = browser.heard(null);
        Thread.sleep(HOLD.toMillis());
        JsonNode held = browser.heard(first);
        JsonNode tone = browser.send("tone");
        Map<String, Long> legs = Rtpengine.packetsPerLeg(rtpengine.query(id));
        System.out.printf("browser inbound audio: %s then %s; browser hears %s; rtpengine packets per leg: %s%n",
                first, held, tone, legs);
        assertEquals(pbx.toneHz("201"), tone.path("hz").asDouble(), 15, "the browser hears 201's tone: " + tone);
        assertTrue(legs.getOrDefault("caller", 0L) > 100 && legs.getOrDefault("callee", 0L) > 100,
                "rtpengine relayed both ways: " + legs);

        browser.hangUp();
        awaitNew(pbx, "201", mark, "CALL_CLOSED", Duration.ofSeconds(10));
        CompanyPbx.Analysis heard = CompanyPbx.analyse(pbx.lastRecording("201"));
        System.out.printf("201 heard the browser: %s; %d Hz amplitude %.0f%n", heard, CompanyCallWebIT.BROWSER_TONE_HZ,
                heard.amplitudeAt(CompanyCallWebIT.BROWSER_TONE_HZ));
        String diagnostics = "201 heard " + heard + "\n" + pbx.logs();
        assertEquals(CompanyCallWebIT.BROWSER_TONE_HZ, heard.dominantHz(), heard.binHz(), "the browser's tone: " + diagnostics);
        assertTrue(heard.rms() > 100, "far above silence: " + diagnostics);
        assertTrue(heard.amplitudeAt(pbx.toneHz("201")) < heard.amplitudeAt(CompanyCallWebIT.BROWSER_TONE_HZ) / 20,
                "not its own tone back: " + diagnostics);
        assertTrue(heard.seconds() > HOLD.toSeconds() - 1, "most of the call: " + diagnostics);

        JsonNode ended = awaitCall(id, "ended");
        assertEquals("acme", ended.path("from").path("handle").asText(), ended.toString());
        assertEquals("alice", ended.path("to").path("handle").asText(), ended.toString());
        assertEquals("alice", ended.path("endedBy").asText(), ended.toString());
        assertTrue(ended.path("answeredAt").isTextual(), ended.toString());
        awaitNoRtpengineCall();
    }

    @Test
    @Order(4)
    void anExtensionDialsAliceHerPhoneAnswersTheBrowserStopsRingingAndTheyHearEachOther() throws Exception {
        Marks mark = mark();
        pbx.dial("201", "alice");
        String id = browser.awaitIncoming("Acme Ltd");
        awaitNew(phone, mark, "CALL_INCOMING", Duration.ofSeconds(10));

        phone.command("accept", null);
        awaitNew(phone, mark, "CALL_ESTABLISHED", Duration.ofSeconds(10));
        awaitNew(pbx, "201", mark, "CALL_ESTABLISHED", Duration.ofSeconds(10));
        browser.awaitIdle();
        JsonNode answered = awaitCall(id, "answered");
        assertEquals("acme", answered.path("from").path("handle").asText(), answered.toString());
        Thread.sleep(HOLD.toMillis());

        pbx.hangup("201");
        awaitNew(pbx, "201", mark, "CALL_CLOSED", Duration.ofSeconds(10));
        awaitNew(phone, mark, "CALL_CLOSED", Duration.ofSeconds(10));
        assertHeardEachOther("201", "answered on the phone, hung up by 201");
        JsonNode ended = awaitCall(id, "ended");
        assertEquals("acme", ended.path("endedBy").asText(), ended.toString());
        awaitNoRtpengineCall();
    }

    @Test
    @Order(5)
    void withNothingOfAlicesOnlineThePbxHears480AndSheHasAMissedCallInHerChatWithAcme() throws Exception {
        browser.close();
        browser = null;
        phone.terminate(); // baresip un-registers on its way out
        assertTrue(phone.awaitExit(Duration.ofSeconds(10)), "the phone ended:\n" + phone.tail(30));
        assertTrue(phone.events().contains("UNREGISTERING"), "the phone un-registered: " + phone.events() + "\n" + phone.tail(30));
        awaitPhoneRegistered(false);

        Marks mark = mark();
        pbx.dial("201", "alice");
        JsonNode closed = awaitNew(pbx, "201", mark, "CALL_CLOSED", Duration.ofSeconds(10));
        System.out.printf("PBX -> alice offline: 201's call closed with '%s'%n", closed.path("param").asText());
        assertTrue(closed.path("param").asText().startsWith("480"), "480 for the PBX: " + closed + "\n" + pbx.logs());
        assertFalse(since(pbx, "201", mark).contains("CALL_ESTABLISHED"), since(pbx, "201", mark).toString());

        JsonNode missed = latestCall(null);
        String id = missed.path("id").asText();
        assertEquals("missed", missed.path("state").asText(), missed.toString());
        assertEquals("acme", missed.path("from").path("handle").asText(), missed.toString());
        assertEquals("alice", missed.path("to").path("handle").asText(), missed.toString());
        assertTrue(missed.path("answeredAt").isNull(), missed.toString());

        JsonNode[] message = new JsonNode[1];
        await("the missed-call message in alice's chat with acme", Duration.ofSeconds(10), () -> {
            String conversation = directWith("acme");
            if (conversation == null) return false;
            for (JsonNode m : get("/api/v1/conversations/" + conversation + "/messages", alice).path("messages")) {
                if (id.equals(m.path("call").path("id").asText())) message[0] = m;
            }
            return message[0] != null;
        }, () -> String.valueOf(get("/api/v1/conversations", alice)));
        System.out.println("alice's chat with acme: " + message[0]);
        assertEquals("acme", message[0].path("sender").asText(), message[0].toString());
        assertEquals("missed", message[0].path("call").path("outcome").asText(), message[0].toString());
        assertEquals("call-" + id, message[0].path("clientMsgId").asText(), message[0].toString());
    }

    @Test
    @Order(6)
    void aHandleNobodyHasIs404AtThePbx() throws Exception {
        Marks mark = mark();
        pbx.dial("201", "nobody_here");
        JsonNode closed = awaitNew(pbx, "201", mark, "CALL_CLOSED", Duration.ofSeconds(10));
        System.out.printf("PBX -> nobody_here: 201's call closed with '%s'%n", closed.path("param").asText());
        assertTrue(closed.path("param").asText().startsWith("404"), "404 for the PBX: " + closed + "\n" + pbx.logs());
        assertTrue(sb.outputContains("No account 'nobody_here'"), "Switchboard refused it:\n" + String.join("\n", sb.tail(30)));
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers

    /**
     * After a call between the phone and an extension: the phone heard the extension's tone, the extension
     * the phone's; each far above silence, nearly pure, not its own tone back, for most of the call.
     */
    private void assertHeardEachOther(String ext, String how) throws Exception {
        CompanyPbx.Analysis atPhone = CompanyPbx.analyse(phone.lastRecording());
        CompanyPbx.Analysis atExt = CompanyPbx.analyse(pbx.lastRecording(ext));
        System.out.printf("%s: the phone heard %s; %s heard %s%n", how, atPhone, ext, atExt);
        String diagnostics = "the phone heard " + atPhone + ", " + ext + " heard " + atExt + "\n" + phone.tail(30) + pbx.logs();
        assertEquals(pbx.toneHz(ext), atPhone.dominantHz(), atPhone.binHz(), "the phone hears " + ext + ": " + diagnostics);
        assertEquals(PHONE_TONE_HZ, atExt.dominantHz(), atExt.binHz(), ext + " hears the phone: " + diagnostics);
        for (CompanyPbx.Analysis a : List.of(atPhone, atExt)) {
            assertTrue(a.rms() > 1000, "a tone at its level: " + diagnostics);
            assertTrue(a.purity() > 0.8, "the tone and little else: " + diagnostics);
            assertTrue(a.seconds() > HOLD.toSeconds() - 1, "most of the call: " + diagnostics);
        }
        assertTrue(atPhone.amplitudeAt(PHONE_TONE_HZ) < atPhone.amplitudeAt(pbx.toneHz(ext)) / 20, "not its own tone back: " + diagnostics);
        assertTrue(atExt.amplitudeAt(pbx.toneHz(ext)) < atExt.amplitudeAt(PHONE_TONE_HZ) / 20, "not its own tone back: " + diagnostics);
    }

    private static ObjectNode ringAll(String... extensions) {
        List<ObjectNode> members = new ArrayList<>();
        for (String e : extensions) members.add(obj("extension", e, "trunk", OFFICE));
        return obj("rules", List.of(obj("name", "everyone", "ring", obj("strategy", "ringall", "members", members,
                "totalTimeout", 20))));
    }

    private void putRouting(ObjectNode rules) throws Exception {
        Api.Reply r = api.put("/api/v1/routing", acme, rules);
        assertEquals(200, r.status(), r.toString());
    }

    private void awaitTrunkRegistered() throws Exception {
        JsonNode[] last = new JsonNode[1];
        await("trunk " + OFFICE + " registered", Duration.ofSeconds(30), () -> {
            for (JsonNode t : get("/api/v1/trunks", acme).path("trunks")) {
                if (OFFICE.equals(t.path("name").asText())) last[0] = t;
            }
            return last[0] != null && "registered".equals(last[0].path("status").asText());
        }, () -> String.valueOf(last[0]));
    }

    /** Alice's newest call (GET /api/v1/calls), once it is in {@code state} (any state when null). */
    private JsonNode latestCall(String state) throws Exception {
        JsonNode[] last = new JsonNode[1];
        await("alice's newest call " + (state == null ? "" : state), Duration.ofSeconds(10), () -> {
            JsonNode calls = get("/api/v1/calls", alice).path("calls");
            last[0] = calls.size() == 0 ? null : calls.get(0);
            return last[0] != null && (state == null || state.equals(last[0].path("state").asText()));
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

    /** Waits until GET /api/v1/sip-devices says alice's phone is (or is not) registered. */
    private void awaitPhoneRegistered(boolean registered) throws Exception {
        JsonNode[] last = new JsonNode[1];
        await("alice's phone " + (registered ? "registered" : "unregistered"), Duration.ofSeconds(10), () -> {
            for (JsonNode d : get("/api/v1/sip-devices", alice).path("devices")) {
                if (device.path("id").asText().equals(d.path("id").asText())) last[0] = d;
            }
            return last[0] != null && last[0].path("registered").isBoolean() && last[0].path("registered").asBoolean() == registered;
        }, () -> String.valueOf(last[0]));
    }

    /** The id of alice's direct conversation with {@code handle}; null when she has none. */
    private String directWith(String handle) {
        for (JsonNode c : get("/api/v1/conversations", alice).path("conversations")) {
            if (!"direct".equals(c.path("kind").asText())) continue;
            for (JsonNode m : c.path("members")) {
                if (handle.equals(m.path("handle").asText())) return c.path("id").asText();
            }
        }
        return null;
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

    /** How many events the phone and each extension had reported before a step. */
    private record Marks(int phone, Map<String, Integer> extensions) {}

    private Marks mark() {
        Map<String, Integer> m = new HashMap<>();
        for (String ext : pbx.extensionNumbers()) m.put(ext, pbx.eventLog(ext).size());
        return new Marks(phone.isAlive() ? phone.eventLog().size() : 0, m);
    }

    private static List<String> callEvents(List<JsonNode> log, int from) {
        return log.subList(Math.min(from, log.size()), log.size()).stream().map(e -> e.path("type").asText())
                .filter(t -> t.startsWith("CALL_")).collect(Collectors.toList());
    }

    /** True when a user agent's latest call event is not the end of its call. */
    private static boolean inCall(List<JsonNode> log) {
        List<String> calls = callEvents(log, 0);
        return !calls.isEmpty() && !calls.get(calls.size() - 1).equals("CALL_CLOSED");
    }

    private List<String> since(Baresip agent, Marks mark) {
        return callEvents(agent.eventLog(), mark.phone());
    }

    private List<String> since(CompanyPbx pbx, String ext, Marks mark) {
        return callEvents(pbx.eventLog(ext), mark.extensions().get(ext));
    }

    private JsonNode awaitNew(Baresip agent, Marks mark, String type, Duration timeout) throws Exception {
        return awaitIn(agent.name(), agent::eventLog, mark.phone(), type, timeout, () -> agent.tail(30));
    }

    private JsonNode awaitNew(CompanyPbx pbx, String ext, Marks mark, String type, Duration timeout) throws Exception {
        return awaitIn(ext, () -> pbx.eventLog(ext), mark.extensions().get(ext), type, timeout, pbx::logs);
    }

    private JsonNode awaitIn(String who, Supplier<List<JsonNode>> events, int from, String type, Duration timeout,
                             Supplier<String> logs) throws Exception {
        JsonNode[] found = new JsonNode[1];
        await(who + " " + type, timeout, () -> {
            List<JsonNode> log = events.get();
            for (JsonNode e : log.subList(Math.min(from, log.size()), log.size())) {
                if (type.equals(e.path("type").asText())) {
                    found[0] = e;
                    return true;
                }
            }
            return false;
        }, () -> who + "'s call events since the step began: " + callEvents(events.get(), from) + "\n" + logs.get()
                + "\n--- switchboard\n" + String.join("\n", sb.tail(30)));
        return found[0];
    }

    /**
     * The one extension whose call is up once every other that rang has closed its own: the answerer.
     * Both may answer a ring-all at once; the later 200 is then hung up at once.
     */
    private String awaitOneAnswered(Marks mark) throws Exception {
        String[] winner = new String[1];
        await("one extension in the call", Duration.ofSeconds(15), () -> {
            List<String> up = new ArrayList<>();
            boolean settled = true;
            for (String ext : pbx.extensionNumbers()) {
                List<String> events = since(pbx, ext, mark);
                boolean closed = events.contains("CALL_CLOSED");
                if (events.contains("CALL_ESTABLISHED") && !closed) up.add(ext);
                else if (!events.isEmpty() && !closed) settled = false;
            }
            if (up.size() == 1 && settled) winner[0] = up.get(0);
            return winner[0] != null;
        }, () -> pbx.extensionNumbers().stream().map(e -> e + ": " + since(pbx, e, mark)).collect(Collectors.joining("; "))
                + "\n" + pbx.logs());
        return winner[0];
    }

    private static void await(String what, Duration timeout, Check condition, Supplier<String> state) throws Exception {
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
}
