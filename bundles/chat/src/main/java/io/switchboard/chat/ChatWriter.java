package io.switchboard.chat;

import io.switchboard.sdk.api.ApiException;
import io.switchboard.sdk.concurrent.DaemonThreads;
import io.switchboard.sdk.concurrent.Draining;
import io.switchboard.sdk.concurrent.Steps;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that changes chat data. Positions in the chat log are handed out here, so they
 * become visible in commit order, and a device resuming from a position misses nothing. Sends that
 * queue up together are written in one transaction with one multi-row insert (group commit); every
 * other change is a transaction of its own. After a commit the changes are installed in memory and
 * delivered, in position order, by delivery lanes: each account's devices are served by one lane, so
 * they get their updates in order, while the lanes write to different sockets side by side.
 */
final class ChatWriter {
    private static final Logger LOG = LoggerFactory.getLogger(ChatWriter.class);
    private static final int MAX_BATCH = 512;
    private static final int MAX_QUEUE = 50_000;
    /** How long a send waits for company when sends are arriving together (not when they come one by one). */
    private static final long LINGER_NANOS = 2_000_000;
    /**
     * Sends already queued that are company enough: the writer does not linger for more. A queue this
     * long means sends are waiting already (a commit was slow, or a burst came), and a linger would
     * only add to their wait and slow the writer's catching up.
     */
    private static final int ENOUGH_COMPANY = 64;
    /**
     * At most this many sends' worth of batches a lane takes at once (see {@link Lane}): enough that a
     * socket's frames of several batches share a write, few enough that the first batch's frames do not
     * wait long for the last one's.
     */
    private static final int LANE_TAKE = 1024;
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
        private final List<Delivery> deliveries = new ArrayList<>();
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

        /**
         * Delivery to the devices of {@code audience} (account ids) after commit, in order: {@code push}
         * is called on each lane with the accounts that lane serves.
         */
        void deliver(Collection<String> audience, Consumer<Collection<String>> push) {
            deliveries.add(new Delivery(audience, push));
        }
    }

    private record Delivery(Collection<String> audience, Consumer<Collection<String>> push) {}

    /**
     * A queued change. {@code answerTo} is set when no one waits for it: the account whose lane
     * completes it (see {@link #submitAsync}).
     */
    private record Pending(Task task, CompletableFuture<Void> done, String answerTo) {}

    /** Wakes the writer to notice it should stop; it touches no database. */
    private static final Pending WAKE_UP = new Pending(tx -> { }, new CompletableFuture<>(), null);

    private final ChatStore store;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>(MAX_QUEUE);
    /** Last seq per conversation, as committed; only the writer thread touches it. */
    private final Map<String, Long> lastSeqs = new HashMap<>();
    private final Thread thread;
    /**
     * Push committed changes to sockets in commit order while the writer goes on with the next batch,
     * and then complete the batch's sends that did not wait for their commit ({@link #submitAsync}).
     * An account belongs to one lane ({@link #lane}): all its frames, answers included, are written
     * by that lane's thread, so they stay in order and two threads never contend for one socket.
     */
    private final Lane[] lanes;
    private final Consumer<Runnable> together;
    private long position;
    private int lastBatchSize;
    private volatile long committed;
    private volatile boolean running = true;

    /** One lane per core, at least two (the writer's batches keep coming while they deliver), at most eight. */
    static int defaultLanes() {
        return Math.max(2, Math.min(8, Runtime.getRuntime().availableProcessors()));
    }

    /**
     * @param together runs a lane's share of a batch so that its frames to one socket may share a
     *                 write ({@link io.switchboard.sdk.stream.UpdatePublisher#together})
     */
    ChatWriter(ChatStore store, long position, Consumer<Runnable> together) {
        this(store, position, defaultLanes(), together);
    }

    ChatWriter(ChatStore store, long position, int lanes, Consumer<Runnable> together) {
        if (lanes < 1) throw new IllegalArgumentException("at least one delivery lane");
        this.store = store;
        this.together = together;
        this.lanes = new Lane[lanes];
        for (int i = 0; i < lanes; i++) this.lanes[i] = new Lane(i + 1);
        this.position = position;
        this.committed = position;
        this.thread = DaemonThreads.start("switchboard-chat-writer", this::loop);
    }

    /** The highest committed position. */
    long head() { return committed; }

    CompletableFuture<Void> submit(Task task) {
        return submit(task, null);
    }

    private CompletableFuture<Void> submit(Task task, String answerTo) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!running) {
            done.completeExceptionally(unavailable());
        } else if (!queue.offer(new Pending(task, done, answerTo))) {
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
     * Runs the task without waiting: the future completes after the commit on the delivery lane of
     * {@code answerTo} (the account whose socket is answered), after that lane's deliveries of the
     * batch, never on the writer's thread, so what callers chain to it (the socket's answer) holds up
     * no batch. What is chained must be quick: it runs before the lane's next deliveries. It fails as
     * {@link #run} does; with no one waiting there is no time limit (a timer per send would cost more
     * than it saves), and every queued task is completed, by its batch or by {@link #close}.
     */
    CompletableFuture<Void> submitAsync(Task task, String answerTo) {
        return submit(task, Objects.requireNonNull(answerTo, "answerTo"));
    }

    /** The lane of an account's devices. */
    int lane(String accountId) {
        return laneOf(accountId, lanes.length);
    }

    static int laneOf(String accountId, int lanes) {
        return lanes == 1 ? 0 : Math.floorMod(accountId.hashCode(), lanes);
    }

    /**
     * A delivery lane: one thread that runs the work the writer hands it, batch by batch, in order.
     * Batches that queued up while it was busy (the machine was, or a commit came late and the next
     * ones came at once) are taken together, up to {@link #LANE_TAKE} sends' worth, and run in one
     * {@code together}: a socket with frames in several of them gets them in one write. So the more a
     * lane falls behind, the fewer writes a message costs, and it catches up sooner.
     */
    private final class Lane {
        private final ExecutorService thread;
        private final ConcurrentLinkedQueue<Work> mailbox = new ConcurrentLinkedQueue<>();
        /** True while a drain is queued or running on the thread; only then may work wait in the mailbox. */
        private final AtomicBoolean draining = new AtomicBoolean();

        Lane(int number) {
            thread = Executors.newSingleThreadExecutor(DaemonThreads.named("switchboard-chat-delivery-" + number));
        }

        /** Runs the work after the work handed to this lane before it; once the lane has stopped (chat stopping), right here. */
        void post(Work work) {
            mailbox.add(work);
            if (!draining.compareAndSet(false, true)) return; // the running drain takes it
            try {
                thread.execute(this::drain);
            } catch (RejectedExecutionException e) {
                drain();
            }
        }

        private void drain() {
            List<Work> taken = new ArrayList<>();
            while (true) {
                taken.clear();
                int sends = 0;
                Work w;
                while (sends < LANE_TAKE && (w = mailbox.poll()) != null) {
                    taken.add(w);
                    sends += w.weight;
                }
                if (taken.isEmpty()) {
                    draining.set(false);
                    // Work posted after the poll and before the flag was cleared found the flag set.
                    if (mailbox.isEmpty() || !draining.compareAndSet(false, true)) return;
                    continue;
                }
                together.accept(() -> {
                    for (Work work : taken) Steps.runEach(work.steps, e -> LOG.warn("Delivering a chat change failed", e));
                });
            }
        }
    }

    /** A lane's share of a batch: its steps in order, and the number of sends it came from. */
    private record Work(List<Runnable> steps, int weight) {}

    /** Fails a change: on its lane when no one waits for it (see {@link #submitAsync}). */
    private void fail(Pending p, Throwable e) {
        if (p.answerTo != null) lanes[lane(p.answerTo)].post(new Work(List.of(() -> p.done.completeExceptionally(e)), 1));
        else p.done.completeExceptionally(e);
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
            return new ApiException(503, "busy", "The change took too long; retry it with the same ids.", 1L);
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
        for (Lane lane : lanes) lane.thread.shutdown(); // all lanes drain side by side
        for (Lane lane : lanes) {
            if (!Draining.stop(lane.thread, Duration.ofSeconds(10))) LOG.warn("A chat delivery lane was interrupted at shutdown");
        }
        Pending p;
        while ((p = queue.poll()) != null) p.done.completeExceptionally(unavailable());
    }

    private static ApiException unavailable() {
        return new ApiException(503, "chat_unavailable", "Chat is restarting; try again.", 1L);
    }

    private void loop() {
        List<Pending> batch = new ArrayList<>();
        while (running || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(1, TimeUnit.SECONDS);
                if (first == null || first == WAKE_UP) continue;
                batch.clear();
                batch.add(first);
                if (first.task instanceof SendTask) {
                    // Group commit: take the sends already queued, and those arriving within the
                    // linger, into one transaction (one commit, one WAL flush for all of them). The
                    // writer sleeps through the linger instead of waking for each send that comes, and
                    // skips it when enough sends are queued already.
                    if (lastBatchSize > 1 && queue.size() < ENOUGH_COMPANY - 1) LockSupport.parkNanos(LINGER_NANOS);
                    while (batch.size() < MAX_BATCH) {
                        Pending next = queue.peek(); // the writer alone takes from the queue
                        if (next == null || !(next.task instanceof SendTask)) break;
                        batch.add(queue.poll());
                    }
                }
                lastBatchSize = batch.size();
                runBatch(batch);
            } catch (InterruptedException e) {
                if (!running) break;
            } catch (RuntimeException | Error e) {
                LOG.error("The chat writer hit an unexpected error", e);
                for (Pending p : batch) fail(p, e);
            }
        }
    }

    private void runBatch(List<Pending> batch) {
        runBatch(batch, false);
    }

    /**
     * Runs a batch in one transaction. Sends are first tried as new, without reading which of them are
     * stored already: their rows go in one statement, which is its own transaction when it is all the
     * batch writes (one round trip to the database). When a client message id is taken (a retry of a
     * stored send, which is rare) that statement fails as a whole and the batch runs again knowing
     * the stored sends ({@code lookUpSent}), so a retry gets its stored message and burns no seq.
     */
    private void runBatch(List<Pending> batch, boolean lookUpSent) {
        Tx tx;
        List<ApiException> refusals = new ArrayList<>(batch.size());
        boolean sends = batch.get(0).task instanceof SendTask; // a batch of more than one is all sends
        boolean optimistic = sends && !lookUpSent;
        boolean taken = false;
        try (Connection c = store.connection()) {
            // Sends only read until their one insert; every other change writes in a transaction.
            c.setAutoCommit(optimistic);
            tx = new Tx(c, position);
            try {
                if (sends && lookUpSent) {
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
                if (optimistic && !tx.newMediaLinks.isEmpty()) c.setAutoCommit(false);
                store.insertMessages(c, tx.newMessages);
                store.linkMedia(c, tx.newMediaLinks);
                if (!c.getAutoCommit()) c.commit();
            } catch (SQLException e) {
                if (!c.getAutoCommit()) rollback(c);
                if (!optimistic || !ChatStore.isUniqueViolation(e)) throw e;
                taken = true;
            } catch (RuntimeException e) {
                if (!c.getAutoCommit()) rollback(c);
                throw e;
            }
        } catch (SQLException | RuntimeException e) {
            if (batch.size() > 1) {
                // Find the one that fails; the others go through on their own.
                for (Pending p : batch) runBatch(List.of(p), true);
            } else {
                LOG.warn("A chat change failed", e);
                fail(batch.get(0), e);
            }
            return;
        }
        if (taken) {
            runBatch(batch, true);
            return;
        }
        position = tx.position;
        lastSeqs.putAll(tx.seqs);
        committed = position;
        for (Runnable r : tx.afterCommit) r.run();
        List<List<Runnable>> work = new ArrayList<>(lanes.length);
        for (int i = 0; i < lanes.length; i++) work.add(new ArrayList<>());
        for (Delivery d : tx.deliveries) split(d, work);
        for (int i = 0; i < batch.size(); i++) {
            Pending p = batch.get(i);
            ApiException refusal = refusals.get(i);
            if (p.answerTo != null) {
                work.get(lane(p.answerTo)).add(() -> finish(p, refusal));
            } else {
                finish(p, refusal);
            }
        }
        for (int i = 0; i < lanes.length; i++) {
            List<Runnable> mine = work.get(i);
            if (!mine.isEmpty()) lanes[i].post(new Work(mine, batch.size()));
        }
    }

    /** Hands each lane the push of a delivery to the accounts it serves, in order behind its earlier ones. */
    private void split(Delivery d, List<List<Runnable>> work) {
        if (lanes.length == 1) {
            work.get(0).add(() -> d.push.accept(d.audience));
            return;
        }
        List<List<String>> parts = new ArrayList<>(lanes.length);
        for (int i = 0; i < lanes.length; i++) parts.add(null);
        for (String account : d.audience) {
            int lane = lane(account);
            List<String> part = parts.get(lane);
            if (part == null) parts.set(lane, part = new ArrayList<>());
            part.add(account);
        }
        for (int i = 0; i < lanes.length; i++) {
            List<String> part = parts.get(i);
            if (part != null) work.get(i).add(() -> d.push.accept(part));
        }
    }

    private static void finish(Pending p, ApiException refusal) {
        if (refusal == null) p.done.complete(null); else p.done.completeExceptionally(refusal);
    }

    private static void rollback(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            LOG.debug("Rollback failed", e);
        }
    }
}
