package io.switchboard.sip.stack;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the stack's threads in a group of their own. JAIN-SIP starts its threads from the thread that
 * creates the stack and its listening points (and they start theirs), so creating them from a thread of
 * this group puts every stack thread in it. That matters when stopping: {@code SipStack.stop()} leaves
 * the event scanner waiting for events that never come, a non-daemon thread that would hold this bundle's
 * class loader after every restart. What is left in the group once the stack stopped is interrupted.
 */
final class StackThreads {
    private static final Logger LOG = LoggerFactory.getLogger(StackThreads.class);
    private final ThreadGroup group = new ThreadGroup("switchboard-sip");

    /** Runs {@code work} on a new thread of the group, waits for it and returns what it returned. */
    <T> T run(String name, Callable<T> work) throws Exception {
        FutureTask<T> task = new FutureTask<>(work);
        new Thread(group, task, name).start();
        try {
            return task.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) throw cause;
            throw e;
        }
    }

    /** Interrupts the threads still alive in the group and waits for them to end, up to {@code wait}. */
    void end(Duration wait) {
        group.interrupt();
        long deadline = System.nanoTime() + wait.toNanos();
        List<String> stuck = new ArrayList<>();
        for (Thread t : alive()) {
            try {
                t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (t.isAlive()) stuck.add(t.getName());
        }
        if (!stuck.isEmpty()) LOG.warn("SIP stack threads still running after the stack stopped: {}", stuck);
    }

    private List<Thread> alive() {
        Thread[] threads = new Thread[group.activeCount() + 16];
        return Arrays.asList(threads).subList(0, group.enumerate(threads));
    }
}
