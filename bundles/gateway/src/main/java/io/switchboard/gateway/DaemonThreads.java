package io.switchboard.gateway;

import java.util.concurrent.ThreadFactory;

/** Threads of the gateway's own executors: daemons named {@code name}, so a stopped bundle never holds the JVM. */
public final class DaemonThreads {
    private DaemonThreads() {}

    public static ThreadFactory named(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
