package io.switchboard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The company PBX fixture on its own, without Switchboard: its extensions register with digest auth
 * and hear each other through Kamailio, and the trunk user's credentials work and take the calls
 * extensions make to outside names (the part Switchboard will play).
 */
class CompanyPbxIT {
    private static CompanyPbx pbx;

    @BeforeAll
    static void startPbx() throws Exception {
        long t0 = System.nanoTime();
        pbx = CompanyPbx.start(Switchboard.workDir("company-pbx"));
        System.out.printf("company PBX up with 201 and 202 registered in %d ms (registrar %s)%n",
                Duration.ofNanos(System.nanoTime() - t0).toMillis(), pbx.domain());
    }

    @AfterAll
    static void stopPbx() throws Exception {
        if (pbx != null) pbx.close();
    }

    @Test
    void extensionsRegisterAndHearEachOtherThroughTheRegistrar() throws Exception {
        assertTrue(pbx.contacts("201").get(0).contains("@127.0.0.11:"), () -> "201's contact: " + safeContacts("201"));
        assertTrue(pbx.contacts("202").get(0).contains("@127.0.0.12:"), () -> "202's contact: " + safeContacts("202"));

        pbx.dial("201", "202");
        JsonNode answered = pbx.awaitCallEstablished("202");
        assertTrue(answered.path("peeruri").asText().startsWith("sip:201@"), answered::toString);
        pbx.awaitCallEstablished("201");
        Thread.sleep(3000);
        pbx.hangup("201");
        pbx.awaitCallClosed("201");
        pbx.awaitCallClosed("202");

        CompanyPbx.Analysis heardBy202 = CompanyPbx.analyse(pbx.lastRecording("202"));
        CompanyPbx.Analysis heardBy201 = CompanyPbx.analyse(pbx.lastRecording("201"));
        System.out.println("202 heard: " + heardBy202 + "; 440 Hz amplitude " + Math.round(heardBy202.amplitudeAt(440))
                + ", 880 Hz amplitude " + Math.round(heardBy202.amplitudeAt(880)));
        System.out.println("201 heard: " + heardBy201 + "; 440 Hz amplitude " + Math.round(heardBy201.amplitudeAt(440))
                + ", 880 Hz amplitude " + Math.round(heardBy201.amplitudeAt(880)));

        assertHeardTone("202", heardBy202, pbx.toneHz("201"), pbx.toneHz("202"));
        assertHeardTone("201", heardBy201, pbx.toneHz("202"), pbx.toneHz("201"));
        assertTrue(pbx.kamailioLog().contains("PBX -> INVITE for 202"), "Kamailio relayed the INVITE to 202's contact");
    }

    @Test
    void theTrunkUserRegistersWithDigestAuthAndTakesCallsToOutsideNames() throws Exception {
        try (SipPeer trunk = new SipPeer(pbx)) {
            SipPeer.Message challenge = trunk.register(null, 60);
            assertEquals(401, challenge.status(), challenge::text);
            assertTrue(challenge.header("WWW-Authenticate").contains("realm=\"" + pbx.realm() + "\""), challenge::text);
            assertEquals(401, trunk.register("not-the-password", 60).status(), "a wrong password is refused");
            assertEquals(403, trunk.registerAs("201", pbx.trunkPassword()).status(), "the trunk registers only itself");
            SipPeer.Message ok = trunk.register(pbx.trunkPassword(), 60);
            assertEquals(200, ok.status(), ok::text);
            pbx.awaitRegistered(pbx.trunkUser());

            pbx.dial("201", "alice");
            SipPeer.Message invite = trunk.awaitRequest("INVITE", Duration.ofSeconds(10));
            assertTrue(invite.startLine().startsWith("INVITE sip:alice@127.0.0.1:"), invite::text);
            assertTrue(invite.header("From").contains("sip:201@"), invite::text);
            assertTrue(invite.header("Record-Route").contains(pbx.registrarHost()), invite::text);
            trunk.reply(invite, 486, "Busy Here");
            JsonNode closed = pbx.awaitCallClosed("201");
            assertTrue(closed.path("param").asText().contains("486"), closed::toString);

            assertEquals(200, trunk.register(pbx.trunkPassword(), 0).status(), "un-REGISTER");
            pbx.awaitUnregistered(pbx.trunkUser(), Duration.ofSeconds(5));
        }
    }

    private static void assertHeardTone(String ext, CompanyPbx.Analysis heard, int expectedHz, int ownHz) throws IOException {
        String diagnostics = ext + " heard " + heard + "\n" + pbx.logs();
        assertEquals(expectedHz, heard.dominantHz(), heard.binHz(), diagnostics);
        assertTrue(heard.rms() > 1000, "loud enough: " + diagnostics);
        assertTrue(heard.seconds() > 2, "most of the 3 s call: " + diagnostics);
        assertTrue(heard.purity() > 0.8, "the tone and little else: " + diagnostics);
        assertTrue(heard.amplitudeAt(ownHz) < heard.amplitudeAt(expectedHz) / 20, "not its own tone: " + diagnostics);
    }

    private static String safeContacts(String user) {
        try {
            return pbx.contacts(user) + "\n" + pbx.logs();
        } catch (Exception e) {
            return e.toString();
        }
    }

    /**
     * A bare SIP peer over UDP on 127.0.0.1 standing in for Switchboard's trunk: REGISTER with
     * digest auth (MD5, qop=auth), wait for a request, answer it with a final response.
     */
    static final class SipPeer implements AutoCloseable {
        private static final Pattern PARAM = Pattern.compile("(\\w+)=(?:\"([^\"]*)\"|([^,\\s]+))");
        private final CompanyPbx pbx;
        private final DatagramSocket socket;
        private final InetSocketAddress registrar;
        private final String callId = UUID.randomUUID().toString();
        private final String tag = Long.toHexString(System.nanoTime());
        private int cseq;
        private final List<Message> requests = new ArrayList<>();

        record Message(String text) {
            String startLine() {
                return text.substring(0, text.indexOf("\r\n"));
            }

            int status() {
                String[] parts = startLine().split(" ", 3);
                return parts[0].startsWith("SIP/2.0") ? Integer.parseInt(parts[1]) : -1;
            }

            String method() {
                return startLine().split(" ", 2)[0];
            }

            /** All values of a header (full name, case-insensitive) in order. */
            List<String> headers(String name) {
                List<String> values = new ArrayList<>();
                for (String line : text.split("\r\n")) {
                    if (line.isEmpty()) break;
                    int colon = line.indexOf(':');
                    if (colon > 0 && line.substring(0, colon).strip().equalsIgnoreCase(name)) {
                        values.add(line.substring(colon + 1).strip());
                    }
                }
                return values;
            }

            String header(String name) {
                List<String> values = headers(name);
                return values.isEmpty() ? "" : values.get(0);
            }
        }

        SipPeer(CompanyPbx pbx) throws IOException {
            this.pbx = pbx;
            this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            this.registrar = new InetSocketAddress(pbx.registrarHost(), pbx.registrarPort());
        }

        Message register(String password, int expires) throws Exception {
            return register(pbx.trunkUser(), password, expires);
        }

        /** A REGISTER of the trunk's contact for another AOR, authenticated as the trunk user. */
        Message registerAs(String aorUser, String password) throws Exception {
            return register(aorUser, password, 60);
        }

        /** REGISTER for {@code aorUser}; on a challenge and with a password, once more as the trunk user. */
        private Message register(String aorUser, String password, int expires) throws Exception {
            Message reply = send(registerRequest(aorUser, expires, null));
            if (reply.status() == 401 && password != null) {
                reply = send(registerRequest(aorUser, expires, authorization(pbx.trunkUser(), password, reply)));
            }
            return reply;
        }

        private String registerRequest(String user, int expires, String authorization) {
            String uri = "sip:" + pbx.domain();
            String local = "127.0.0.1:" + socket.getLocalPort();
            return "REGISTER " + uri + " SIP/2.0\r\n"
                    + "Via: SIP/2.0/UDP " + local + ";rport;branch=z9hG4bK" + UUID.randomUUID() + "\r\n"
                    + "Max-Forwards: 70\r\n"
                    + "From: <sip:" + user + "@" + pbx.domain() + ">;tag=" + tag + "\r\n"
                    + "To: <sip:" + user + "@" + pbx.domain() + ">\r\n"
                    + "Call-ID: " + callId + "\r\n"
                    + "CSeq: " + (++cseq) + " REGISTER\r\n"
                    + "Contact: <sip:" + pbx.trunkUser() + "@" + local + ">\r\n"
                    + "Expires: " + expires + "\r\n"
                    + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
                    + "Content-Length: 0\r\n\r\n";
        }

        private String authorization(String user, String password, Message challenge) throws Exception {
            Map<String, String> params = new HashMap<>();
            Matcher m = PARAM.matcher(challenge.header("WWW-Authenticate"));
            while (m.find()) params.put(m.group(1).toLowerCase(), m.group(2) != null ? m.group(2) : m.group(3));
            String realm = params.get("realm");
            String nonce = params.get("nonce");
            String uri = "sip:" + pbx.domain();
            String ha1 = md5(user + ":" + realm + ":" + password);
            String ha2 = md5("REGISTER:" + uri);
            String header = "Digest username=\"" + user + "\", realm=\"" + realm + "\", nonce=\"" + nonce
                    + "\", uri=\"" + uri + "\", algorithm=MD5";
            if (params.getOrDefault("qop", "").contains("auth")) {
                String cnonce = Long.toHexString(System.nanoTime());
                String nc = "00000001";
                return header + ", qop=auth, nc=" + nc + ", cnonce=\"" + cnonce + "\", response=\""
                        + md5(ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":auth:" + ha2) + "\"";
            }
            return header + ", response=\"" + md5(ha1 + ":" + nonce + ":" + ha2) + "\"";
        }

        private static String md5(String s) throws Exception {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
        }

        /** Sends a request to the registrar; its final response (requests arriving meanwhile are kept). */
        private Message send(String request) throws IOException {
            byte[] bytes = request.getBytes(StandardCharsets.UTF_8);
            socket.send(new DatagramPacket(bytes, bytes.length, registrar));
            String sentCseq = new Message(request).header("CSeq");
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (System.nanoTime() < deadline) {
                Message in = receive(deadline);
                if (in == null) break;
                if (in.status() < 0) {
                    requests.add(in);
                } else if (in.status() >= 200 && in.header("CSeq").equals(sentCseq)) {
                    return in;
                }
            }
            throw new AssertionError("no final response to\n" + request + "\n" + pbx.logs());
        }

        Message awaitRequest(String method, Duration timeout) throws IOException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                for (Message r : requests) {
                    if (r.method().equals(method)) {
                        requests.remove(r);
                        return r;
                    }
                }
                Message in = receive(deadline);
                if (in == null) throw new AssertionError("no " + method + " reached the trunk\n" + pbx.logs());
                if (in.status() < 0) requests.add(in);
            }
        }

        /** A final response to a request, sent back along its top Via (Kamailio). */
        void reply(Message request, int status, String reason) throws IOException {
            StringBuilder out = new StringBuilder("SIP/2.0 " + status + " " + reason + "\r\n");
            for (String via : request.headers("Via")) out.append("Via: ").append(via).append("\r\n");
            out.append("From: ").append(request.header("From")).append("\r\n");
            out.append("To: ").append(request.header("To")).append(";tag=").append(tag).append("\r\n");
            out.append("Call-ID: ").append(request.header("Call-ID")).append("\r\n");
            out.append("CSeq: ").append(request.header("CSeq")).append("\r\n");
            out.append("Content-Length: 0\r\n\r\n");
            byte[] bytes = out.toString().getBytes(StandardCharsets.UTF_8);
            socket.send(new DatagramPacket(bytes, bytes.length, registrar));
        }

        private Message receive(long deadline) throws IOException {
            long left = Duration.ofNanos(deadline - System.nanoTime()).toMillis();
            if (left <= 0) return null;
            socket.setSoTimeout((int) left);
            byte[] buffer = new byte[65_535];
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
            } catch (SocketTimeoutException e) {
                return null;
            }
            return new Message(new String(buffer, 0, packet.getLength(), StandardCharsets.UTF_8));
        }

        @Override
        public void close() {
            socket.close();
        }
    }
}
