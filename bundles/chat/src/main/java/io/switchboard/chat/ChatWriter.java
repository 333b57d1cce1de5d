package io.switchboard.chat;

import io.switchboard.sdk.api.ApiException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that changes chat data. Positions in the chat log are handed out here, so they
 * become visible in commit order, and a device resuming from a position misses nothing. Sends that
 * queue up together are written in one transaction with one multi-row insert (group commit); every
 * other change is a transaction of its own. After a commit the changes are installed in memory and
 * delivered, in position order.
 */
final class ChatWriter {
    private static final Logger LOG = LoggerFactory.getLogger(ChatWriter.class);
    private static final int MAX_BATCH = 512;
    private static final int MAX_QUEUE = 50_000;
    /** How long a send waits for company when sends are arriving together (not when they come one by one). */
    private static final long LINGER_NANOS = 1_000_000;
    /** How long a change may take, queue included, before a client waiting for it hears {@code busy}. */
    private static final long TIMEOUT_SECONDS = 30;

    /** A change. It must throw {@link ApiException} (a refusal) before writing anything. */
    interface Task {
        void run(Tx tx) throws SQLException;
    }

    /** A send: batched with the sends queued beside it. */
    interface SendTask extends Task {
        ChatStore.SendKey key();
    }

    /** What a transaction collects: positions, rows to insert together, work to do after commit. */
    final class Tx {
        final Connection connection;
        private long position;
        private final List<Runnable> afterCommit = new ArrayList<>();
        private final List<Runnable> deliveries = new ArrayList<>();
        final List<MessageRow> newMessages = new ArrayList<>();
        final List<String[]> newMediaLinks = new ArrayList<>();
        final Map<ChatStore.SendKey, MessageRow> sent = new HashMap<>();
        final Map<String, Long> seqs = new HashMap<>();

        Tx(Connection connection, long position) {
            this.connection = connection;
            this.position = position;
        }

        long nextPosition() { return ++position; }

        /** The next seq of a conversation, counting the sends of this transaction. */
        long nextSeq(String conversationId) throws SQLException {
            Long last = seqs.get(conversationId);
            if (last == null) {
                last = lastSeqs.get(conversationId);
                if (last == null) last = store.lastSeq(connection, conversationId);
            }
            seqs.put(conversationId, last + 1);
            return last + 1;
        }

        /** The conversation's last seq as this transaction sees it. */
        long lastSeq(String conversationId) throws SQLException {
            Long last = seqs.get(conversationId);
            if (last != null) return last;
            last = lastSeqs.get(conversationId);
            return last != null ? last : store.lastSeq(connection, conversationId);
        }

        void afterCommit(Runnable r) { afterCommit.add(r); }

        /** Delivery to devices: after commit, in order, on the delivery thread. */
        void deliver(Runnable r) { deliveries.add(r); }
    }

    private record Pending(Task task, CompletableFuture<Void> done) {}

    /** Wakes the writer to notice it should stop; it touches no database. */
    private static final Pending WAKE_UP = new Pending(tx -> { }, new CompletableFuture<>());

    private final ChatStore store;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>(MAX_QUEUE);
    /** Last seq per conversation, as committed; only the writer thread touches it. */
    private final Map<String, Long> lastSeqs = new HashMap<>();
    private final Thread thread;
    /** Pushes committed changes to sockets in commit order while the writer goes on with the next batch. */
    private final ExecutorService delivery = daemon("switchboard-chat-delivery");
    /**
     * Completes the sends that did not wait for their commit ({@link #submitAsync}), in commit order,
     * beside the delivery thread: their answers are written to sockets here, not on the writer or
     * the delivery thread.
     */
    private final ExecutorService completions = daemon("switchboard-chat-completions");
    private long position;
    private int lastBatchSize;
    private Pending carried;
    private volatile long committed;
    private volatile boolean running = true;

    private static ExecutorService daemon(String name) {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    ChatWriter(ChatStore store, long position) {
        this.store = store;
        this.position = position;
        this.committed = position;
        this.thread = new Thread(this::loop, "switchboard-chat-writer");
        thread.setDaemon(true);
        thread.start();
    }

    /** The highest committed position. */
    long head() { return committed; }

    CompletableFuture<Void> submit(Task task) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!running) {
            done.completeExceptionally(unavailable());
        } else if (!queue.offer(new Pending(task, done))) {
            done.completeExceptionally(new ApiException(503, "busy", "Too many changes at once; try again."));
        }
        return done;
    }

    /** Runs the task and waits for its commit; a refusal comes back as the ApiException it threw. */
    void run(Task task) {
        try {
            submit(task).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw failure(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable();
        }
    }

    /**
     * Runs the task without waiting: the future completes after the commit on a thread of its own,
     * never the writer's, so what callers chain to it holds up neither the next batch nor the
     * deliveries. It fails as {@link #run} does; with no one waiting there is no time limit (a
     * timer per send would cost more than it saves), and every queued task is completed, by its
     * batch or by {@link #close}.
     */
    CompletableFuture<Void> submitAsync(Task task) {
        return submit(task).thenRunAsync(() -> { }, this::complete);
    }

    /** On the completions thread; once that has stopped (chat stopping), right here. */
    private void complete(Runnable r) {
        try {
            completions.execute(r);
        } catch (RejectedExecutionException e) {
            r.run();
        }
    }

    /**
     * What a failed change tells its client: the ApiException the task threw, 503 {@code busy} when it
     * took too long, else an IllegalStateException.
     */
    static RuntimeException failure(Throwable e) {
        Throwable cause = e;
        while ((cause instanceof ExecutionException || cause instanceof CompletionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof ApiException api) return api;
        if (cause instanceof TimeoutException) {
            return new ApiException(503, "busy", "The change took too long; retry it with the same ids.");
        }
        return new IllegalStateException("A chat change failed", cause);
    }

    /** Stops after the changes already queued; later ones are refused. */
    void close() {
        running = false;
        queue.offer(WAKE_UP);
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) thread.interrupt();
        for (ExecutorService after : List.of(delivery, completions)) {
            after.shutdown();
            try {
                after.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Pending p;
        while ((p = queue.poll()) != null) p.done.completeExceptionally(unavailable());
    }

    private static ApiException unavailable() {
        return new ApiException(503, "chat_unavailable", "Chat is restarting; try again.");
    }

    private void loop() {
        List<Pending> batch = new ArrayList<>();
        while (running || !queue.isEmpty() || carried != null) {
            try {
                Pending first = carried != null ? carried : queue.poll(1, TimeUnit.SECONDS);
                carried = null;
                if (first == null || first == WAKE_UP) continue;
                batch.clear();
                batch.add(first);
                if (first.task instanceof SendTask) {
                    // Group commit: take the sends already queued, and those arriving within the
                    // linger, into one transaction (one commit, one WAL flush for all of them).
                    long lingerEnd = System.nanoTime() + LINGER_NANOS;
                    while (batch.size() < MAX_BATCH) {
                        Pending next = queue.peek();
                        if (next == null) {
                            long left = lingerEnd - System.nanoTime();
                            if (left <= 0 || !(lastBatchSize > 1)) break;
                            next = queue.poll(left, TimeUnit.NANOSECONDS);
                            if (next == null) break;
                            if (!(next.task instanceof SendTask)) {
                                carried = next; // runs next, in its turn
                                break;
                            }
                            batch.add(next);
                            continue;
                        }
                        if (!(next.task instanceof SendTask)) break;
                        batch.add(queue.poll());
                    }
                }
                lastBatchSize = batch.size();
                runBatch(batch);
            } catch (InterruptedException e) {
                if (!running) break;
            } catch (RuntimeException | Error e) {
                LOG.error("The chat writer hit an unexpected error", e);
                for (Pending p : batch) p.done.completeExceptionally(e);
            }
        }
    }

    private void runBatch(List<Pending> batch) {
        Tx tx;
        List<ApiException> refusals = new ArrayList<>(batch.size());
        try (Connection c = store.connection()) {
            c.setAutoCommit(false);
            tx = new Tx(c, position);
            try {
                if (batch.size() > 1 || batch.get(0).task instanceof SendTask) {
                    List<ChatStore.SendKey> keys = new ArrayList<>(batch.size());
                    for (Pending p : batch) keys.add(((SendTask) p.task).key());
                    tx.sent.putAll(store.existing(c, keys));
                }
                for (Pending p : batch) {
                    try {
                        p.task.run(tx);
                        refusals.add(null);
                    } catch (ApiException e) {
                        refusals.add(e);
                    }
                }
                store.insertMessages(c, tx.newMessages);
                store.linkMedia(c, tx.newMediaLinks);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                rollback(c);
                throw e;
            }
        } catch (SQLException | RuntimeException e) {
            if (batch.size() > 1) {
                // Find the one that fails; the others go through on their own.
                for (Pending p : batch) runBatch(List.of(p));
            } else {
                LOG.warn("A chat change failed", e);
                batch.get(0).done.completeExceptionally(e);
            }
            return;
        }
        position = tx.position;
        lastSeqs.putAll(tx.seqs);
        committed = position;
        for (Runnable r : tx.afterCommit) r.run();
        if (!tx.deliveries.isEmpty()) {
            List<Runnable> work = tx.deliveries;
            delivery.execute(() -> {
                for (Runnable r : work) {
                    try {
                        r.run();
                    } catch (RuntimeException e) {
                        LOG.warn("Delivering a chat change failed", e);
                    }
                }
            });
        }
        for (int i = 0; i < batch.size(); i++) {
            ApiException refusal = refusals.get(i);
            if (refusal == null) batch.get(i).done.complete(null); else batch.get(i).done.completeExceptionally(refusal);
        }
    }

    private static void rollback(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            LOG.debug("Rollback failed", e);
        }
    }
}
