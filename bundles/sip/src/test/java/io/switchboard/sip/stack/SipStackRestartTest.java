package io.switchboard.sip.stack;

import static io.switchboard.sip.stack.RawSip.LOOPBACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** Stopping frees the ports and ends the stack's threads; starting again on the same port works. */
class SipStackRestartTest {

    @Test
    void stopFreesThePortsAndTheThreadsAndAStartAnswersAgain() throws Exception {
        int port = RawSip.freePort();
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        SipStackComponent sip = new SipStackComponent(new InetSocketAddress(LOOPBACK, port));
        try (Socket open = RawSip.tcpPeer(port)) {
            assertAnswers(port);
            // a peer's connection still open does not hold the stack up
            assertEquals(200, RawSip.exchange(open, RawSip.request("OPTIONS", "TCP", open.getLocalPort(), port)).status());
            sip.deactivate();
        }
        assertBindable(port);
        assertNoThreadLeft(before);

        SipStackComponent again = new SipStackComponent(new InetSocketAddress(LOOPBACK, port));
        try {
            assertNotSame(sip.provider().getSipStack(), again.provider().getSipStack(), "a new stack, not the stopped one");
            assertAnswers(port);
        } finally {
            again.deactivate();
        }
        assertBindable(port);
        assertNoThreadLeft(before);
    }

    /**
     * Peers hanging up while the stack stops: the RI closes a connection its reader is closing too and
     * throws; the stop still closes every connection, frees the port and ends every thread.
     */
    @RepeatedTest(8)
    void peersHangingUpWhileTheStackStopsLeaveNothingBehind() throws Exception {
        int port = RawSip.freePort();
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        SipStackComponent sip = new SipStackComponent(new InetSocketAddress(LOOPBACK, port));
        List<Socket> peers = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 12; i++) {
                Socket peer = RawSip.tcpPeer(port);
                peers.add(peer);
                assertEquals(200, RawSip.exchange(peer, RawSip.request("OPTIONS", "TCP", peer.getLocalPort(), port)).status());
            }
            Thread hangUp = new Thread(() -> peers.forEach(RawSipCloser::close));
            hangUp.start();
            sip.deactivate();
            hangUp.join();
        } finally {
            peers.forEach(RawSipCloser::close);
        }
        assertBindable(port);
        assertNoThreadLeftWithin(before, 5_000);
    }

    private static final class RawSipCloser {
        static void close(Socket s) {
            try {
                s.close();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /** As {@link #assertNoThreadLeft}, allowing threads that are ending a little time. */
    private static void assertNoThreadLeftWithin(Set<Thread> before, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < deadline) {
            boolean left = Thread.getAllStackTraces().keySet().stream()
                    .anyMatch(t -> !before.contains(t) && t.isAlive() && t.getThreadGroup() != null
                            && !"system".equals(t.getThreadGroup().getName()));
            if (!left) return;
            Thread.sleep(50);
        }
        assertNoThreadLeft(before);
    }

    @Test
    void aPortInUseFailsTheStartAndLeavesNothingBehind() throws Exception {
        int port = RawSip.freePort();
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        try (ServerSocket taken = new ServerSocket(port, 1, LOOPBACK)) {
            // UDP binds, TCP does not: what UDP got must be given back
            assertThrows(Exception.class, () -> new SipStackComponent(new InetSocketAddress(LOOPBACK, port)));
        }
        assertBindable(port);
        assertNoThreadLeft(before);
    }

    private static void assertAnswers(int port) throws IOException {
        try (DatagramSocket udp = RawSip.udpPeer(); Socket tcp = RawSip.tcpPeer(port)) {
            assertEquals(200, RawSip.exchange(udp, port, RawSip.request("OPTIONS", "UDP", udp.getLocalPort(), port)).status());
            assertEquals(200, RawSip.exchange(tcp, RawSip.request("OPTIONS", "TCP", tcp.getLocalPort(), port)).status());
        }
    }

    private static void assertBindable(int port) throws IOException {
        try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(LOOPBACK, port));
                ServerSocket tcp = new ServerSocket(port, 1, LOOPBACK)) {
            assertTrue(udp.isBound() && tcp.isBound());
        }
    }

    /** Every thread started since {@code before} has ended, but the JDK's own (system group). */
    private static void assertNoThreadLeft(Set<Thread> before) {
        List<String> left = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> !before.contains(t) && t.isAlive() && t.getThreadGroup() != null
                        && !"system".equals(t.getThreadGroup().getName()))
                .map(Thread::getName).toList();
        assertEquals(List.of(), left, "threads left running");
    }
}
