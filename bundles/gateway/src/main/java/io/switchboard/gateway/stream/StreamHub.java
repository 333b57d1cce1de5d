package io.switchboard.gateway.stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.gateway.Json;
import io.switchboard.sdk.auth.AccountPrincipal;
import io.switchboard.sdk.auth.TokenAuthenticator;
import io.switchboard.sdk.storage.FeatureDatabase;
import io.switchboard.sdk.stream.FrameHandler;
import io.switchboard.sdk.stream.Update;
import io.switchboard.sdk.stream.UpdatePublisher;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The live side of the stream: which devices of which account are connected, the stored updates,
 * and the client frame handlers of every feature (looked up per frame, so features come and go
 * while sockets stay open).
 */
@Component(service = {UpdatePublisher.class, StreamHub.class})
public class StreamHub implements UpdatePublisher {
    private static final int STRIPES = 256;

    private final ObjectMapper mapper = Json.newMapper();
    private final Map<String, Set<StreamConnection>> connections = new ConcurrentHashMap<>();
    private final Map<String, FrameHandler> handlers = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Void>> waiters = new ConcurrentHashMap<>();
    private final ReentrantLock[] locks = new ReentrantLock[STRIPES];
    private final UpdateStore store;
    private final ScheduledExecutorService timer;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile TokenAuthenticator authenticator;

    @Activate
    public StreamHub(@Reference(target = "(switchboard.schema=gateway)") FeatureDatabase db) {
        this.store = new UpdateStore(db.dataSource(), mapper);
        for (int i = 0; i < STRIPES; i++) locks[i] = new ReentrantLock();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "switchboard-stream-timer");
            t.setDaemon(true);
            return t;
        });
    }

    @Deactivate
    void deactivate() {
        timer.shutdownNow();
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

    ScheduledExecutorService timer() { return timer; }

    Optional<FrameHandler> handler(String type) { return Optional.ofNullable(handlers.get(type)); }

    Optional<AccountPrincipal> authenticate(String token) {
        TokenAuthenticator current = authenticator;
        return current == null ? Optional.empty() : current.authenticate(token);
    }

    boolean canAuthenticate() { return authenticator != null; }

    @Override
    public long publish(String accountId, String type, Object data) {
        String json;
        try {
            json = mapper.writeValueAsString(data);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("Update data is not writable as JSON", e);
        }
        ReentrantLock lock = lockFor(accountId);
        long cursor;
        lock.lock();
        try {
            // Store and push under the account's lock so devices see cursors in order.
            cursor = store.append(accountId, type, json);
            String frame = Frames.event(mapper, type, cursor, mapper.valueToTree(data));
            for (StreamConnection c : connectionsOf(accountId)) c.deliver(cursor, frame);
        } finally {
            lock.unlock();
        }
        CompletableFuture<Void> waiter = waiters.remove(accountId);
        if (waiter != null) waiter.complete(null);
        return cursor;
    }

    @Override
    public void publish(Collection<String> accountIds, String type, Object data) {
        for (String id : accountIds) publish(id, type, data);
    }

    @Override
    public void publishEphemeral(Collection<String> accountIds, String type, Object data) {
        String frame = Frames.event(mapper, type, null, data);
        for (String id : accountIds) {
            for (StreamConnection c : connectionsOf(id)) c.deliver(-1, frame);
        }
    }

    /** Stored updates after the cursor, oldest first. */
    public List<Update> since(String accountId, long cursor, int limit) {
        return store.since(accountId, cursor, limit);
    }

    public long latest(String accountId) {
        return store.latest(accountId);
    }

    /** Completes when the next update for the account is stored (for long polls). */
    public CompletableFuture<Void> nextUpdate(String accountId) {
        return waiters.computeIfAbsent(accountId, k -> new CompletableFuture<>());
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
