package io.switchboard.gateway.rest;

import com.fasterxml.jackson.databind.util.RawValue;
import io.switchboard.gateway.stream.Cursor;
import io.switchboard.gateway.stream.StreamHub;
import io.switchboard.sdk.api.ApiException;
import io.switchboard.sdk.auth.AccountPrincipal;
import io.switchboard.sdk.auth.Caller;
import io.switchboard.sdk.concurrent.DaemonThreads;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/v1/updates?since=&timeout=}: the stream without WebSocket, by long poll. A waiting
 * poll holds no thread: it is suspended until an update for its account arrives (then the backlog is
 * read on a thread of this resource) or its timeout passes.
 */
@Component(service = UpdatesResource.class)
@JakartarsResource
@Path("/api/v1/updates")
@Produces(MediaType.APPLICATION_JSON)
public class UpdatesResource {
    private static final Logger LOG = LoggerFactory.getLogger(UpdatesResource.class);
    private static final int PAGE = 100;
    private static final int MAX_TIMEOUT = 60;

    private final StreamHub hub;
    /** Reads the backlog of a poll woken by an update (never on the thread that published it). */
    private final ExecutorService readers;
    /** The polls waiting now: answered with what they have when the bundle stops. */
    private final Set<Poll> waiting = ConcurrentHashMap.newKeySet();

    @Activate
    public UpdatesResource(@Reference StreamHub hub) {
        this.hub = hub;
        ThreadPoolExecutor pool = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                DaemonThreads.named("switchboard-updates-poll"));
        pool.allowCoreThreadTimeOut(true);
        this.readers = pool;
    }

    @Deactivate
    void deactivate() {
        for (Poll p : waiting) p.finish();
        readers.shutdownNow();
    }

    @GET
    public void poll(@QueryParam("since") String since, @QueryParam("timeout") String timeout,
                     @Context SecurityContext security, @Suspended AsyncResponse response) {
        try {
            AccountPrincipal caller = Caller.require(security);
            Cursor from = parseCursor(since);
            int wait = parseTimeout(timeout);
            if (from == null) {
                // No cursor yet: where every source is now, for the next call.
                response.resume(Map.of("updates", List.of(), "cursor", hub.head(caller.accountId()).toString()));
                return;
            }
            response.setTimeout(wait + 10L, TimeUnit.SECONDS); // the poll answers first, at its deadline
            new Poll(caller.accountId(), from, System.nanoTime() + TimeUnit.SECONDS.toNanos(wait), response).attempt();
        } catch (RuntimeException e) {
            response.resume(e);
        }
    }

    /** One waiting poll: answered once, with updates as soon as there are any, or empty at its deadline. */
    private final class Poll {
        private final String accountId;
        private final Cursor from;
        private final long deadline;
        private final AsyncResponse response;
        private final AtomicBoolean answered = new AtomicBoolean();
        /** Set once, by the first attempt that waits; read by whichever thread answers. */
        private volatile ScheduledFuture<?> timeout;

        Poll(String accountId, Cursor from, long deadline, AsyncResponse response) {
            this.accountId = accountId;
            this.from = from;
            this.deadline = deadline;
            this.response = response;
        }

        void attempt() {
            if (answered.get()) return;
            // The waiter is taken before reading, so an update that lands in between still wakes us.
            CompletableFuture<Void> next = hub.nextUpdate(accountId);
            List<Map<String, Object>> out = new ArrayList<>();
            Cursor last;
            try {
                last = hub.backlog(accountId, from, PAGE, (type, after, data) -> {
                    Map<String, Object> frame = new LinkedHashMap<>();
                    frame.put("type", type);
                    frame.put("cursor", after.toString());
                    // JSON as stored (or written once here): passed through as it is, not parsed again.
                    frame.put("data", new RawValue(hub.dataText(data)));
                    out.add(frame);
                });
            } catch (RuntimeException e) {
                answer(new ApiException(503, "updates_unavailable", "Updates cannot be read right now; retry with the same cursor."));
                return;
            }
            long left = deadline - System.nanoTime();
            if (!out.isEmpty() || left <= 0) {
                answer(Map.of("updates", out, "cursor", last.toString()));
                return;
            }
            waiting.add(this);
            if (timeout == null) {
                try {
                    timeout = hub.timer().schedule(this::finish, left, TimeUnit.NANOSECONDS);
                } catch (RejectedExecutionException e) {
                    finish(); // stopping
                    return;
                }
            }
            next.thenRunAsync(this::attempt, readers).exceptionally(e -> {
                finish(); // stopping: the readers are gone
                return null;
            });
        }

        /** Nothing new (yet): the same cursor back. */
        void finish() {
            answer(Map.of("updates", List.of(), "cursor", from.toString()));
        }

        private void answer(Object result) {
            if (!answered.compareAndSet(false, true)) return;
            waiting.remove(this);
            ScheduledFuture<?> t = timeout;
            if (t != null) t.cancel(false); // one set after this runs fires into an answered poll, harmlessly
            try {
                response.resume(result);
            } catch (RuntimeException e) {
                LOG.debug("A long poll could not be answered", e);
            }
        }
    }

    /** Null when absent. */
    static Cursor parseCursor(String since) {
        if (since == null || since.isEmpty()) return null;
        try {
            return Cursor.parse(since);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid_cursor", e.getMessage());
        }
    }

    static int parseTimeout(String timeout) {
        if (timeout == null || timeout.isEmpty()) return 30;
        if (timeout.length() > 3 || !timeout.chars().allMatch(Character::isDigit)) {
            throw ApiException.badRequest("invalid_timeout", "'timeout' is a number of seconds from 0 to " + MAX_TIMEOUT + ".");
        }
        int t = Integer.parseInt(timeout);
        if (t > MAX_TIMEOUT) {
            throw ApiException.badRequest("invalid_timeout", "'timeout' is a number of seconds from 0 to " + MAX_TIMEOUT + ".");
        }
        return t;
    }
}
