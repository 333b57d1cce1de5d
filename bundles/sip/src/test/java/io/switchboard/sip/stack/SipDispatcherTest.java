package io.switchboard.sip.stack;

import static io.switchboard.sip.stack.RawSip.LOOPBACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.sip.Loopback;
import io.switchboard.sip.stack.RawSip.Received;
import io.switchboard.sip.stack.RawSip.Sent;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.sip.ClientTransaction;
import javax.sip.ListeningPoint;
import javax.sip.ResponseEvent;
import javax.sip.SipException;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.header.HeaderFactory;
import javax.sip.message.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The provider's one listener, shared: what comes back for a request goes to the owner its transaction
 * carries; incoming requests go to a handler that claims them, else they are refused as before.
 */
class SipDispatcherTest {
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

    /** Records what its transaction's owner hears, as text: "100", "200", "TIMEOUT". */
    private static final class Owner implements ClientCallback {
        final BlockingQueue<String> heard = new LinkedBlockingQueue<>();

        @Override
        public void response(ResponseEvent event) {
            heard.add(Integer.toString(event.getResponse().getStatusCode()));
        }

        @Override
        public void failed(ClientTransaction transaction, Failure failure) {
            heard.add(failure.name());
        }

        String next(int seconds) throws InterruptedException {
            String h = heard.poll(seconds, TimeUnit.SECONDS);
            return h == null ? "nothing" : h;
        }
    }

    @Test
    void responsesGoToTheOwnerOfTheirRequest() throws Exception {
        try (DatagramSocket peer = RawSip.udpPeer()) {
            Owner owner = new Owner();
            Owner other = new Owner();
            sip.send(options("127.0.0.1", peer.getLocalPort(), "udp"), owner, SipRuntime.DEFAULT_T1);
            String request = RawSip.receive(peer);
            reply(peer, request, "100 Trying");
            assertEquals("100", owner.next(5), "provisional responses too");
            reply(peer, request, "200 OK");
            assertEquals("200", owner.next(5));
            assertEquals("nothing", other.next(0));
        }
    }

    @Test
    void aRequestNobodyAnswersTimesOutAfter64T1() throws Exception {
        try (DatagramSocket silent = RawSip.udpPeer()) {
            Owner owner = new Owner();
            long t0 = System.nanoTime();
            sip.send(options("127.0.0.1", silent.getLocalPort(), "udp"), owner, Duration.ofMillis(20));
            assertEquals("TIMEOUT", owner.next(10));
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(took >= 1_000 && took < 5_000, "64 T1 of 20 ms: " + took + " ms");
        }
    }

    @Test
    void aConnectionRefusedFailsTheSend() throws Exception {
        int closed = Loopback.freePort(Loopback.NOBODY);
        Owner owner = new Owner();
        assertThrows(SipException.class, () -> sip.send(options("127.0.0.4", closed, "tcp"), owner, SipRuntime.DEFAULT_T1));
        assertEquals("nothing", owner.next(1), "the sender hears it once, from the exception");
    }

    /** Three requests to one TCP peer: all arrive, over the one connection the stack opened (NIO lost every other one). */
    @Test
    void requestsOverTcpShareOneConnectionAndAllArrive() throws Exception {
        try (ServerSocket pbx = new ServerSocket(0, 5, Loopback.SIPP)) {
            pbx.setSoTimeout(5_000);
            Owner owner = new Owner();
            sip.send(options("127.0.0.3", pbx.getLocalPort(), "tcp"), owner, SipRuntime.DEFAULT_T1);
            try (Socket connection = pbx.accept()) {
                connection.setSoTimeout(5_000);
                for (int i = 2; i <= 3; i++) {
                    assertTrue(head(connection.getInputStream()).startsWith("OPTIONS sip:127.0.0.3:"), "request " + (i - 1));
                    sip.send(options("127.0.0.3", pbx.getLocalPort(), "tcp"), owner, SipRuntime.DEFAULT_T1);
                }
                assertTrue(head(connection.getInputStream()).startsWith("OPTIONS sip:127.0.0.3:"), "the third as well");
                pbx.setSoTimeout(500);
                assertThrows(SocketTimeoutException.class, pbx::accept, "no second connection");
            }
        }
    }

    @Test
    void aHandlerTakesTheRequestsItClaimsAndTheRestAreRefusedAsBefore() throws Exception {
        RequestHandler messages = event -> {
            if (!Request.MESSAGE.equals(event.getRequest().getMethod())) return false;
            try {
                sip.provider().getNewServerTransaction(event.getRequest())
                        .sendResponse(sip.messageFactory().createResponse(202, event.getRequest()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return true;
        };
        RequestHandler broken = event -> {
            throw new IllegalStateException("a handler's bug");
        };
        try (DatagramSocket peer = RawSip.udpPeer()) {
            sip.addRequestHandler(messages);
            assertEquals(202, exchange(peer, "MESSAGE").status());
            assertEquals(403, exchange(peer, "INVITE").status(), "unclaimed: refused as before");
            assertEquals(200, exchange(peer, "OPTIONS").status());
            sip.removeRequestHandler(messages);
            assertEquals(403, exchange(peer, "MESSAGE").status(), "removed");

            sip.addRequestHandler(broken);
            sip.addRequestHandler(messages);
            assertEquals(403, exchange(peer, "MESSAGE").status(), "a handler that throws leaves the request refused");
            sip.removeRequestHandler(broken);
            assertEquals(202, exchange(peer, "MESSAGE").status());
            sip.removeRequestHandler(messages);
        }
    }

    @Test
    void anOwnerThatThrowsLeavesTheStackAnswering() throws Exception {
        ClientCallback throwing = new ClientCallback() {
            @Override
            public void response(ResponseEvent event) {
                throw new IllegalStateException("an owner's bug");
            }

            @Override
            public void failed(ClientTransaction transaction, Failure failure) {
                throw new IllegalStateException("an owner's bug");
            }
        };
        try (DatagramSocket peer = RawSip.udpPeer()) {
            for (int i = 0; i < 2; i++) {
                sip.send(options("127.0.0.1", peer.getLocalPort(), "udp"), throwing, SipRuntime.DEFAULT_T1);
                reply(peer, RawSip.receive(peer), "200 OK");
            }
            assertEquals(200, exchange(peer, "OPTIONS").status());
        }
    }

    /** A request's head from a stream, up to the empty line (ours carry no body). */
    private static String head(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) throw new IOException("closed after: " + head);
            head.append((char) b);
        }
        return head.toString();
    }

    private static Received exchange(DatagramSocket peer, String method) throws Exception {
        Sent request = RawSip.request(method, "UDP", peer.getLocalPort(), port);
        Received answer = RawSip.exchange(peer, port, request);
        answer.answers(request);
        return answer;
    }

    private static Request options(String host, int peerPort, String transport) throws Exception {
        AddressFactory addresses = sip.addressFactory();
        HeaderFactory headers = sip.headerFactory();
        ListeningPoint lp = sip.provider().getListeningPoint(transport);
        SipURI target = addresses.createSipURI(null, host);
        target.setPort(peerPort);
        if ("tcp".equals(transport)) target.setTransportParam("tcp");
        return sip.messageFactory().createRequest(target, Request.OPTIONS, sip.provider().getNewCallId(),
                headers.createCSeqHeader(1L, Request.OPTIONS),
                headers.createFromHeader(addresses.createAddress(addresses.createSipURI("switchboard", lp.getIPAddress())), "t"),
                headers.createToHeader(addresses.createAddress(target), null),
                List.of(headers.createViaHeader(lp.getIPAddress(), lp.getPort(), transport, null)),
                headers.createMaxForwardsHeader(70));
    }

    /** Answers {@code request} from {@code peer} with {@code status}, its headers copied as a UAS does. */
    private static void reply(DatagramSocket peer, String request, String status) throws Exception {
        StringBuilder out = new StringBuilder("SIP/2.0 " + status + "\r\n");
        for (String line : request.split("\r\n")) {
            String name = line.contains(":") ? line.substring(0, line.indexOf(':')) : "";
            switch (name) {
                case "Via", "From", "Call-ID", "CSeq" -> out.append(line).append("\r\n");
                case "To" -> out.append(line).append(";tag=peer\r\n");
                default -> { }
            }
        }
        byte[] bytes = out.append("Content-Length: 0\r\n\r\n").toString().getBytes(StandardCharsets.UTF_8);
        peer.send(new DatagramPacket(bytes, bytes.length, LOOPBACK, port));
    }
}
