package io.switchboard.calls.rtpengine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The ng client against a real rtpengine (Debian's rtpengine-daemon, user space only). */
class RtpengineProcessTest {
    private static final String SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            + "m=audio 40000 RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=sendrecv\r\n";
    private static Process rtpengine;
    private static InetSocketAddress ng;

    @BeforeAll
    static void start() throws Exception {
        Path binary = Path.of("/usr/bin/rtpengine");
        assertTrue(Files.isExecutable(binary), "rtpengine is installed by .ci/run (Debian package rtpengine-daemon)");
        int port;
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        ng = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        Path log = Files.createTempFile("rtpengine", ".log");
        rtpengine = new ProcessBuilder(binary.toString(), "--config-file=none", "--table=-1", "--interface=127.0.0.1",
                "--listen-ng=127.0.0.1:" + port, "--port-min=31000", "--port-max=31999", "--foreground",
                "--log-stderr", "--delete-delay=0")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        // Ready once it answers a ping.
        try (NgClient client = new NgClient(ng, java.time.Duration.ofMillis(200), 25)) {
            assertEquals("pong", client.request(Map.of("command", "ping")).get("result"),
                    "rtpengine did not start: " + Files.readString(log));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (rtpengine != null) {
            rtpengine.destroy();
            if (!rtpengine.waitFor(10, TimeUnit.SECONDS)) rtpengine.destroyForcibly();
        }
    }

    @Test
    void offerAnswerQueryDelete() throws Exception {
        try (NgClient client = new NgClient(ng)) {
            Map<String, Object> offer = client.request(Map.of("command", "offer", "call-id", "it-1", "from-tag", "caller",
                    "sdp", SDP));
            String offered = (String) offer.get("sdp");
            int callerSide = port(offered);
            assertTrue(callerSide >= 31000 && callerSide <= 31999, "rtpengine put its own port in: " + offered);
            assertTrue(offered.contains("c=IN IP4 127.0.0.1"), offered);

            Map<String, Object> answer = client.request(Map.of("command", "answer", "call-id", "it-1", "from-tag", "caller",
                    "to-tag", "callee", "sdp", SDP.replace("40000", "40002")));
            int calleeSide = port((String) answer.get("sdp"));
            assertNotEquals(callerSide, calleeSide);

            Map<String, Object> query = client.request(Map.of("command", "query", "call-id", "it-1"));
            assertEquals("ok", query.get("result"));
            assertTrue(((Map<?, ?>) query.get("tags")).containsKey("caller"), query.toString());

            assertEquals("ok", client.request(Map.of("command", "delete", "call-id", "it-1")).get("result"));
            assertThrows(NgException.class, () -> client.request(Map.of("command", "query", "call-id", "it-1")),
                    "a deleted call is unknown");
        }
    }

    @Test
    void refusalsComeBackAsErrors() throws Exception {
        try (NgClient client = new NgClient(ng)) {
            NgException e = assertThrows(NgException.class,
                    () -> client.request(Map.of("command", "offer", "call-id", "it-2", "from-tag", "x")));
            assertTrue(e.getMessage().contains("SDP"), e.getMessage());
            assertThrows(NgException.class, () -> client.request(Map.of("command", "no-such-command")));
            assertThrows(NgException.class, () -> client.request(Map.of("command", "offer", "call-id", "it-3",
                    "from-tag", "x", "sdp", List.of("not", "text"))));
        }
    }

    /** A browser's offer as Chromium writes it, cut to what matters: ICE, DTLS, one Opus stream. */
    static String webrtcSdp(String ufrag, String setup, int port) {
        return "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
                + "m=audio " + port + " UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 127.0.0.1\r\na=rtcp:9 IN IP4 0.0.0.0\r\n"
                + "a=ice-ufrag:" + ufrag + "\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
                + "a=fingerprint:sha-256 " + "AB:".repeat(31) + "AB\r\na=setup:" + setup + "\r\na=mid:0\r\n"
                + "a=sendrecv\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n"
                + "a=candidate:1 1 udp 2122260223 127.0.0.1 " + port + " typ host\r\n";
    }

    @Test
    void theRelayPutsRtpengineBetweenTwoBrowsers() throws Exception {
        try (NgClient client = new NgClient(ng)) {
            RtpengineRelay relay = new RtpengineRelay(client);
            String offered = relay.offer("relay-1", "caller", null, webrtcSdp("callr", "actpass", 40010),
                    io.switchboard.sdk.calls.MediaRelay.Profile.WEBRTC);
            assertTrue(offered.contains("UDP/TLS/RTP/SAVPF"), offered);
            assertTrue(offered.contains("a=fingerprint:"), "DTLS towards the browser: " + offered);
            assertTrue(offered.contains("a=ice-ufrag:") && !offered.contains("a=ice-ufrag:callr"),
                    "rtpengine is the callee's ICE peer, with its own credentials: " + offered);
            assertTrue(offered.contains("a=rtcp-mux"), offered);
            int relayPort = port(offered);
            assertTrue(relayPort >= 31000 && relayPort <= 31999, offered);

            String answered = relay.answer("relay-1", "caller", "callee", webrtcSdp("calle", "active", 40020),
                    io.switchboard.sdk.calls.MediaRelay.Profile.WEBRTC);
            assertTrue(answered.contains("a=fingerprint:") && !answered.contains("a=ice-ufrag:calle"), answered);
            assertNotEquals(relayPort, port(answered), "one relay port per leg");

            Map<String, Object> query = client.request(Map.of("command", "query", "call-id", "relay-1"));
            assertTrue(((Map<?, ?>) query.get("tags")).keySet().containsAll(List.of("caller", "callee")), query.toString());
            relay.delete("relay-1");
            assertThrows(NgException.class, () -> client.request(Map.of("command", "query", "call-id", "relay-1")));
            relay.delete("relay-1");
        }
    }

    /** Chromium's audio offer as it writes it: Opus, RED, G.722, G.711, comfort noise, DTMF at 48 and 8 kHz. */
    static String chromiumAudioOffer(int port) {
        return "v=0\r\no=- 4611731400430051337 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
                + "m=audio " + port + " UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126\r\nc=IN IP4 127.0.0.1\r\n"
                + "a=rtcp:9 IN IP4 0.0.0.0\r\na=ice-ufrag:chrom\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
                + "a=fingerprint:sha-256 " + "AB:".repeat(31) + "AB\r\na=setup:actpass\r\na=mid:0\r\n"
                + "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\na=sendrecv\r\na=rtcp-mux\r\n"
                + "a=rtpmap:111 opus/48000/2\r\na=rtcp-fb:111 transport-cc\r\na=fmtp:111 minptime=10;useinbandfec=1\r\n"
                + "a=rtpmap:63 red/48000/2\r\na=fmtp:63 111/111\r\na=rtpmap:9 G722/8000\r\na=rtpmap:0 PCMU/8000\r\n"
                + "a=rtpmap:8 PCMA/8000\r\na=rtpmap:13 CN/8000\r\na=rtpmap:110 telephone-event/48000\r\n"
                + "a=rtpmap:126 telephone-event/8000\r\n"
                + "a=candidate:1 1 udp 2122260223 127.0.0.1 " + port + " typ host\r\n";
    }

    @Test
    void aBrowsersOfferTowardsAPbxIsG711G722AndDtmfOnly() throws Exception {
        try (NgClient client = new NgClient(ng)) {
            RtpengineRelay relay = new RtpengineRelay(client);
            String offered = relay.offer("relay-3", "caller", null, chromiumAudioOffer(40030),
                    io.switchboard.sdk.calls.MediaRelay.Profile.RTP);
            Matcher m = Pattern.compile("m=audio (\\d+) RTP/AVP ([0-9 ]+)\r\n").matcher(offered);
            assertTrue(m.find(), offered);
            assertEquals(List.of("9", "0", "8", "126"), List.of(m.group(2).strip().split(" ")), offered);
            for (String kept : List.of("a=rtpmap:9 G722/8000", "a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000",
                    "a=rtpmap:126 telephone-event/8000")) {
                assertTrue(offered.contains(kept), kept + " in " + offered);
            }
            for (String gone : List.of("opus", "red/", "CN/", "telephone-event/48000", "a=extmap", "a=ice-", "a=fingerprint")) {
                assertFalse(offered.contains(gone), gone + " in " + offered);
            }
            // The PBX answers G.711: the browser is answered with it, and media flows without transcoding.
            String pbx = "v=0\r\no=- 2 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                    + "m=audio 40040 RTP/AVP 0 126\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:126 telephone-event/8000\r\na=sendrecv\r\n";
            String answered = relay.answer("relay-3", "caller", "callee", pbx, io.switchboard.sdk.calls.MediaRelay.Profile.WEBRTC);
            assertTrue(answered.contains("UDP/TLS/RTP/SAVPF 0 126"), answered);
            relay.delete("relay-3");
        }
    }

    @Test
    void anOpusOnlyOfferIsTranscodedForThePbx() throws Exception {
        try (NgClient client = new NgClient(ng)) {
            RtpengineRelay relay = new RtpengineRelay(client);
            String opusOnly = chromiumAudioOffer(40050).replaceAll("UDP/TLS/RTP/SAVPF [0-9 ]+\r\n", "UDP/TLS/RTP/SAVPF 111\r\n")
                    .replaceAll("a=(rtpmap|fmtp|rtcp-fb):(?!111 )\\d+ [^\r]*\r\n", "");
            assertFalse(opusOnly.contains("PCMU"), opusOnly);
            String offered = relay.offer("relay-4", "caller", null, opusOnly, io.switchboard.sdk.calls.MediaRelay.Profile.RTP);
            Matcher m = Pattern.compile("m=audio (\\d+) RTP/AVP ([0-9 ]+)\r\n").matcher(offered);
            assertTrue(m.find(), offered);
            assertTrue(List.of(m.group(2).strip().split(" ")).containsAll(List.of("0", "8", "9")), offered);
            assertTrue(offered.contains("telephone-event/8000") && !offered.contains("opus"), offered);
            // The PBX answers PCMU; the browser is answered with its own Opus: rtpengine transcodes between.
            String pbx = "v=0\r\no=- 2 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                    + "m=audio 40060 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n";
            String answered = relay.answer("relay-4", "caller", "callee", pbx, io.switchboard.sdk.calls.MediaRelay.Profile.WEBRTC);
            assertTrue(answered.contains("UDP/TLS/RTP/SAVPF 111") && answered.contains("opus/48000"), answered);
            relay.delete("relay-4");
        }
    }

    /**
     * Two extensions of a ring group pick up at once: each branch has its own ports, and what the one that
     * lost sends never reaches the caller; the winner's media does, both ways.
     */
    @Test
    void eachBranchOfAForkedCallHasItsOwnMediaAndOnlyTheAnsweredOneReachesTheCaller() throws Exception {
        try (Fork fork = new Fork("relay-5")) {
            assertNotEquals(fork.firstPort, fork.secondPort, "each branch has its own ports");
            // Before any answer nothing a branch sends reaches the caller.
            send(fork.first, fork.firstPort, 0x1111, 0);
            send(fork.second, fork.secondPort, 0x2222, 0);
            fork.caller.setSoTimeout(300);
            assertEquals(java.util.Set.of(), rtpSsrcs(fork.caller, 5), "no media before the answer");
            int callerFacing = fork.answer("callee.2", fork.second);
            // The first extension answered too and sends before it is hung up; then the winner talks.
            for (int i = 1; i < 6; i++) send(fork.first, fork.firstPort, 0x1111, i);
            for (int i = 1; i < 6; i++) send(fork.second, fork.secondPort, 0x2222, i);
            fork.caller.setSoTimeout(500);
            assertEquals(java.util.Set.of(0x2222), rtpSsrcs(fork.caller, 20), "the caller hears the answered branch only");
            // And the caller reaches the answered branch, not the one that lost.
            send(fork.caller, callerFacing, 0x3333, 0);
            fork.second.setSoTimeout(2000);
            assertEquals(0x3333, ssrc(receive(fork.second)));
            fork.first.setSoTimeout(300);
            assertThrows(java.net.SocketTimeoutException.class, () -> receive(fork.first));
        }
    }

    /** Early media came from one branch, the answer from another: the caller now hears the answer's only. */
    @Test
    void afterEarlyMediaFromOneBranchTheAnswerOfAnotherIsAllTheCallerHears() throws Exception {
        try (Fork fork = new Fork("relay-6")) {
            fork.answer("callee.1", fork.first);
            send(fork.first, fork.firstPort, 0x1111, 0);
            fork.caller.setSoTimeout(2000);
            assertEquals(java.util.Set.of(0x1111), rtpSsrcs(fork.caller, 1), "the early media is heard");

            fork.answer("callee.2", fork.second);
            for (int i = 1; i < 5; i++) send(fork.first, fork.firstPort, 0x1111, i);
            for (int i = 0; i < 5; i++) send(fork.second, fork.secondPort, 0x2222, i);
            fork.caller.setSoTimeout(500);
            assertEquals(java.util.Set.of(0x2222), rtpSsrcs(fork.caller, 20), "the answer's media only");
        }
    }

    /** A plain-RTP caller offered to two branches (callee.1, callee.2) of a call at the real rtpengine. */
    private static final class Fork implements AutoCloseable {
        final String callId;
        final NgClient client = new NgClient(ng);
        final RtpengineRelay relay = new RtpengineRelay(client);
        final DatagramSocket caller = rtpSocket();
        final DatagramSocket first = rtpSocket();
        final DatagramSocket second = rtpSocket();
        final int firstPort;
        final int secondPort;

        Fork(String callId) throws Exception {
            this.callId = callId;
            String callerSdp = sdpAt(caller);
            firstPort = port(relay.branchOffer(callId, "caller", "callee.1", callerSdp, io.switchboard.sdk.calls.MediaRelay.Profile.RTP));
            secondPort = port(relay.branchOffer(callId, "caller", "callee.2", callerSdp, io.switchboard.sdk.calls.MediaRelay.Profile.RTP));
        }

        /** The branch {@code tag} answers from {@code socket}; the port the caller sends to now. */
        int answer(String tag, DatagramSocket socket) throws Exception {
            return port(relay.branchAnswer(callId, "caller", tag, sdpAt(socket), io.switchboard.sdk.calls.MediaRelay.Profile.RTP));
        }

        private static String sdpAt(DatagramSocket socket) {
            return SDP.replace("40000", Integer.toString(socket.getLocalPort()));
        }

        @Override
        public void close() throws Exception {
            relay.delete(callId);
            caller.close();
            first.close();
            second.close();
            client.close();
        }
    }

    /** The SSRCs of the RTP (not RTCP) packets that came, up to {@code max} packets or the socket's timeout. */
    private static java.util.Set<Integer> rtpSsrcs(DatagramSocket socket, int max) throws IOException {
        java.util.Set<Integer> heard = new java.util.HashSet<>();
        try {
            for (int i = 0; i < max; i++) {
                byte[] packet = receive(socket);
                int type = packet[1] & 0xFF;
                if (type < 192 || type > 223) heard.add(ssrc(packet));
            }
        } catch (java.net.SocketTimeoutException e) {
            // all that came
        }
        return heard;
    }

    private static DatagramSocket rtpSocket() throws IOException {
        return new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    /** One PCMU packet of silence: RTP version 2, payload type 0, the sequence number and SSRC given. */
    private static void send(DatagramSocket from, int toPort, int ssrc, int seq) throws IOException {
        byte[] packet = new byte[12 + 160];
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(packet);
        b.put((byte) 0x80).put((byte) 0).putShort((short) seq).putInt(seq * 160).putInt(ssrc);
        java.util.Arrays.fill(packet, 12, packet.length, (byte) 0xFF);
        from.send(new java.net.DatagramPacket(packet, packet.length, InetAddress.getLoopbackAddress(), toPort));
    }

    private static byte[] receive(DatagramSocket socket) throws IOException {
        java.net.DatagramPacket p = new java.net.DatagramPacket(new byte[2048], 2048);
        socket.receive(p);
        return java.util.Arrays.copyOf(p.getData(), p.getLength());
    }

    private static int ssrc(byte[] rtp) {
        return java.nio.ByteBuffer.wrap(rtp, 8, 4).getInt();
    }

    @Test
    void aRefusedOfferIsAMediaRelayException() throws Exception {
        try (NgClient client = new NgClient(ng)) {
            RtpengineRelay relay = new RtpengineRelay(client);
            assertThrows(io.switchboard.sdk.calls.MediaRelayException.class,
                    () -> relay.offer("relay-2", "caller", null, "not an sdp", io.switchboard.sdk.calls.MediaRelay.Profile.WEBRTC));
        }
    }

    private static int port(String sdp) {
        Matcher m = Pattern.compile("m=audio (\\d+) ").matcher(sdp);
        assertTrue(m.find(), sdp);
        return Integer.parseInt(m.group(1));
    }
}
