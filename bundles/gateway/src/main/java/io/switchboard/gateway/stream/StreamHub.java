package io.switchboard.gateway.stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.gateway.Json;
import io.switchboard.sdk.auth.AccountPrincipal;
import io.switchboard.sdk.auth.TokenAuthenticator;
import io.switchboard.sdk.concurrent.DaemonThreads;
import io.switchboard.sdk.concurrent.Draining;
import io.switchboard.sdk.storage.FeatureDatabase;
import io.switchboard.sdk.stream.FrameHandler;
import io.switchboard.sdk.stream.SourceUpdate;
import io.switchboard.sdk.stream.UpdatePublisher;
import io.switchboard.sdk.stream.UpdateSource;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live side of the stream: which devices of which account are connected, the stored updates,
 * and the client frame handlers of every feature (looked up per frame, so features come and go
 * while sockets stay open).
 */
@Component(service = {UpdatePublisher.class, StreamHub.class})
public class StreamHub implements UpdatePublisher {
    private static final Logger LOG = LoggerFactory.getLogger(StreamHub.class);
    private static final int STRIPES = 256;
    private static final int PAGE = 500;
    /** Threads for the frames that may block (auth, handlers that are not {@code nonBlocking}). */
    private static final int FRAME_THREADS = 32;
    private static final String FRAME_THREAD_NAME = "switchboard-stream-frames";

    private final ObjectMapper mapper = Json.newMapper();
    private final Map<String, Set<StreamConnection>> connections = new ConcurrentHashMap<>();
    private final Map<String, FrameHandler> handlers = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Void>> waiters = new ConcurrentHashMap<>();
    private final Map<String, UpdateSource> sources = new ConcurrentHashMap<>();
    private final ReentrantLock[] locks = new ReentrantLock[STRIPES];
    private final UpdateStore store;
    private final ScheduledExecutorService timer;
    private final ThreadPoolExecutor frames;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile TokenAuthenticator authenticator;

    @Activate
    public StreamHub(@Reference(target = "(switchboard.schema=gateway)") FeatureDatabase db) {
        this.store = new UpdateStore(db.dataSource());
        for (int i = 0; i < STRIPES; i++) locks[i] = new ReentrantLock();
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, DaemonThreads.named("switchboard-stream-timer"));
        // A socket that authenticates cancels its deadline; drop the task then, not 10 s later.
        t.setRemoveOnCancelPolicy(true);
        this.timer = t;
        this.frames = new ThreadPoolExecutor(FRAME_THREADS, FRAME_THREADS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), DaemonThreads.numbered(FRAME_THREAD_NAME));
        frames.allowCoreThreadTimeOut(true); // none while no socket sends such frames
    }

    @Deactivate
    void deactivate() {
        timer.shutdownNow();
        // a frame under way finishes; its socket is closed below
        if (!Draining.stop(frames, Duration.ofSeconds(5))) {
            LOG.warn("Stream frames were still being handled 5 s after the gateway stopped");
        }
        connections.values().forEach(set -> set.forEach(c -> c.close(1001, "server going away")));
        connections.clear();
        waiters.values().forEach(w -> w.complete(null));
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addHandler(FrameHandler handler, Map<String, Object> props) {
        Object type = props.get(FrameHandler.FRAME_TYPE);
        if (type instanceof String t && !t.isBlank()) handlers.put(t, handler);
    }

    void removeHandler(FrameHandler handler, Map<String, Object> props) {
        Object type = props.get(FrameHandler.FRAME_TYPE);
        if (type instanceof String t) handlers.remove(t, handler);
    }

    ObjectMapper mapper() { return mapper; }

    /**
     * Where a socket's frames that may block are handled (the socket reads on a thread that must not
     * block); stopped with the hub.
     */
    ExecutorService frames() { return frames; }

    /** The gateway's timer (auth deadlines, long-poll deadlines); stopped with the hub. */
    public ScheduledExecutorService timer() { return timer; }

    Optional<FrameHandler> handler(String type) { return Optional.ofNullable(handlers.get(type)); }

    Optional<AccountPrincipal> authenticate(String token) {
        TokenAuthenticator current = authenticator;
        return current == null ? Optional.empty() : current.authenticate(token);
    }

    boolean canAuthenticate() { return authenticator != null; }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addSource(UpdateSource source, Map<String, Object> props) {
        Object name = props.get(UpdateSource.NAME);
        if (name instanceof String n && Cursor.SOURCE_NAME.matcher(n).matches() && !Cursor.ACCOUNT_SOURCE.equals(n)) {
            sources.put(n, source);
        } else {
            LOG.warn("An update source without a valid '{}' property is ignored: {}", UpdateSource.NAME, name);
        }
    }

    void removeSource(UpdateSource source, Map<String, Object> props) {
        Object name = props.get(UpdateSource.NAME);
        if (name instanceof String n) sources.remove(n, source);
    }

    @Override
    public long publish(String accountId, String type, Object data) {
        String json = toJson(data);
        ReentrantLock lock = lockFor(accountId);
        long cursor;
        lock.lock();
        try {
            // Store and push under the account's lock so devices see cursors in order.
            cursor = store.append(accountId, type, json);
            byte[] utf8 = null;
            for (StreamConnection c : connectionsOf(accountId)) {
                if (utf8 == null) utf8 = Frames.utf8(json);
                c.deliver(Cursor.ACCOUNT_SOURCE, cursor, type, utf8);
            }
        } finally {
            lock.unlock();
        }
        wake(accountId);
        return cursor;
    }

    @Override
    public void publish(Collection<String> accountIds, String type, Object data) {
        for (String id : accountIds) publish(id, type, data);
    }

    @Override
    public void deliver(String source, long position, Collection<String> accountIds, String type, Object data) {
        byte[] utf8 = Frames.data(mapper, data); // once for every device it goes to
        for (String id : accountIds) {
            for (StreamConnection c : connectionsOf(id)) c.deliver(source, position, type, utf8);
            wake(id);
        }
    }

    /** The sockets whose frames {@link #together} holds on this thread; null outside it. */
    private final ThreadLocal<Set<StreamConnection>> held = new ThreadLocal<>();

    @Override
    public void together(Runnable work) {
        if (held.get() != null) {
            work.run();
            return;
        }
        Set<StreamConnection> touched = Collections.newSetFromMap(new IdentityHashMap<>());
        held.set(touched);
        try {
            work.run();
        } finally {
            held.remove();
            for (StreamConnection c : touched) c.release();
        }
    }

    /** True, and the socket remembered for its release, when its frames wait for the end of {@link #together}. */
    boolean holding(StreamConnection connection) {
        Set<StreamConnection> touched = held.get();
        if (touched == null) return false;
        touched.add(connection);
        return true;
    }

    @Override
    public void publishEphemeral(Collection<String> accountIds, String type, Object data) {
        byte[] frame = Frames.event(mapper, type, data);
        for (String id : accountIds) {
            for (StreamConnection c : connectionsOf(id)) c.deliverEphemeral(frame);
        }
    }

    /**
     * Receives stored updates in order, each with the cursor a device has after it. The data is as
     * its source gave it: JSON already written ({@link io.switchboard.sdk.stream.Json}) or an object
     * to write; {@link #dataText} writes it as text.
     */
    public interface BacklogSink {
        void accept(String type, Cursor after, Object data);
    }

    /** Update data as JSON text; data already written as it is. */
    public String dataText(Object data) {
        return Frames.dataText(mapper, data);
    }

    /** Where every source is now, for a device that starts without {@code since}. */
    public Cursor head(String accountId) {
        Cursor c = Cursor.START.with(Cursor.ACCOUNT_SOURCE, store.latest(accountId));
        for (Map.Entry<String, UpdateSource> e : sources.entrySet()) {
            try {
                c = c.with(e.getKey(), e.getValue().head());
            } catch (RuntimeException ex) {
                LOG.warn("Update source '{}' failed to tell its head", e.getKey(), ex);
            }
        }
        return c;
    }

    /**
     * Sends the stored updates after {@code from}, source by source, each in its order, at most
     * {@code max} in all; fewer than {@code max} means there are no more. Returns the cursor after
     * the last update sent. A source that fails throws, and the caller lets the client retry from
     * its cursor.
     */
    public Cursor backlog(String accountId, Cursor from, int max, BacklogSink sink) {
        Map<String, Log> logs = new LinkedHashMap<>();
        logs.put(Cursor.ACCOUNT_SOURCE, store::since); // the account's own updates first, then the features'
        new TreeMap<>(sources).forEach((name, source) -> logs.put(name, source::since));
        Cursor at = from;
        int sent = 0;
        for (Map.Entry<String, Log> e : logs.entrySet()) {
            String name = e.getKey();
            while (sent < max) {
                int page = Math.min(PAGE, max - sent);
                List<SourceUpdate> updates = e.getValue().since(accountId, at.get(name), page);
                for (SourceUpdate u : updates) {
                    at = at.with(name, u.position());
                    sink.accept(u.type(), at, u.data());
                }
                sent += updates.size();
                if (updates.size() < page) break;
            }
        }
        return at;
    }

    /** A log of updates read page by page: the account's own, or a feature's {@link UpdateSource}. */
    private interface Log {
        List<SourceUpdate> since(String accountId, long after, int limit);
    }

    /** Completes when the next update for the account arrives (for long polls). */
    public CompletableFuture<Void> nextUpdate(String accountId) {
        return waiters.computeIfAbsent(accountId, k -> new CompletableFuture<>());
    }

    private void wake(String accountId) {
        if (waiters.isEmpty()) return;
        CompletableFuture<Void> waiter = waiters.remove(accountId);
        if (waiter != null) waiter.complete(null);
    }

    @Override
    public io.switchboard.sdk.stream.Json json(Object data) {
        return new io.switchboard.sdk.stream.Json(toJson(data));
    }

    private String toJson(Object data) {
        return Frames.dataText(mapper, data);
    }

    void subscribe(StreamConnection connection) {
        connections.computeIfAbsent(connection.principal().accountId(), k -> ConcurrentHashMap.newKeySet())
                .add(connection);
    }

    void unsubscribe(StreamConnection connection) {
        AccountPrincipal p = connection.principal();
        if (p == null) return;
        connections.computeIfPresent(p.accountId(), (k, set) -> {
            set.remove(connection);
            return set.isEmpty() ? null : set;
        });
    }

    @Override
    public boolean connected(String accountId) {
        return !connectionsOf(accountId).isEmpty() || waiters.containsKey(accountId);
    }

    /** Number of open authenticated sockets (health and tests). */
    public int connectionCount() {
        return connections.values().stream().mapToInt(Set::size).sum();
    }

    private Set<StreamConnection> connectionsOf(String accountId) {
        Set<StreamConnection> set = connections.get(accountId);
        return set == null ? Set.of() : set;
    }

    private ReentrantLock lockFor(String accountId) {
        return locks[Math.floorMod(accountId.hashCode(), STRIPES)];
    }

    long authDeadlineMillis() { return TimeUnit.SECONDS.toMillis(10); }
}
