package io.switchboard.sdk.concurrent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class DaemonThreadsTest {
    @Test
    void startRunsTheTaskOnANamedDaemonThread() throws Exception {
        AtomicReference<Thread> ran = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        Thread t = DaemonThreads.start("daemon-threads-test", () -> {
            ran.set(Thread.currentThread());
            done.countDown();
        });
        assertTrue(done.await(5, TimeUnit.SECONDS), "the task ran");
        assertEquals(t, ran.get());
        assertEquals("daemon-threads-test", t.getName());
        assertTrue(t.isDaemon());
        t.join(5000);
    }

    @Test
    void numberedThreadsAreCountedFromOne() {
        var factory = DaemonThreads.numbered("pool");
        Thread a = factory.newThread(() -> { });
        Thread b = factory.newThread(() -> { });
        assertEquals("pool-1", a.getName());
        assertEquals("pool-2", b.getName());
        assertTrue(a.isDaemon() && b.isDaemon());
    }
}
