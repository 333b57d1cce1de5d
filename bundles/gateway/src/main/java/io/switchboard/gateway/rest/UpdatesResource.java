package io.switchboard.gateway.rest;

import io.switchboard.gateway.stream.StreamHub;
import io.switchboard.sdk.api.ApiException;
import io.switchboard.sdk.auth.AccountPrincipal;
import io.switchboard.sdk.auth.Caller;
import io.switchboard.sdk.stream.Update;
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

    private final StreamHub hub;

    @Activate
    public UpdatesResource(@Reference StreamHub hub) {
        this.hub = hub;
    }

    @GET
    public Map<String, Object> poll(@QueryParam("since") String since, @QueryParam("timeout") String timeout,
                                    @Context SecurityContext security) {
        AccountPrincipal caller = Caller.require(security);
        long cursor = parseCursor(since);
        int wait = parseTimeout(timeout);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(wait);
        List<Update> updates = hub.since(caller.accountId(), cursor, PAGE);
        while (updates.isEmpty()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) break;
            try {
                hub.nextUpdate(caller.accountId()).get(left, TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                break;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException e) {
                break;
            }
            updates = hub.since(caller.accountId(), cursor, PAGE);
        }
        List<Map<String, Object>> out = new ArrayList<>(updates.size());
        long last = cursor;
        for (Update u : updates) {
            Map<String, Object> frame = new LinkedHashMap<>();
            frame.put("type", u.type());
            frame.put("cursor", Long.toString(u.cursor()));
            frame.put("data", u.data());
            out.add(frame);
            last = u.cursor();
        }
        return Map.of("updates", out, "cursor", Long.toString(last));
    }

    static long parseCursor(String since) {
        if (since == null || since.isEmpty()) return 0;
        if (since.length() > 19 || !since.chars().allMatch(Character::isDigit)) {
            throw ApiException.badRequest("invalid_cursor", "'since' must be a cursor received from this server.");
        }
        return Long.parseLong(since);
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
