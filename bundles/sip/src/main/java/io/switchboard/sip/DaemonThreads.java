package io.switchboard.sip;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Threads of the sip bundle's own executors: daemons, named {@code name} (one thread) or
 * {@code name-1}, {@code name-2}, … (numbered), so a stopped bundle never holds the JVM and a thread
 * dump tells them apart.
 */
public final class DaemonThreads {
    private DaemonThreads() {}

    /** Every thread named {@code name}. */
    public static ThreadFactory named(String name) {
        return r -> daemon(r, name);
    }

    /** Threads named {@code name-1}, {@code name-2}, … */
    public static ThreadFactory numbered(String name) {
        AtomicInteger count = new AtomicInteger();
        return r -> daemon(r, name + "-" + count.incrementAndGet());
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
