package io.switchboard.sdk.concurrent;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Thread factories for a bundle's own executors: daemon threads, so a stopped bundle never holds the
 * JVM, named {@code name} (one thread) or {@code name-1}, {@code name-2}, … (a pool), so a thread dump
 * tells them apart and a test can check that deactivation ended them.
 */
public final class DaemonThreads {
    private DaemonThreads() {}

    /** Every thread named {@code name}. */
    public static ThreadFactory named(String name) {
        return r -> daemon(r, name);
    }

    /** Threads named {@code name-1}, {@code name-2}, … in the order they are made. */
    public static ThreadFactory numbered(String name) {
        AtomicInteger count = new AtomicInteger();
        return r -> daemon(r, name + "-" + count.incrementAndGet());
    }

    /** A daemon thread named {@code name} running {@code task}, started: for a bundle's one long-lived loop. */
    public static Thread start(String name, Runnable task) {
        Thread t = daemon(task, name);
        t.start();
        return t;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
