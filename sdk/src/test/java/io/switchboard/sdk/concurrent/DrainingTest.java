package io.switchboard.sdk.concurrent;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DrainingTest {
    @Test
    void workAlreadyGivenFinishesAndNewWorkIsRefused() {
        ExecutorService executor = Executors.newSingleThreadExecutor(DaemonThreads.named("draining-test"));
        AtomicInteger done = new AtomicInteger();
        for (int i = 0; i < 5; i++) {
            executor.execute(() -> {
                sleep(20);
                done.incrementAndGet();
            });
        }
        assertTrue(Draining.stop(executor, Duration.ofSeconds(5)));
        assertTrue(done.get() == 5, "every queued task ran: " + done.get());
        assertTrue(executor.isTerminated());
        assertThrows(RejectedExecutionException.class, () -> executor.execute(() -> { }));
    }

    @Test
    void workStillRunningAfterTheGraceIsInterrupted() throws Exception {
        ExecutorService executor = Executors.newSingleThreadExecutor(DaemonThreads.named("draining-test"));
        AtomicBoolean interrupted = sleepingTask(executor);
        assertFalse(Draining.stop(executor, Duration.ofMillis(100)));
        assertTrue(executor.awaitTermination(5, TimeUnit.SECONDS), "the task was cut short");
        assertTrue(interrupted.get());
    }

    @Test
    void anInterruptedCallerStopsTheExecutorAndKeepsItsInterrupt() throws Exception {
        ExecutorService executor = Executors.newSingleThreadExecutor(DaemonThreads.named("draining-test"));
        AtomicBoolean interrupted = sleepingTask(executor);
        Thread.currentThread().interrupt();
        try {
            assertFalse(Draining.stop(executor, Duration.ofSeconds(30)));
            assertTrue(Thread.currentThread().isInterrupted(), "the caller's interrupt is kept");
        } finally {
            Thread.interrupted();
        }
        assertTrue(executor.awaitTermination(5, TimeUnit.SECONDS));
        assertTrue(interrupted.get());
    }

    /** Starts a task that sleeps a minute on the executor; the flag tells whether it was interrupted. */
    private static AtomicBoolean sleepingTask(ExecutorService executor) throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        executor.execute(() -> {
            started.countDown();
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
        });
        started.await();
        return interrupted;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
