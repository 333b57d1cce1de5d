package io.switchboard.calls.rtpengine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The ng client against a scripted UDP peer that answers with bytes recorded from rtpengine 10.5
 * (Debian's rtpengine-daemon, `--table=-1`), so framing, cookies, retries and errors are checked
 * without the daemon. RtpengineProcessTest talks to the real one.
 */
class NgClientTest {
    /** rtpengine's answer to an offer of PCMU/PCMA on 127.0.0.1:40000, cookie replaced by %s. */
    static final String RECORDED_OFFER_ANSWER = "%s d3:sdp160:v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
            + "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\n"
            + "a=rtpmap:8 PCMA/8000\r\na=sendrecv\r\na=rtcp:30001\r\n6:result2:oke";
    /** Its answer to an offer without SDP. */
    static final String RECORDED_ERROR = "%s d6:result5:error12:error-reason22:No SDP body in messagee";

    private DatagramSocket peer;
    private Thread peerThread;
    private final List<byte[]> received = new ArrayList<>();

    /** A peer that hands each datagram to {@code answer} (null: stay silent) and sends what it returns. */
    private InetSocketAddress peer(Function<Integer, String> answer) throws Exception {
        peer = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        peerThread = new Thread(() -> {
            byte[] buf = new byte[65_535];
            try {
                while (true) {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    peer.receive(p);
                    byte[] data = Arrays.copyOf(p.getData(), p.getLength());
                    int n;
                    synchronized (received) {
                        received.add(data);
                        n = received.size();
                    }
                    String cookie = new String(data, StandardCharsets.US_ASCII).split(" ", 2)[0];
                    String reply = answer.apply(n);
                    if (reply != null) {
                        byte[] out = String.format(reply, cookie).getBytes(StandardCharsets.UTF_8);
                        peer.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
                    }
                }
            } catch (Exception e) {
                // closed
            }
        });
        peerThread.setDaemon(true);
        peerThread.start();
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), peer.getLocalPort());
    }

    @AfterEach
    void stopPeer() {
        if (peer != null) peer.close();
    }

    @Test
    void aRequestIsACookieASpaceAndABencodedDictionary() throws Exception {
        InetSocketAddress server = peer(n -> RECORDED_OFFER_ANSWER);
        try (NgClient client = new NgClient(server, Duration.ofMillis(200), 3)) {
            Map<String, Object> answer = client.request(Map.of("command", "offer", "call-id", "c1", "from-tag", "a",
                    "sdp", "v=0\r\n"));
            assertEquals("ok", answer.get("result"));
            assertTrue(((String) answer.get("sdp")).contains("m=audio 30000 RTP/AVP 0 8"), answer.toString());
        }
        String sent = new String(received.get(0), StandardCharsets.UTF_8);
        assertTrue(sent.matches("(?s)[a-z0-9]{16} d.*e"), sent);
        assertTrue(sent.endsWith(" d7:call-id2:c17:command5:offer8:from-tag1:a3:sdp5:v=0\r\ne"),
                "keys sorted, strings length-prefixed: " + sent);
    }

    @Test
    void anUnansweredRequestIsSentAgainWithTheSameCookie() throws Exception {
        InetSocketAddress server = peer(n -> n < 3 ? null : "%s d6:result4:ponge");
        try (NgClient client = new NgClient(server, Duration.ofMillis(100), 4)) {
            assertEquals("pong", client.request(Map.of("command", "ping")).get("result"));
        }
        assertEquals(3, received.size());
        assertArrayEquals(received.get(0), received.get(1), "the same bytes, the same cookie");
        assertArrayEquals(received.get(0), received.get(2));
    }

    @Test
    void eachRequestHasItsOwnCookie() throws Exception {
        InetSocketAddress server = peer(n -> "%s d6:result4:ponge");
        try (NgClient client = new NgClient(server, Duration.ofMillis(200), 2)) {
            client.request(Map.of("command", "ping"));
            client.request(Map.of("command", "ping"));
        }
        assertTrue(!Arrays.equals(received.get(0), received.get(1)));
    }

    @Test
    void anErrorAnswerCarriesItsReason() throws Exception {
        InetSocketAddress server = peer(n -> RECORDED_ERROR);
        try (NgClient client = new NgClient(server, Duration.ofMillis(200), 2)) {
            NgException e = assertThrows(NgException.class,
                    () -> client.request(Map.of("command", "offer", "call-id", "c2", "from-tag", "x")));
            assertEquals("No SDP body in message", e.getMessage());
        }
    }

    @Test
    void silenceEndsAfterTheLastTryAndGarbageIsIgnored() throws Exception {
        InetSocketAddress server = peer(n -> n == 1 ? "garbage-without-space" : n == 2 ? "other-cookie d6:result2:oke" : null);
        try (NgClient client = new NgClient(server, Duration.ofMillis(50), 3)) {
            long start = System.nanoTime();
            assertThrows(SocketTimeoutException.class, () -> client.request(Map.of("command", "ping")));
            assertTrue(System.nanoTime() - start >= 300_000_000L, "50 + 100 + 200 ms of waiting");
        }
        assertEquals(3, received.size());
    }
}
