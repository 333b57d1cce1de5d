package io.switchboard.calls.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The calls' log on a real PostgreSQL: steps written in order, together, before what they tell goes out. */
class CallLogTest {
    private static EmbeddedPostgres postgres;
    private static final AtomicInteger IDS = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        postgres = CallsSchema.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (postgres != null) postgres.close();
    }

    private static Call ringing() {
        return Call.ringing("call_log_" + IDS.incrementAndGet(), "acct_a", "acct_b", false, Instant.now());
    }

    @Test
    void stepsQueuedTogetherShareOneTransactionAndTellInTheirOrder() throws Exception {
        Counted db = counting(postgres.getPostgresDatabase());
        CallStore store = new CallStore(db.db());
        CallLog log = new CallLog(store, true);
        try {
            // The first step holds the log's thread until the others are queued behind it.
            CountDownLatch queued = new CountDownLatch(1);
            Call first = ringing();
            List<String> told = new CopyOnWriteArrayList<>();
            List<CompletableFuture<Void>> stored = new ArrayList<>();
            stored.add(log.submit(List.of(heldUntil(queued, store, first)), List.of(() -> told.add(first.id()))));
            List<Call> rest = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                Call call = ringing();
                rest.add(call);
                // What a step tells goes out after its commit: the call is in the store by then.
                stored.add(log.submit(List.of(c -> store.insert(c, call)), List.of(() -> {
                    told.add(call.id());
                    assertTrue(new CallStore(postgres.getPostgresDatabase()).find(call.id()).isPresent());
                })));
            }
            int before = db.connections().get();
            queued.countDown();
            for (CompletableFuture<Void> f : stored) f.get(10, TimeUnit.SECONDS);
            int transactions = db.connections().get() - before;

            List<String> expected = new ArrayList<>();
            expected.add(first.id());
            for (Call c : rest) expected.add(c.id());
            assertEquals(expected, told, "told in the order of the steps");
            for (Call c : rest) assertEquals(CallState.RINGING, store.find(c.id()).orElseThrow().state());
            assertTrue(transactions <= 2, "100 queued steps in at most two transactions, not one each: " + transactions);
        } finally {
            log.close();
        }
    }

    @Test
    void aFailingWriteFailsItsOwnStepOnly() throws Exception {
        CallStore store = new CallStore(postgres.getPostgresDatabase());
        CallLog log = new CallLog(store, true);
        try {
            Call taken = ringing();
            log.submit(List.of(c -> store.insert(c, taken)), List.of()).get(10, TimeUnit.SECONDS);
            CountDownLatch queued = new CountDownLatch(1);
            Call before = ringing();
            Call after = ringing();
            List<String> told = new CopyOnWriteArrayList<>();
            CompletableFuture<Void> a = log.submit(List.of(heldUntil(queued, store, before)), List.of(() -> told.add("before")));
            CompletableFuture<Void> bad = log.submit(List.of(c -> store.insert(c, taken)), List.of(() -> told.add("bad")));
            CompletableFuture<Void> b = log.submit(List.of(c -> store.insert(c, after)), List.of(() -> told.add("after")));
            queued.countDown();
            a.get(10, TimeUnit.SECONDS);
            b.get(10, TimeUnit.SECONDS);
            ExecutionException failed = assertThrows(ExecutionException.class, () -> bad.get(10, TimeUnit.SECONDS));
            assertTrue(failed.getCause().getMessage().contains("calls store"), failed.getCause().getMessage());
            assertTrue(store.find(before.id()).isPresent());
            assertTrue(store.find(after.id()).isPresent());
            assertEquals(List.of("before", "bad", "after"), told, "a failed step still tells: the calls in memory moved on");
        } finally {
            log.close();
        }
    }

    @Test
    void closingWritesWhatIsQueuedAndLaterStepsAreWrittenAtOnce() throws Exception {
        CallStore store = new CallStore(postgres.getPostgresDatabase());
        CallLog log = new CallLog(store, true);
        CountDownLatch queued = new CountDownLatch(1);
        List<Call> calls = new ArrayList<>();
        for (int i = 0; i < 20; i++) calls.add(ringing());
        log.submit(List.of(heldUntil(queued, store, calls.get(0))), List.of());
        for (Call call : calls.subList(1, calls.size())) log.submit(List.of(c -> store.insert(c, call)), List.of());
        Thread release = new Thread(() -> {
            sleep(200);
            queued.countDown();
        });
        release.start();
        log.close();
        for (Call c : calls) assertTrue(store.find(c.id()).isPresent(), "written before close returned: " + c.id());
        assertFalse(threadAlive("switchboard-calls-log"), "the log's thread has ended");

        Call late = ringing();
        CompletableFuture<Void> f = log.submit(List.of(c -> store.insert(c, late)), List.of());
        assertTrue(f.isDone(), "after close a step is written on the caller's thread");
        assertTrue(store.find(late.id()).isPresent());
    }

    /** Inserts {@code call} once {@code latch} is released: holds the log's thread while others queue. */
    private static CallLog.Write heldUntil(CountDownLatch latch, CallStore store, Call call) {
        return c -> {
            await(latch);
            store.insert(c, call);
        };
    }

    private static boolean threadAlive(String name) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name) && t.isAlive());
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) throw new IllegalStateException("never released");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A data source that counts the connections taken from it: one per transaction of the log. */
    private record Counted(DataSource db, AtomicInteger connections) {}

    private static Counted counting(DataSource db) {
        AtomicInteger connections = new AtomicInteger();
        DataSource proxy = (DataSource) Proxy.newProxyInstance(CallLogTest.class.getClassLoader(),
                new Class<?>[] {DataSource.class}, (p, method, args) -> {
                    if (method.getName().equals("getConnection")) connections.incrementAndGet();
                    try {
                        return method.invoke(db, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        return new Counted(proxy, connections);
    }
}
