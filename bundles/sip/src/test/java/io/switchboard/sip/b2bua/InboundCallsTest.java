package io.switchboard.sip.b2bua;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.switchboard.sdk.accounts.AccountInfo;
import io.switchboard.sdk.accounts.AccountKind;
import io.switchboard.sdk.accounts.AccountLookup;
import io.switchboard.sdk.calls.CallBridge;
import io.switchboard.sdk.calls.CallGateway;
import io.switchboard.sdk.calls.CallRefusedException;
import io.switchboard.sip.Loopback;
import io.switchboard.sip.stack.SipStackAccess;
import io.switchboard.sip.stack.SipStackComponent;
import io.switchboard.sip.trunk.Trunk;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Calls from a PBX on a real stack (127.0.0.1, a free port): SIPp plays the PBX on 127.0.0.2, the
 * address of acme's trunk, and calls handles; the calls feature is a recording {@link CallGateway} the
 * test drives. A stranger on 127.0.0.3 is refused.
 */
class InboundCallsTest {
    private static final Trunk ACME_TRUNK = new Trunk("trk_1", "acc_acme", "main", Trunk.Mode.PEER, "127.0.0.2", 5060,
            Trunk.Transport.UDP, null, null, null, 1, 1, null, Instant.EPOCH);
    /** A trunk of one channel. */
    private static final Trunk SMALL_TRUNK = new Trunk("trk_2", "acc_acme", "small", Trunk.Mode.PEER, "127.0.0.5", 5060,
            Trunk.Transport.UDP, null, null, null, 1, 1, 1, Instant.EPOCH);
    private static final AccountInfo ALICE = new AccountInfo("acc_alice", "alice", "Alice", AccountKind.PERSON, null,
            false, Instant.EPOCH);

    private static SipStackComponent sip;
    private static int port;
    private final Gateway gateway = new Gateway();
    private final TrunkChannels channels = new TrunkChannels();
    private InboundCalls inbound;
    private Sipp pbx;

    @BeforeAll
    static void startStack() throws Exception {
        assumeTrue(Files.isExecutable(Sipp.BINARY), "sipp is not installed (Debian package sip-tester)");
        sip = SipStackAccess.startOnFreePort(Loopback.STACK);
        port = SipStackAccess.port(sip);
    }

    @AfterAll
    static void stopStack() {
        if (sip != null) SipStackAccess.stop(sip);
    }

    @BeforeEach
    void start() {
        AccountLookup accounts = new AccountLookup() {
            @Override public Optional<AccountInfo> byHandle(String handle) {
                return "alice".equalsIgnoreCase(handle) ? Optional.of(ALICE) : Optional.empty();
            }

            @Override public Optional<AccountInfo> byId(String accountId) {
                return ALICE.id().equals(accountId) ? Optional.of(ALICE) : Optional.empty();
            }

            @Override public boolean blocks(String blocker, String blocked) {
                return false;
            }
        };
        inbound = new InboundCalls(sip, gateway, accounts,
                source -> source == null ? Optional.empty()
                        : source.getHostAddress().equals("127.0.0.2") ? Optional.of(ACME_TRUNK)
                        : source.getHostAddress().equals("127.0.0.5") ? Optional.of(SMALL_TRUNK) : Optional.empty(),
                phones, "switchboard.test", channels);
    }

    @AfterEach
    void stop() {
        if (pbx != null) pbx.close();
        if (inbound != null) inbound.deactivate();
    }

    @Test
    void answeredThenTheCalleeHangsUp() throws Exception {
        pbx = call("127.0.0.2", "Alice", INVITE + RECV_100 + recv("180") + ANSWER_200 + ACK_2XX + RECV_BYE_AND_OK);
        Placed placed = gateway.next();
        assertEquals("acc_acme", placed.call.callerAccountId(), "a call over acme's trunk comes from acme");
        assertEquals("acc_alice", placed.call.calleeAccountId(), "the dialled handle, any case");
        assertTrue(placed.call.offer().contains("m=audio 41000 RTP/AVP 0 101"), placed.call.offer());
        assertEquals(false, placed.call.video());
        placed.listener.ringing();
        placed.listener.answered(ANSWER);
        placed.listener.ended(); // before or after the ACK: the BYE waits for it
        assertEquals(0, pbx.exit(20), pbx::output);
        assertTrue(gateway.hungUp.isEmpty(), "the callee's own hang-up is not sent back: " + gateway.hungUp);
        assertEquals(0, inbound.live());

        String ok = pbx.receivedResponse("200 OK", "INVITE");
        assertTrue(ok.contains("o=sb 9 9"), "the answer goes to the PBX: " + ok);
        assertTrue(ok.matches("(?s).*\\nContact: <sip:alice@127\\.0\\.0\\.1:" + port + ">.*"), ok);
    }

    @Test
    void thePbxHangsUp() throws Exception {
        pbx = call("127.0.0.2", "alice", INVITE + RECV_100 + ANSWER_200 + ACK_2XX + SEND_BYE + recv("200"));
        Placed placed = gateway.next();
        placed.listener.answered(ANSWER);
        assertEquals(0, pbx.exit(20), pbx::output);
        assertEquals(List.of(placed.id), gateway.awaitHangups(1));
        assertEquals(0, inbound.live());
    }

    @Test
    void anAnswerNeverAcknowledgedIsHungUpOnBothSides() throws Exception {
        // The PBX takes the 200 but never ACKs it: after 64 T1 (32 s) a BYE goes to it, and the call ends.
        pbx = call("127.0.0.2", "alice", INVITE + RECV_100 + ANSWER_200 + RECV_BYE_AND_OK);
        Placed placed = gateway.next();
        placed.listener.answered(ANSWER);
        assertEquals(0, pbx.exit(50), pbx::output);
        assertEquals(List.of(placed.id), gateway.awaitHangups(1), "the calls feature hangs up too");
        assertEquals(0, inbound.live());
    }

    @Test
    void thePbxGivesUpWhileItRings() throws Exception {
        pbx = call("127.0.0.2", "alice", INVITE + RECV_100 + recv("180") + SEND_CANCEL + recv("200") + recv("487")
                + ACK_ERROR);
        Placed placed = gateway.next();
        placed.listener.ringing();
        assertEquals(0, pbx.exit(20), pbx::output);
        assertEquals(List.of(placed.id), gateway.awaitHangups(1));
        placed.listener.answered(ANSWER); // too late: nothing goes out
        assertEquals(0, inbound.live());
    }

    @Test
    void aCancelThatCrossesTheAnswerChangesNothing() throws Exception {
        gateway.answerAtOnce = true;
        // The stack answers a CANCEL of an INVITE already answered with 200 itself, and nothing else happens.
        pbx = call("127.0.0.2", "alice", INVITE + RECV_100 + ANSWER_200 + SEND_CANCEL + recv("200") + ACK_2XX
                + SEND_BYE + recv("200"));
        Placed placed = gateway.next();
        assertEquals(0, pbx.exit(20), pbx::output);
        assertEquals(List.of(placed.id), gateway.awaitHangups(1), "only the BYE hangs up");
        assertEquals(0, inbound.live());
    }

    @Test
    void refusalsAreFinalAnswers() throws Exception {
        Map<String, String> cases = Map.of("offline", "480", "busy", "486", "refused", "603", "unavailable", "503");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            gateway.refuse = c.getKey();
            pbx = call("127.0.0.2", "alice", INVITE + RECV_100 + recv(c.getValue()) + ACK_ERROR);
            assertEquals(0, pbx.exit(20), c + ": " + pbx.output());
            pbx.close();
        }
        gateway.refuse = null;
        pbx = call("127.0.0.2", "nobody", INVITE + RECV_100 + recv("404") + ACK_ERROR);
        assertEquals(0, pbx.exit(20), pbx::output);
        assertEquals(0, gateway.placed.size(), "an unknown handle never reaches the calls feature");
    }

    @Test
    void aStrangerIsForbiddenAndTheStackServesOn() throws Exception {
        pbx = call("127.0.0.3", "alice", INVITE + recv("403") + ACK_ERROR);
        assertEquals(0, pbx.exit(20), pbx::output);
        assertEquals(0, gateway.placed.size());
        pbx.close();
        gateway.refuse = "busy";
        pbx = call("127.0.0.2", "alice", INVITE + RECV_100 + recv("486") + ACK_ERROR);
        assertEquals(0, pbx.exit(20), pbx::output);
    }

    @Test
    void aPhoneOfOursIsChallengedThenCallsAsItsUser() throws Exception {
        String fromPhone = INVITE.replace("\"201\" <sip:201@pbx.local>", "<sip:bob.x1y2z3@switchboard.test>");
        String authenticated = fromPhone.replace("branch=" + INVITE_BRANCH, "branch=[branch]")
                .replace("CSeq: 1 INVITE", "CSeq: 2 INVITE\n[authentication username=bob.x1y2z3 password=secret]");
        gateway.refuse = "busy";
        pbx = call("127.0.0.4", "alice", fromPhone + recv("407", "auth=\"true\"")
                + ACK_ERROR.replace("\"201\" <sip:201@pbx.local>", "<sip:bob.x1y2z3@switchboard.test>")
                + authenticated + RECV_100 + recv("486") + request("ACK", INVITE_URI, "[branch-2]", true, "2 ACK")
                        .replace("\"201\" <sip:201@pbx.local>", "<sip:bob.x1y2z3@switchboard.test>"));
        assertEquals(0, pbx.exit(20), pbx::output);
        assertEquals(List.of("acc_bob"), phones.users, "the phone calls as its user once its credentials hold");
        assertTrue(pbx.output().contains("Proxy-Authorization: Digest"), "the second INVITE answered the challenge");
    }

    @Test
    void aTrunkCarriesNoMoreCallsThanItsChannels() throws Exception {
        pbx = call("127.0.0.5", "alice", INVITE + RECV_100 + ANSWER_200 + ACK_2XX + RECV_BYE_AND_OK);
        Placed first = gateway.next();
        first.listener.answered(ANSWER);
        assertEquals(1, channels.inUse("trk_2"));
        try (Sipp second = call("127.0.0.5", "alice", INVITE + RECV_100 + recv("503") + ACK_ERROR)) {
            assertEquals(0, second.exit(20), second::output);
        }
        assertEquals(1, gateway.placed.size(), "the call over the full trunk never rang");
        first.listener.ended();
        assertEquals(0, pbx.exit(20), pbx::output);
        assertEquals(0, channels.inUse("trk_2"), "the channel is given back");
        assertEquals(0, channels.inUse("trk_1"));
    }

    @Test
    void anOfferIsRequired() throws Exception {
        pbx = call("127.0.0.2", "alice", INVITE.replaceAll("(?s)Content-Type: application/sdp.*?\\]\\]>",
                "Content-Length: 0\n\n    ]]>") + RECV_100 + recv("488") + ACK_ERROR);
        assertEquals(0, pbx.exit(20), pbx::output);
        assertEquals(0, gateway.placed.size());
    }

    // ---- the PBX's side, in SIPp's scenario language

    private Sipp call(String from, String handle, String steps) throws Exception {
        return Sipp.uac("<?xml version=\"1.0\" encoding=\"ISO-8859-1\" ?>\n<scenario name=\"pbx\">\n" + steps
                + "</scenario>\n", from, "127.0.0.1:" + port, handle);
    }

    private static final String ANSWER = "v=0\r\no=sb 9 9 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            + "m=audio 30000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
    private static final String INVITE_URI = "sip:[service]@[remote_ip]:[remote_port]";
    /** The INVITE's branch, fixed so that a CANCEL and the ACK of a refusal can name the same. */
    private static final String INVITE_BRANCH = "z9hG4bK-inv-[pid]-[call_number]";
    /** The INVITE. */
    private static final String INVITE = """
              <send retrans="500"><![CDATA[
            INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
            Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=z9hG4bK-inv-[pid]-[call_number]
            From: "201" <sip:201@pbx.local>;tag=[pid]pbx[call_number]
            To: <sip:[service]@pbx.local>
            Call-ID: [call_id]
            CSeq: 1 INVITE
            Contact: <sip:201@[local_ip]:[local_port]>
            Max-Forwards: 70
            Content-Type: application/sdp
            Content-Length: [len]

            v=0
            o=pbx 1 1 IN IP4 [local_ip]
            s=-
            c=IN IP4 [local_ip]
            t=0 0
            m=audio 41000 RTP/AVP 0 101
            a=rtpmap:0 PCMU/8000
            a=rtpmap:101 telephone-event/8000
              ]]></send>
            """;
    /** The answer, its Contact kept for the ACK's and BYE's request URI ({@code [next_url]}). */
    private static final String ANSWER_200 = "  <recv response=\"200\" rrs=\"true\"/>\n";
    private static final String RECV_100 = "  <recv response=\"100\" optional=\"true\"/>\n";
    private static final String ACK_2XX = request("ACK", "[next_url]", "[branch]", true, "1 ACK");
    private static final String ACK_ERROR = request("ACK", INVITE_URI, INVITE_BRANCH, true, "1 ACK");
    private static final String SEND_CANCEL = request("CANCEL", INVITE_URI, INVITE_BRANCH, false, "1 CANCEL");
    private static final String SEND_BYE = request("BYE", "[next_url]", "[branch]", true, "2 BYE");

    /** A request of the PBX's without a body, in the INVITE's dialog (with the answer's To tag, or without). */
    private static String request(String method, String uri, String branch, boolean toTag, String cseq) {
        return "  <send><![CDATA[\n" + method + " " + uri + " SIP/2.0\n"
                + "Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=" + branch + "\n"
                + "From: \"201\" <sip:201@pbx.local>;tag=[pid]pbx[call_number]\n"
                + "To: <sip:[service]@pbx.local>" + (toTag ? "[peer_tag_param]" : "") + "\n"
                + "Call-ID: [call_id]\nCSeq: " + cseq + "\nMax-Forwards: 70\nContent-Length: 0\n  ]]></send>\n";
    }

    private static final String RECV_BYE_AND_OK = """
              <recv request="BYE"/>
              <send><![CDATA[
            SIP/2.0 200 OK
            [last_Via:]
            [last_From:]
            [last_To:]
            [last_Call-ID:]
            [last_CSeq:]
            Content-Length: 0
              ]]></send>
            """;

    private static String recv(String status) {
        return recv(status, "");
    }

    private static String recv(String status, String attributes) {
        return "  <recv response=\"" + status + "\" " + attributes + "/>\n";
    }

    // ---- the phones: the registry's verdict, recorded

    private final Phones phones = new Phones();

    /** Challenges a request without Proxy-Authorization (407); takes any answer as bob's phone. */
    private static final class Phones implements InboundCalls.PhoneSource {
        final List<String> users = new CopyOnWriteArrayList<>();

        @Override public Optional<String> authenticate(javax.sip.RequestEvent event) {
            javax.sip.message.Request request = event.getRequest();
            if (request.getHeader("Proxy-Authorization") != null) {
                users.add("acc_bob");
                return Optional.of("acc_bob");
            }
            try {
                javax.sip.message.Response challenge = sip.messageFactory().createResponse(407, request);
                ((javax.sip.header.ToHeader) challenge.getHeader("To")).setTag("challenge");
                challenge.addHeader(sip.headerFactory().createHeader("Proxy-Authenticate",
                        "Digest realm=\"switchboard.test\", nonce=\"n0nce\", qop=\"auth\", algorithm=MD5"));
                ((javax.sip.SipProvider) event.getSource()).getNewServerTransaction(request).sendResponse(challenge);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return Optional.empty();
        }
    }

    // ---- the calls feature, recorded

    private record Placed(String id, CallGateway.IncomingCall call, CallBridge.Listener listener) {}

    private static final class Gateway implements CallGateway {
        private final BlockingQueue<Placed> queue = new LinkedBlockingQueue<>();
        final List<Placed> placed = new CopyOnWriteArrayList<>();
        final List<String> hungUp = new CopyOnWriteArrayList<>();
        volatile String refuse;
        /** Answer before the call's id is even returned: the answer crosses whatever the PBX sends next. */
        volatile boolean answerAtOnce;
        private int count;

        @Override public synchronized String call(IncomingCall call, CallBridge.Listener listener) throws CallRefusedException {
            if (refuse != null) throw new CallRefusedException(refuse, "refused in the test");
            Placed p = new Placed("call-" + ++count, call, listener);
            placed.add(p);
            queue.add(p);
            if (answerAtOnce) listener.answered(ANSWER);
            return p.id;
        }

        @Override public void hangup(String callId) {
            hungUp.add(callId);
        }

        @Override public boolean inCall(String accountId) {
            return false;
        }

        Placed next() throws InterruptedException {
            Placed p = queue.poll(15, TimeUnit.SECONDS);
            assertNotNull(p, "no call reached the calls feature");
            return p;
        }

        List<String> awaitHangups(int n) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (hungUp.size() < n && System.nanoTime() < deadline) Thread.sleep(10);
            return List.copyOf(hungUp);
        }
    }
}
