package io.switchboard.sip.stack;

import java.net.InetSocketAddress;

/** Starts and stops a {@link SipStackComponent} outside OSGi for tests of other packages. */
public final class SipStackAccess {
    private SipStackAccess() {}

    public static SipStackComponent start(InetSocketAddress listen) throws Exception {
        return new SipStackComponent(listen);
    }

    public static void stop(SipStackComponent sip) {
        sip.deactivate();
    }
}
