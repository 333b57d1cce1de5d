package io.switchboard.sip;

import java.io.IOException;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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

    /**
     * Whether a process has a UDP socket bound to {@code address:port} (or to the wildcard address on the
     * port), read from the kernel's table. Probing by binding the port instead races with the process
     * that is about to bind it: the process finds it taken for the moment of the probe and gives up.
     */
    public static boolean udpBound(InetAddress address, int port) throws IOException {
        byte[] b = address.getAddress();
        // The tables write an address as the hex of its 32-bit words, each in host (little-endian) order;
        // a Java socket is an IPv6 one (udp6) holding the IPv4 address mapped (::ffff:a.b.c.d).
        String v4 = String.format("%02X%02X%02X%02X", b[3], b[2], b[1], b[0]);
        List<String> wanted = List.of(v4, "00000000", "0000000000000000FFFF0000" + v4, "0".repeat(32));
        String suffix = String.format(":%04X", port);
        for (String table : List.of("/proc/net/udp", "/proc/net/udp6")) {
            Path file = Path.of(table);
            if (!Files.exists(file)) continue;
            List<String> lines = Files.readAllLines(file);
            for (String line : lines.subList(1, lines.size())) {
                String[] fields = line.trim().split("\\s+");
                if (fields.length > 1 && fields[1].endsWith(suffix)
                        && wanted.contains(fields[1].substring(0, fields[1].length() - suffix.length()))) {
                    return true;
                }
            }
        }
        return false;
    }
}
