package io.switchboard.sip.stack;

import static io.switchboard.sip.stack.RawSip.LOOPBACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.switchboard.sip.stack.RawSip.Received;
import io.switchboard.sip.stack.RawSip.Sent;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import javax.sip.ListeningPoint;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.header.HeaderFactory;
import javax.sip.message.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The stack on 127.0.0.1 and a free port, spoken to over real UDP and TCP sockets. */
class SipStackComponentTest {
    private static int port;
    private static SipStackComponent sip;

    @BeforeAll
    static void start() throws Exception {
        sip = SipStackAccess.startOnFreePort(LOOPBACK);
        port = SipStackAccess.port(sip);
    }

    @AfterAll
    static void stop() {
        if (sip != null) sip.deactivate();
    }

    @Test
    void anAnswerNoDialogTakesIsAcknowledgedAndHungUp() throws Exception {
        try (DatagramSocket phone = RawSip.udpPeer()) {
            String callId = java.util.UUID.randomUUID() + "@127.0.0.1";
            String ok = "SIP/2.0 200 OK\r\n"
                    + "Via: SIP/2.0/UDP 127.0.0.1:" + port + ";branch=z9hG4bKgone" + callId.hashCode() + "\r\n"
                    + "From: <sip:alice@switchboard.test>;tag=ours1\r\n"
                    + "To: <sip:201@127.0.0.1>;tag=theirs2\r\n"
                    + "Call-ID: " + callId + "\r\n"
                    + "CSeq: 1 INVITE\r\n"
                    + "Contact: <sip:201@127.0.0.1:" + phone.getLocalPort() + ">\r\n"
                    + "Content-Length: 0\r\n\r\n";
            RawSip.send(phone, port, ok.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            String ack = RawSip.receive(phone);
            assertTrue(ack.startsWith("ACK sip:201@127.0.0.1:" + phone.getLocalPort() + " SIP/2.0"), ack);
            assertTrue(ack.contains("CSeq: 1 ACK") && ack.contains("tag=theirs2") && ack.contains(callId), ack);
            String bye = RawSip.receive(phone);
            assertTrue(bye.startsWith("BYE sip:201@127.0.0.1:" + phone.getLocalPort() + " SIP/2.0"), bye);
            assertTrue(bye.contains("CSeq: 2 BYE") && bye.contains("tag=ours1") && bye.contains("tag=theirs2"), bye);

            // The 200 again (our ACK lost, say): acknowledged again.
            RawSip.send(phone, port, ok.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            String again = RawSip.receive(phone);
            while (again.startsWith("BYE")) again = RawSip.receive(phone); // the first BYE, retransmitted
            assertTrue(again.startsWith("ACK "), again);
        }
    }

    @Test
    void optionsOverUdpGets200() throws Exception {
        try (DatagramSocket peer = RawSip.udpPeer()) {
            Sent options = RawSip.request("OPTIONS", "UDP", peer.getLocalPort(), port);
            Received answer = RawSip.exchange(peer, port, options);
            assertEquals(200, answer.status());
            answer.answers(options);
            assertTrue(answer.headers().get("to").contains(";tag="), "a UAS adds a To tag: " + answer);
        }
    }

    @Test
    void optionsOverTcpGets200OnTheSameConnection() throws Exception {
        try (Socket peer = RawSip.tcpPeer(port)) {
            for (int i = 0; i < 2; i++) {
                Sent options = RawSip.request("OPTIONS", "TCP", peer.getLocalPort(), port);
                Received answer = RawSip.exchange(peer, options);
                assertEquals(200, answer.status());
                answer.answers(options);
            }
        }
    }

    @Test
    void nobodyMayCallRegisterOrSendYet() throws Exception {
        try (DatagramSocket peer = RawSip.udpPeer(); Socket tcp = RawSip.tcpPeer(port)) {
            for (String method : List.of("INVITE", "REGISTER", "MESSAGE")) {
                Sent request = RawSip.request(method, "UDP", peer.getLocalPort(), port);
                Received answer = RawSip.exchange(peer, port, request);
                assertEquals(403, answer.status(), method);
                answer.answers(request);
            }
            Sent invite = RawSip.request("INVITE", "TCP", tcp.getLocalPort(), port);
            Received answer = RawSip.exchange(tcp, invite);
            assertEquals(403, answer.status());
            answer.answers(invite);
        }
    }

    @Test
    void otherMethodsAreNotImplemented() throws Exception {
        try (DatagramSocket peer = RawSip.udpPeer()) {
            for (String method : List.of("SUBSCRIBE", "PUBLISH", "INFO", "BYE", "FOO")) {
                Sent request = RawSip.request(method, "UDP", peer.getLocalPort(), port, "Event: presence\r\n");
                Received answer = RawSip.exchange(peer, port, request);
                assertEquals(501, answer.status(), method);
                answer.answers(request);
            }
        }
    }

    @Test
    void anAckIsNeverAnswered() throws Exception {
        try (DatagramSocket peer = RawSip.udpPeer()) {
            RawSip.send(peer, port, RawSip.request("ACK", "UDP", peer.getLocalPort(), port).bytes());
            assertTrue(RawSip.silent(peer, 1_000), "an ACK gets no response");
            assertEquals(200, RawSip.exchange(peer, port, RawSip.request("OPTIONS", "UDP", peer.getLocalPort(), port)).status());
        }
    }

    @Test
    void garbageAndTruncatedMessagesOverUdpLeaveTheStackAnswering() throws Exception {
        byte[] noise = new byte[1_200];
        new Random(7).nextBytes(noise);
        String options = RawSip.request("OPTIONS", "UDP", 5_999, port).text();
        List<byte[]> bad = List.of(noise, "hello\r\n\r\n".getBytes(StandardCharsets.UTF_8), new byte[0],
                options.substring(0, options.indexOf("Call-ID") + 12).getBytes(StandardCharsets.UTF_8),
                options.replace("Content-Length: 0", "Content-Length: 500").getBytes(StandardCharsets.UTF_8),
                options.replace("CSeq: 1 OPTIONS", "CSeq: one OPTIONS").getBytes(StandardCharsets.UTF_8));
        try (DatagramSocket peer = RawSip.udpPeer()) {
            // more rounds than the stack has threads: none may be lost to them
            for (int round = 0; round <= StackProperties.THREADS; round++) {
                for (byte[] datagram : bad) RawSip.send(peer, port, datagram);
            }
            Sent probe = RawSip.request("OPTIONS", "UDP", peer.getLocalPort(), port);
            Received answer = RawSip.exchange(peer, port, probe);
            assertEquals(200, answer.status());
            answer.answers(probe);
        }
        assertAnswersOverTcp();
    }

    @Test
    void garbageAndTruncatedMessagesOverTcpLeaveTheStackAnswering() throws Exception {
        byte[] noise = new byte[4_000];
        new Random(11).nextBytes(noise);
        try (Socket garbage = RawSip.tcpPeer(port); Socket half = RawSip.tcpPeer(port)) {
            garbage.getOutputStream().write(noise);
            garbage.getOutputStream().write("\r\n\r\n".getBytes(StandardCharsets.UTF_8));
            String options = RawSip.request("OPTIONS", "TCP", half.getLocalPort(), port).text();
            half.getOutputStream().write(options.substring(0, options.length() / 2).getBytes(StandardCharsets.UTF_8));
            // both stay open while other connections are answered
            assertAnswersOverTcp();
            assertAnswersOverUdp();
        }
        assertAnswersOverTcp();
    }

    @Test
    void anOversizeMessageIsRefused() throws Exception {
        try (Socket peer = RawSip.tcpPeer(port)) {
            String body = "x".repeat(StackProperties.MAX_MESSAGE_SIZE + 4_096);
            String options = RawSip.request("OPTIONS", "TCP", peer.getLocalPort(), port).text()
                    .replace("Content-Length: 0", "Content-Type: text/plain\r\nContent-Length: " + body.length()) + body;
            try {
                peer.getOutputStream().write(options.getBytes(StandardCharsets.UTF_8));
                assertClosedWithoutAnswer(peer.getInputStream());
            } catch (IOException e) {
                // reset while writing: refused as well
            }
        }
        assertAnswersOverTcp();
        assertAnswersOverUdp();
    }

    @Test
    void theProviderSendsRequests() throws Exception {
        try (DatagramSocket peer = RawSip.udpPeer()) {
            AddressFactory addresses = sip.addressFactory();
            HeaderFactory headers = sip.headerFactory();
            ListeningPoint udp = sip.provider().getListeningPoint(ListeningPoint.UDP);
            SipURI target = addresses.createSipURI(null, "127.0.0.1");
            target.setPort(peer.getLocalPort());
            Request options = sip.messageFactory().createRequest(target, Request.OPTIONS, sip.provider().getNewCallId(),
                    headers.createCSeqHeader(1L, Request.OPTIONS),
                    headers.createFromHeader(addresses.createAddress(addresses.createSipURI("switchboard", udp.getIPAddress())), "probe"),
                    headers.createToHeader(addresses.createAddress(target), null),
                    List.of(headers.createViaHeader(udp.getIPAddress(), udp.getPort(), ListeningPoint.UDP, null)),
                    headers.createMaxForwardsHeader(70));
            sip.provider().getNewClientTransaction(options).sendRequest();
            String received = RawSip.receive(peer);
            assertTrue(received.startsWith("OPTIONS sip:127.0.0.1:" + peer.getLocalPort() + " SIP/2.0\r\n"), received);
            assertTrue(received.contains("Via: SIP/2.0/UDP 127.0.0.1:" + port + ";branch=z9hG4bK"), received);
        }
    }

    @Test
    void theSettingsAreAnAddressAndAPort() {
        assertEquals(new InetSocketAddress("127.0.0.1", 5060), SipStackComponent.listenAddress(null, null));
        assertEquals(new InetSocketAddress("127.0.0.1", 5060), SipStackComponent.listenAddress(" ", ""));
        assertEquals(new InetSocketAddress("0.0.0.0", 5080), SipStackComponent.listenAddress("0.0.0.0", " 5080 "));
        for (String bad : List.of("sip", "0", "65536", "-1", "5060.0")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SipStackComponent.listenAddress(null, bad));
            assertTrue(e.getMessage().startsWith("SWITCHBOARD_SIP_PORT"), e.getMessage());
        }
    }

    /** The stack closes (or resets) the connection without a 200. */
    private static void assertClosedWithoutAnswer(InputStream in) {
        try {
            String got = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertFalse(got.startsWith("SIP/2.0 200"), "answered: " + got);
        } catch (SocketTimeoutException e) {
            fail("the connection was left open");
        } catch (IOException e) {
            // reset: closed as well
        }
    }

    private static void assertAnswersOverTcp() throws IOException {
        try (Socket peer = RawSip.tcpPeer(port)) {
            Sent options = RawSip.request("OPTIONS", "TCP", peer.getLocalPort(), port);
            Received answer = RawSip.exchange(peer, options);
            assertEquals(200, answer.status());
            answer.answers(options);
        }
    }

    private static void assertAnswersOverUdp() throws IOException {
        try (DatagramSocket peer = RawSip.udpPeer()) {
            Sent options = RawSip.request("OPTIONS", "UDP", peer.getLocalPort(), port);
            Received answer = RawSip.exchange(peer, port, options);
            assertEquals(200, answer.status());
            answer.answers(options);
        }
    }
}
