package io.switchboard.gateway.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.gateway.Json;
import io.switchboard.gateway.stream.Cursor;
import io.switchboard.gateway.stream.StreamHub;
import io.switchboard.sdk.api.ApiException;
import io.switchboard.sdk.auth.AccountPrincipal;
import io.switchboard.sdk.auth.Caller;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsResource;

/** {@code GET /api/v1/updates?since=&timeout=}: the stream without WebSocket, by long poll. */
@Component(service = UpdatesResource.class)
@JakartarsResource
@Path("/api/v1/updates")
@Produces(MediaType.APPLICATION_JSON)
public class UpdatesResource {
    private static final int PAGE = 100;
    private static final int MAX_TIMEOUT = 60;

    private static final ObjectMapper MAPPER = Json.newMapper();
    private final StreamHub hub;

    @Activate
    public UpdatesResource(@Reference StreamHub hub) {
        this.hub = hub;
    }

    @GET
    public Map<String, Object> poll(@QueryParam("since") String since, @QueryParam("timeout") String timeout,
                                    @Context SecurityContext security) {
        AccountPrincipal caller = Caller.require(security);
        Cursor from = parseCursor(since);
        int wait = parseTimeout(timeout);
        if (from == null) {
            // No cursor yet: where every source is now, for the next call.
            return Map.of("updates", List.of(), "cursor", hub.head(caller.accountId()).toString());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(wait);
        List<Map<String, Object>> out = new ArrayList<>();
        Cursor last = from;
        while (true) {
            // The waiter is taken before reading, so an update that lands in between still wakes us.
            CompletableFuture<Void> next = hub.nextUpdate(caller.accountId());
            try {
                last = hub.backlog(caller.accountId(), from, PAGE, (type, after, data) -> {
                    Map<String, Object> frame = new LinkedHashMap<>();
                    frame.put("type", type);
                    frame.put("cursor", after.toString());
                    frame.put("data", readTree(data));
                    out.add(frame);
                });
            } catch (RuntimeException e) {
                throw new ApiException(503, "updates_unavailable", "Updates cannot be read right now; retry with the same cursor.");
            }
            long left = deadline - System.nanoTime();
            if (!out.isEmpty() || left <= 0) break;
            try {
                next.get(left, TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                break;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return Map.of("updates", out, "cursor", last.toString());
    }

    private static JsonNode readTree(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("A stored update is not JSON", e);
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
