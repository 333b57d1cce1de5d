package io.switchboard.sip;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** The kernel's table tells a bound UDP port without binding it (see {@link Loopback#udpBound}). */
class LoopbackTest {
    @Test
    void aBoundUdpPortIsSeenOnItsAddressOnlyAndNotOnceClosed() throws Exception {
        int port = Loopback.freePort(Loopback.SIPP);
        assertFalse(Loopback.udpBound(Loopback.SIPP, port));
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(Loopback.SIPP, port))) {
            assertTrue(Loopback.udpBound(Loopback.SIPP, port));
            assertFalse(Loopback.udpBound(Loopback.NOBODY, port), "another address, the same port");
            assertFalse(Loopback.udpBound(Loopback.SIPP, port == 65535 ? port - 1 : port + 1), "the next port");
        }
        assertFalse(Loopback.udpBound(Loopback.SIPP, port));
    }
}
