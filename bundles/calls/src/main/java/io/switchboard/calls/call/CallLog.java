package io.switchboard.calls.call;

import io.switchboard.sdk.concurrent.DaemonThreads;
import io.switchboard.sdk.concurrent.Steps;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The calls' writes, off the lock of {@link CallService}. A step decides under that lock and hands its
 * writes here with what it tells others (events, the legs); one thread commits the writes in the order
 * the steps took them, those that queued up together in one transaction (one flush to disk for many
 * calls), and only then hands on what the steps tell, in the same order. So a step's events never go
 * out before the step is stored, and no call's round trip to PostgreSQL holds up another call's step.
 *
 * <p>A write that fails is logged and its step's future fails; its events still go out, because the
 * calls in memory have already moved and the other side must hear of it. {@link #close} commits what
 * is queued before it returns.
 */
final class CallLog {
    private static final Logger LOG = LoggerFactory.getLogger(CallLog.class);
    /** Steps written in one transaction at most. */
    private static final int MAX_BATCH = 256;

    /** One statement of a step, on the log's connection inside its transaction. */
    interface Write {
        void apply(Connection connection) throws SQLException;
    }

    /** A step's writes and what it hands on after their commit (each a quick hand-off to an executor). */
    private record Entry(List<Write> writes, List<Runnable> after, CompletableFuture<Void> stored) {}

    private static final Entry STOP = new Entry(List.of(), List.of(), new CompletableFuture<>());

    private final CallStore store;
    private final BlockingQueue<Entry> queue = new LinkedBlockingQueue<>();
    /** Null when the log writes on the caller's thread (tests that step calls one by one). */
    private final Thread thread;
    /** Guards {@link #open}: a step is queued before the stop or written by its own thread after it. */
    private final Object gate = new Object();
    private boolean open = true;

    /** @param ownThread false: each step is written on the thread that hands it over, before that returns */
    CallLog(CallStore store, boolean ownThread) {
        this.store = store;
        if (ownThread) {
            thread = DaemonThreads.start("switchboard-calls-log", this::loop);
        } else {
            thread = null;
        }
    }

    /**
     * Queues a step; the future completes when its writes are committed and its {@code after} handed
     * on. A step without writes still waits for the steps before it, so that what it tells keeps their
     * order.
     */
    CompletableFuture<Void> submit(List<Write> writes, List<Runnable> after) {
        Entry e = new Entry(List.copyOf(writes), List.copyOf(after), new CompletableFuture<>());
        if (thread != null) {
            synchronized (gate) {
                if (open) {
                    queue.add(e);
                    return e.stored;
                }
            }
            // Stopping: written here, after what was queued before the stop.
            awaitThread();
        }
        synchronized (this) {
            run(List.of(e));
        }
        return e.stored;
    }

    /** Writes what is queued, then stops the thread. */
    void close() {
        if (thread == null) return;
        synchronized (gate) {
            if (!open) return;
            open = false;
            queue.add(STOP);
        }
        awaitThread();
        if (thread.isAlive()) {
            LOG.warn("The calls' log did not finish its queue in 30 s; {} step(s) left unwritten", queue.size());
            thread.interrupt();
        }
    }

    private void awaitThread() {
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void loop() {
        List<Entry> batch = new ArrayList<>();
        while (true) {
            try {
                Entry first = queue.take();
                boolean stop = first == STOP;
                batch.clear();
                if (!stop) batch.add(first);
                while (!stop && batch.size() < MAX_BATCH) {
                    Entry next = queue.poll();
                    if (next == null) break;
                    if (next == STOP) stop = true; else batch.add(next);
                }
                if (!batch.isEmpty()) {
                    synchronized (this) {
                        run(batch);
                    }
                }
                if (stop) return;
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException | Error e) {
                LOG.error("The calls' log hit an unexpected error", e);
                for (Entry entry : batch) entry.stored.completeExceptionally(e);
            }
        }
    }

    /** Writes a batch in one transaction; when it fails, each step on its own, so one bad write fails one step. */
    private void run(List<Entry> batch) {
        SQLException failure = write(batch);
        if (failure != null && batch.size() > 1) {
            LOG.info("A transaction of {} call steps failed; writing them one by one: {}", batch.size(), failure.toString());
            for (Entry e : batch) run(List.of(e));
            return;
        }
        for (Entry e : batch) {
            Steps.runEach(e.after, ex -> LOG.warn("Handing on a call's step failed", ex));
            if (failure == null) {
                e.stored.complete(null);
            } else {
                LOG.error("A call's step could not be stored", failure);
                e.stored.completeExceptionally(new IllegalStateException("calls store: " + failure.getMessage(), failure));
            }
        }
    }

    /** Null when committed. */
    private SQLException write(List<Entry> batch) {
        int writes = 0;
        for (Entry e : batch) writes += e.writes.size();
        if (writes == 0) return null;
        try (Connection c = store.connection()) {
            c.setAutoCommit(writes == 1);
            try {
                for (Entry e : batch) {
                    for (Write w : e.writes) w.apply(c);
                }
                if (!c.getAutoCommit()) c.commit();
                return null;
            } catch (SQLException | RuntimeException e) {
                if (!c.getAutoCommit()) {
                    try {
                        c.rollback();
                    } catch (SQLException rollback) {
                        e.addSuppressed(rollback);
                    }
                }
                throw e;
            }
        } catch (SQLException e) {
            return e;
        } catch (RuntimeException e) {
            return new SQLException(e.getMessage(), e);
        }
    }
}
