package io.switchboard.sdk.concurrent;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Stopping a bundle's executor in its deactivation: what was handed to it still runs, for up to a
 * grace period; whatever still runs after that is interrupted, so no thread of a stopped bundle is
 * left working.
 */
public final class Draining {
    private Draining() {}

    /**
     * Refuses new work, waits up to {@code grace} for the work already given to finish, then interrupts
     * what is left ({@link ExecutorService#shutdownNow}). An interrupt of the calling thread while it
     * waits does the same, and the caller's interrupt status is kept.
     *
     * @return true when everything finished within {@code grace}; false when work was interrupted (the
     *         caller says so in its log: it names what was cut short)
     */
    public static boolean stop(ExecutorService executor, Duration grace) {
        executor.shutdown();
        try {
            if (executor.awaitTermination(grace.toNanos(), TimeUnit.NANOSECONDS)) return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        executor.shutdownNow();
        return false;
    }
}
