package io.switchboard.sip.b2bua;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.sdk.calls.CallBridge.BridgedCall;
import io.switchboard.sip.Loopback;
import io.switchboard.sip.SipSchema;
import io.switchboard.sip.device.DeviceRegistry;
import io.switchboard.sip.device.DeviceRegistryAccess;
import io.switchboard.sip.stack.SipStackAccess;
import io.switchboard.sip.stack.SipStackComponent;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The fork on a real stack (127.0.0.1) with the real registry on a real PostgreSQL, ringing SIPp playing
 * the callee's phones over UDP on 127.0.0.11 and 127.0.0.12 (the scenarios of src/test/resources/sipp/
 * that play a PBX: to us a phone answers the same way), and a phone written by hand on 127.0.0.13 over a
 * TCP connection it opened. Each phone is bound as the registrar binds it, so the INVITE goes to the
 * address its REGISTER came from.
 */
class PhoneForkTest {
    private static final String DOMAIN = "switchboard.test";
    private static final String PHONE_1 = "127.0.0.11";
    private static final String PHONE_2 = "127.0.0.12";
    private static final String PHONE_3 = "127.0.0.13";
    /** TEST-NET-1: nothing answers there, so whatever reaches a phone did not go to such an address. */
    private static final String UNREACHABLE = "192.0.2.1";
    private static final String OFFER = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            + "m=audio 40000 RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n";

    private static EmbeddedPostgres postgres;
    private static DataSource db;
    private static SipStackComponent sip;
    private static int port;

    private DeviceRegistry registry;
    private PhoneFork fork;
    private final List<Sipp> sipps = new ArrayList<>();
    /** The callee of this test: a fresh account, so no binding of another test rings. */
    private final String bob = "acct_" + UUID.randomUUID();

    @BeforeAll
    static void startAll() throws Exception {
        assertTrue(Files.isExecutable(Sipp.BINARY), "sipp is not installed: .ci/run installs Debian's package sip-tester");
        postgres = SipSchema.start();
        db = postgres.getPostgresDatabase();
        sip = SipStackAccess.startOnFreePort(Loopback.STACK);
        port = SipStackAccess.port(sip);
    }

    @AfterAll
    static void stopAll() throws Exception {
        if (sip != null) SipStackAccess.stop(sip);
        if (postgres != null) postgres.close();
    }

    @BeforeEach
    void start() {
        registry = DeviceRegistryAccess.start(sip, db, DOMAIN);
        fork = new PhoneFork(sip, registry, DOMAIN);
    }

    @AfterEach
    void stop() {
        if (fork != null) fork.deactivate();
        if (registry != null) DeviceRegistryAccess.stop(registry);
        sipps.forEach(Sipp::close);
    }

    @Test
    void reachesOnlyAccountsWithLivePhones() throws Exception {
        assertFalse(fork.reaches(bob), "no phone bound");
        CallEvents events = ring("call-none");
        assertEquals("failed:failed", events.next());
        assertEquals(0, fork.live());

        bind("sip:bob@" + PHONE_1 + ":5060", PHONE_1, 5060);
        assertTrue(fork.reaches(bob));
        assertFalse(fork.reaches("acct_other"));
    }

    @Test
    void firstPhoneToAnswerWinsAndTheOtherIsCancelled() throws Exception {
        Sipp answering = phone("uas-answer.xml", PHONE_1);
        Sipp ringing = phone("uas-cancel.xml", PHONE_2);
        CallEvents events = ring("call-a");

        assertEquals("ringing", events.next(), () -> answering.output() + ringing.output());
        String answered = events.next();
        assertTrue(answered.startsWith("answered:") && answered.contains("o=pbx"), answered);
        assertEquals(0, ringing.exit(15), ringing::output);
        assertNull(events.poll(300), "one ringing, one answer");

        fork.hangup("call-a");
        assertEquals(0, answering.exit(15), answering::output);
        assertEquals(0, fork.live());
        assertNull(events.poll(300), "nothing after the hang-up");

        String invite = answering.received("INVITE").get(0);
        String other = ringing.received("INVITE").get(0);
        assertTrue(invite.startsWith("INVITE sip:bob@" + PHONE_1 + ":" + answering.port + " SIP/2.0"), invite);
        assertTrue(Pattern.compile("(?m)^From: \"alice\" <sip:alice@switchboard\\.test>;tag=").matcher(invite).find(), invite);
        assertTrue(Pattern.compile("(?m)^To: <sip:bob@" + Pattern.quote(PHONE_1) + ":" + answering.port + ">\\s*$")
                .matcher(invite).find(), invite);
        assertTrue(Pattern.compile("(?m)^Contact: <sip:alice@127\\.0\\.0\\.1:" + port + ">").matcher(invite).find(), invite);
        assertTrue(Pattern.compile("(?m)^Max-Forwards: 70").matcher(invite).find(), invite);
        assertTrue(invite.contains("m=audio 40000 RTP/AVP 0 8"), "the offer goes along: " + invite);
        assertNotEquals(header(invite, "Call-ID"), header(other, "Call-ID"), "a Call-ID per phone");
        assertEquals(1, ringing.received("CANCEL").size(), ringing::output);
    }

    /** Each phone rings with an offer of its own (the calls feature's branch); the answer names the phone's branch. */
    @Test
    void eachPhoneHasItsOwnOfferAndTheAnswerNamesItsBranch() throws Exception {
        Sipp answering = phone("uas-answer.xml", PHONE_1);
        Sipp ringing = phone("uas-cancel.xml", PHONE_2);
        CallEvents events = new CallEvents();
        events.branchOffers = branch -> OFFER.replace("m=audio 40000", "m=audio 4100" + branch);
        fork.ring(new BridgedCall("call-b", "acc_alice", "alice", bob, OFFER, false), events);
        assertEquals("ringing", events.next());
        assertTrue(events.next().startsWith("answered:"));
        assertEquals(0, ringing.exit(15), ringing::output);
        fork.hangup("call-b");
        assertEquals(0, answering.exit(15), answering::output);

        String answered = answering.received("INVITE").get(0);
        String cancelled = ringing.received("INVITE").get(0);
        assertTrue(answered.contains("m=audio 40000 ") != cancelled.contains("m=audio 40000 "),
                "one phone has the call's offer, the other its own:\n" + answered + "\n" + cancelled);
        assertTrue(answered.contains("m=audio 41002 ") || cancelled.contains("m=audio 41002 "));
        assertEquals(answered.contains("m=audio 41002 ") ? "2" : null, events.answeredBranch);
    }

    /** How the phones' refusals add up: busy only when all are, declined when one declines, missed when one rang out. */
    @ParameterizedTest
    @CsvSource({"486, Busy Here, 600, Busy Everywhere, busy", "486, Busy Here, 480, Temporarily Unavailable, missed",
            "486, Busy Here, 408, Request Timeout, missed", "480, Temporarily Unavailable, 603, Decline, declined",
            "486, Busy Here, 404, Not Found, failed"})
    void everyPhoneRefusingFailsTheCall(int status1, String reason1, int status2, String reason2, String outcome)
            throws Exception {
        Sipp first = refusing(PHONE_1, status1, reason1);
        Sipp second = refusing(PHONE_2, status2, reason2);
        CallEvents events = ring("call-r" + status1 + status2);

        assertEquals("ringing", events.next(), () -> first.output() + second.output());
        assertEquals("failed:" + outcome, events.next());
        assertTrue(events.detail.contains(status1 + " " + reason1) && events.detail.contains(status2 + " " + reason2),
                events.detail);
        assertEquals(0, first.exit(15), first::output);
        assertEquals(0, second.exit(15), second::output);
        assertNull(events.poll(300), "one final answer");
        assertEquals(0, fork.live());
    }

    @Test
    void hangingUpWhileItRingsCancels() throws Exception {
        Sipp phone = phone("uas-cancel.xml", PHONE_1);
        CallEvents events = ring("call-c");

        assertEquals("ringing", events.next(), phone::output);
        fork.hangup("call-c");
        assertEquals(0, phone.exit(15), phone::output);
        assertEquals(1, phone.received("CANCEL").size(), phone::output);
        assertNull(events.poll(300), "nothing after the hang-up");
        assertEquals(0, fork.live());
    }

    @Test
    void hangingUpAnAnsweredCallSendsBye() throws Exception {
        Sipp phone = phone("uas-answer.xml", PHONE_1);
        CallEvents events = ring("call-b");

        assertEquals("ringing", events.next(), phone::output);
        assertTrue(events.next().startsWith("answered:"));
        assertTrue(phone.received("BYE").isEmpty(), "not yet");
        fork.hangup("call-b");
        assertEquals(0, phone.exit(15), phone::output);
        assertEquals(1, phone.received("BYE").size(), phone::output);
        assertEquals(header(phone.received("INVITE").get(0), "Call-ID"), header(phone.received("BYE").get(0), "Call-ID"));
    }

    @Test
    void phoneHangingUpEndsTheCall() throws Exception {
        Sipp phone = phone("uas-bye.xml", PHONE_1, "bridge", "127.0.0.1:" + port);
        CallEvents events = ring("call-e");

        assertEquals("ringing", events.next(), phone::output);
        assertTrue(events.next().startsWith("answered:"));
        assertEquals("ended", events.next(), phone::output);
        assertEquals(0, phone.exit(15), phone::output);
        assertEquals(0, fork.live());
        fork.hangup("call-e");
        assertNull(events.poll(300), "nothing after the end");
    }

    /**
     * A phone behind NAT: its contact and the Contact of its 200 name an address nobody reaches, and only
     * where its REGISTER came from gets to it. The INVITE, the ACK and the BYE all have to go there.
     */
    @Test
    void requestsGoWhereThePhoneRegisteredFrom() throws Exception {
        String scenario = Files.readString(Path.of(Sipp.class.getResource("/sipp/uas-answer.xml").toURI()))
                .replace("Contact: <sip:pbx@[local_ip]:[local_port];transport=[transport]>",
                        "Contact: <sip:bob@" + UNREACHABLE + ":5070>");
        Path file = Files.createTempFile("sipp-nat", ".xml");
        Files.writeString(file, scenario);
        Sipp phone = Sipp.uas(file, PHONE_1);
        sipps.add(phone);
        bind("sip:bob@" + UNREACHABLE + ":5070", phone.address, phone.port);
        CallEvents events = ring("call-n");

        assertEquals("ringing", events.next(), phone::output);
        assertTrue(events.next().startsWith("answered:"), phone::output);
        fork.hangup("call-n");
        assertEquals(0, phone.exit(15), "the ACK and the BYE came too:\n" + phone.output());
        String invite = phone.received("INVITE").get(0);
        assertTrue(invite.startsWith("INVITE sip:bob@" + UNREACHABLE + ":5070 SIP/2.0"), "the contact is the request-URI: " + invite);
        assertNull(header(invite, "Route"), "the phone is the last hop: " + invite);
        assertTrue(phone.received("BYE").get(0).startsWith("BYE sip:bob@" + UNREACHABLE + ":5070 SIP/2.0"),
                phone::output);
    }

    /**
     * A phone on TCP behind NAT: nothing listens at its contact, only the connection it opened to us reaches
     * it, and the INVITE, the ACK and the BYE have to come back on that connection.
     */
    @Test
    void aPhoneOnTcpIsRungOnTheConnectionItOpened() throws Exception {
        try (Socket phone = new Socket()) {
            phone.bind(new InetSocketAddress(InetAddress.getByName(PHONE_3), 0));
            phone.connect(new InetSocketAddress(Loopback.STACK, port), 2000);
            phone.setSoTimeout(5000);
            // What opens the flow in real life is the phone's REGISTER; an OPTIONS keeps the registrar out of it.
            write(phone, "OPTIONS sip:" + DOMAIN + " SIP/2.0\r\nVia: SIP/2.0/TCP " + PHONE_3 + ":" + phone.getLocalPort()
                    + ";branch=z9hG4bK-tcp-1\r\nMax-Forwards: 70\r\nFrom: <sip:bob@" + DOMAIN + ">;tag=t1\r\nTo: <sip:"
                    + DOMAIN + ">\r\nCall-ID: tcp-options\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n");
            assertTrue(read(phone).startsWith("SIP/2.0 200 "));
            String contact = "sip:bob@" + UNREACHABLE + ":5070;transport=tcp";
            DeviceRegistryAccess.bind(db, DOMAIN, bob, "bob", contact, PHONE_3, phone.getLocalPort(), "TCP");
            CallEvents events = ring("call-t");

            String invite = read(phone);
            assertTrue(invite.startsWith("INVITE " + contact + " SIP/2.0"), invite);
            assertTrue(Pattern.compile("(?m)^Via: SIP/2\\.0/TCP ").matcher(invite).find(), invite);
            write(phone, response(invite, "180 Ringing", "<" + contact + ">", ""));
            assertEquals("ringing", events.next());
            write(phone, response(invite, "200 OK", "<" + contact + ">", "v=0\r\no=phone 1 1 IN IP4 " + PHONE_3
                    + "\r\ns=-\r\nc=IN IP4 " + PHONE_3 + "\r\nt=0 0\r\nm=audio 42000 RTP/AVP 0\r\n"));
            String answered = events.next();
            assertTrue(answered.startsWith("answered:") && answered.contains("o=phone"), answered);
            assertTrue(read(phone).startsWith("ACK " + contact + " SIP/2.0"));

            fork.hangup("call-t");
            String bye = read(phone);
            assertTrue(bye.startsWith("BYE " + contact + " SIP/2.0"), bye);
            write(phone, response(bye, "200 OK", null, ""));
            assertEquals(0, fork.live());
        }
    }

    /** A response to {@code request} from the phone (its To tag {@code phone}), with this Contact and body. */
    private static String response(String request, String status, String contact, String sdp) {
        StringBuilder r = new StringBuilder("SIP/2.0 ").append(status).append("\r\n");
        Matcher via = Pattern.compile("(?m)^Via:.*?\r?$").matcher(request);
        while (via.find()) r.append(via.group().strip()).append("\r\n");
        String to = header(request, "To");
        r.append("From: ").append(header(request, "From")).append("\r\n")
                .append("To: ").append(to.contains(";tag=") ? to : to + ";tag=phone").append("\r\n")
                .append("Call-ID: ").append(header(request, "Call-ID")).append("\r\n")
                .append("CSeq: ").append(header(request, "CSeq")).append("\r\n");
        if (contact != null) r.append("Contact: ").append(contact).append("\r\n");
        if (!sdp.isEmpty()) r.append("Content-Type: application/sdp\r\n");
        return r.append("Content-Length: ").append(sdp.getBytes(StandardCharsets.UTF_8).length).append("\r\n\r\n")
                .append(sdp).toString();
    }

    private static void write(Socket socket, String message) throws IOException {
        socket.getOutputStream().write(message.getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
    }

    /** The next message on the connection: its head up to the blank line, then Content-Length bytes of body. */
    private static String read(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) throw new EOFException("connection closed after " + head);
            if (head.size() == 0 && (b == '\r' || b == '\n')) continue; // keep-alive CRLFs
            head.write(b);
            String h = head.toString(StandardCharsets.UTF_8);
            if (h.endsWith("\r\n\r\n")) {
                String length = header(h, "Content-Length");
                byte[] body = in.readNBytes(length == null ? 0 : Integer.parseInt(length));
                return h + new String(body, StandardCharsets.UTF_8);
            }
        }
    }

    /** SIPp playing a phone on {@code address}, bound to the callee at its own address and port. */
    private Sipp phone(String scenario, String address, String... keys) throws Exception {
        Sipp s = Sipp.uas(scenario, address, keys);
        sipps.add(s);
        bind("sip:bob@" + address + ":" + s.port, address, s.port);
        return s;
    }

    private Sipp refusing(String address, int status, String reason) throws Exception {
        Sipp s = Sipp.refusing("uas-refuse.xml", address, status, reason);
        sipps.add(s);
        bind("sip:bob@" + address + ":" + s.port, address, s.port);
        return s;
    }

    private void bind(String contact, String address, int port) {
        DeviceRegistryAccess.bind(db, DOMAIN, bob, "bob", contact, address, port, "UDP");
    }

    private CallEvents ring(String callId) {
        CallEvents events = new CallEvents();
        fork.ring(new BridgedCall(callId, "acc_alice", "alice", bob, OFFER, false), events);
        return events;
    }

    private static String header(String message, String name) {
        Matcher m = Pattern.compile("(?mi)^" + name + ":\\s*(.*?)\\s*$").matcher(message);
        return m.find() ? m.group(1) : null;
    }
}
