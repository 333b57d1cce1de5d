package io.switchboard.sip.stack;

import io.switchboard.sip.Loopback;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** Starts and stops a {@link SipStackComponent} outside OSGi for tests of other packages. */
public final class SipStackAccess {
    private SipStackAccess() {}

    public static SipStackComponent start(InetSocketAddress listen) throws Exception {
        return new SipStackComponent(listen);
    }

    /**
     * A stack on a port of {@code address} free for UDP and TCP. A port found free can be taken by another
     * process (a peer, rtpengine) before the stack binds it, so a few ports are tried.
     */
    public static SipStackComponent startOnFreePort(InetAddress address) throws Exception {
        Exception last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            try {
                return new SipStackComponent(new InetSocketAddress(address, Loopback.freePort(address)));
            } catch (Exception e) {
                if (!String.valueOf(e.getMessage()).contains("Address already in use")) throw e;
                last = e;
            }
        }
        throw last;
    }

    /** The port the stack listens on (the same for UDP and TCP). */
    public static int port(SipStackComponent sip) {
        return sip.provider().getListeningPoint("udp").getPort();
    }

    public static void stop(SipStackComponent sip) {
        sip.deactivate();
    }
}
