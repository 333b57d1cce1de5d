package io.switchboard.sip;

import java.io.IOException;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;

/**
 * Addresses of the loopback range, one per role, so that a test's peers never share an address with the
 * stack under test: 127.0.0.1 the stack, 127.0.0.2 kamailio, 127.0.0.3 sipp, 127.0.0.4 nobody.
 */
public final class Loopback {
    public static final InetAddress STACK = address(1);
    public static final InetAddress KAMAILIO = address(2);
    public static final InetAddress SIPP = address(3);
    public static final InetAddress NOBODY = address(4);

    private Loopback() {}

    private static InetAddress address(int last) {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A port free on {@code address} for both UDP and TCP. */
    public static int freePort(InetAddress address) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (ServerSocket tcp = new ServerSocket(0, 1, address);
                    DatagramSocket udp = new DatagramSocket(new InetSocketAddress(address, tcp.getLocalPort()))) {
                return udp.getLocalPort();
            } catch (BindException e) {
                // taken for UDP: another one
            }
        }
        throw new IOException("no port free for both UDP and TCP on " + address.getHostAddress());
    }
}
