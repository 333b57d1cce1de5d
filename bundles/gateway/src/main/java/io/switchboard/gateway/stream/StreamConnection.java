package io.switchboard.gateway.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.sdk.api.ApiException;
import io.switchboard.sdk.auth.AccountPrincipal;
import io.switchboard.sdk.stream.FrameHandler;
import io.switchboard.sdk.stream.StreamSession;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One device's socket. Before {@code auth} only {@code auth} is accepted. After it the backlog since
 * the client's cursor is sent, then live updates; a cursor already sent is never sent twice.
 * Outgoing frames are queued and written one at a time without blocking publishers.
 *
 * <p>Incoming frames are handled one at a time, in order: the socket reads the next one when
 * {@link #onText}'s {@code next} runs. Frames arrive on the thread that reads the socket, which must
 * not block. Once the device is live (authenticated and caught up) a frame whose handler says it
 * does not block ({@link FrameHandler#nonBlocking}), a {@code ping} and a malformed frame are handled
 * right there; every other frame (the {@code auth} with its token check and backlog, handlers that
 * may block, anything before the device is live) on the hub's frame threads.
 */
final class StreamConnection implements StreamSession {
    private static final Logger LOG = LoggerFactory.getLogger(StreamConnection.class);
    static final int CLOSE_AUTH_FAILED = 4401;
    static final int CLOSE_BAD_REQUEST = 4400;
    private static final int MAX_QUEUE = 10_000;

    private final StreamSocket session;
    private final StreamHub hub;
    private final ObjectMapper mapper;
    /** Frames to write, as UTF-8 text. */
    private final ArrayDeque<byte[]> outbox = new ArrayDeque<>();
    private final ScheduledFuture<?> authDeadline;
    private volatile AccountPrincipal principal;
    private static final int BACKLOG_PAGE = 500;
    private Cursor cursor = Cursor.START;
    /** Sending the backlog; guarded by this, volatile for {@link #live}. Set once, at auth, then cleared. */
    private volatile boolean catchingUp;
    private boolean sending;
    /** True while {@code sendText} runs; a write that completes within it sets {@link #writtenAtOnce}. */
    private boolean writing;
    private boolean writtenAtOnce;
    private boolean closed;

    StreamConnection(StreamSocket session, StreamHub hub) {
        this.session = session;
        this.hub = hub;
        this.mapper = hub.mapper();
        this.authDeadline = hub.timer().schedule(() -> {
            if (principal == null) close(CLOSE_AUTH_FAILED, "auth frame expected");
        }, hub.authDeadlineMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public AccountPrincipal principal() { return principal; }

    @Override
    public void send(String type, Object data) {
        enqueue(Frames.event(mapper, type, data));
    }

    /**
     * Handles one text frame, here or on the hub's frame threads (see the class comment); {@code next}
     * runs once it is handled, and the socket then reads the next frame. A socket whose frame cannot
     * be handed over (the gateway is stopping) is closed, and {@code next} does not run.
     */
    void onText(String text, Runnable next) {
        if (!live()) {
            offload(() -> handleText(text), next);
            return;
        }
        JsonNode frame = parse(text);
        if (frame != null) {
            String type = frame.get("type").asText();
            Optional<FrameHandler> handler = featureHandler(type);
            if (handler.isPresent() && !nonBlocking(handler.get(), frame)) {
                offload(() -> dispatch(type, handler.get(), frame), next);
                return;
            }
            handleFrame(type, frame, handler);
        }
        next.run();
    }

    /**
     * Authenticated and caught up, so enqueueing never reads the backlog again. Read only by the socket's
     * reading thread, which reads no frame while {@code auth} runs (it sets both fields).
     */
    private boolean live() {
        return principal != null && !catchingUp;
    }

    private void offload(Runnable work, Runnable next) {
        try {
            hub.frames().execute(() -> {
                try {
                    work.run();
                } finally {
                    next.run();
                }
            });
        } catch (RejectedExecutionException e) {
            close(1001, "server going away");
        }
    }

    private static boolean nonBlocking(FrameHandler handler, JsonNode frame) {
        try {
            return handler.nonBlocking(frame);
        } catch (RuntimeException e) {
            LOG.warn("A frame handler failed to tell whether it blocks; its frame is handled as blocking", e);
            return false;
        }
    }

    private void handleText(String text) {
        JsonNode frame = parse(text);
        if (frame == null) return;
        String type = frame.get("type").asText();
        if (principal == null) {
            if ("auth".equals(type)) authenticate(frame);
            else sendError("not_authenticated", "Send {\"type\":\"auth\",\"token\":...} first.");
            return;
        }
        handleFrame(type, frame, featureHandler(type));
    }

    /** The feature's handler of a frame type; none for the gateway's own {@code ping} and {@code auth}. */
    private Optional<FrameHandler> featureHandler(String type) {
        return "ping".equals(type) || "auth".equals(type) ? Optional.empty() : hub.handler(type);
    }

    /** The frame as a JSON object with a string type; null (and the client told) when it is not one. */
    private JsonNode parse(String text) {
        JsonNode frame;
        try {
            frame = mapper.readTree(text);
        } catch (IOException e) {
            sendError("malformed_frame", "Frames must be JSON objects.");
            return null;
        }
        if (frame == null || !frame.isObject() || !frame.path("type").isTextual()) {
            sendError("malformed_frame", "A frame is a JSON object with a string 'type'.");
            return null;
        }
        return frame;
    }

    /** A frame of an authenticated device; {@code handler} is the feature's, if any, for its type. */
    private void handleFrame(String type, JsonNode frame, Optional<FrameHandler> handler) {
        switch (type) {
            case "ping" -> enqueue(Frames.PONG);
            case "auth" -> sendError("already_authenticated", "This connection is already authenticated.");
            default -> {
                if (handler.isEmpty()) sendError("unknown_type", "No feature handles frames of type '" + type + "'.");
                else dispatch(type, handler.get(), frame);
            }
        }
    }

    private void dispatch(String type, FrameHandler handler, JsonNode frame) {
        try {
            handler.handle(this, frame);
        } catch (ApiException e) {
            sendError(e.code(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("Frame handler for {} failed", type, e);
            sendError("internal_error", "The frame could not be handled.");
        }
    }

    private void authenticate(JsonNode frame) {
        JsonNode token = frame.get("token");
        if (token == null || !token.isTextual() || token.asText().isEmpty() || token.asText().length() > 512) {
            close(CLOSE_AUTH_FAILED, "a token string is required");
            return;
        }
        Cursor since;
        try {
            since = parseSince(frame.get("since"));
        } catch (IllegalArgumentException e) {
            sendError("invalid_cursor", e.getMessage());
            close(CLOSE_BAD_REQUEST, "invalid cursor");
            return;
        }
        if (!hub.canAuthenticate()) {
            close(1013, "accounts are not available, try again");
            return;
        }
        Optional<AccountPrincipal> who = hub.authenticate(token.asText());
        if (who.isEmpty()) {
            close(CLOSE_AUTH_FAILED, "invalid token");
            return;
        }
        authDeadline.cancel(false);
        String accountId = who.get().accountId();
        // Without 'since' the device starts where every source is now; the head is read before the
        // socket subscribes, and the backlog after it covers whatever arrived in between.
        Cursor from = since != null ? since : hub.head(accountId);
        synchronized (this) {
            if (closed) return; // the socket went while the token was checked: nothing to subscribe
            catchingUp = true;
            principal = who.get();
            cursor = from;
            hub.subscribe(this);
            pumpBacklogLocked();
        }
    }

    /**
     * Queues the next page of missed updates; the rest follows as the socket drains, so a long
     * absence never fills memory. While catching up, live deliveries are dropped: every one of them
     * is already stored and comes with a later page. The last page ends with {@code ready}.
     */
    private void pumpBacklogLocked() {
        int[] queued = {0};
        try {
            cursor = hub.backlog(principal.accountId(), cursor, BACKLOG_PAGE, (type, after, data) -> {
                outbox.add(Frames.event(type, after, Frames.data(mapper, data)));
                queued[0]++;
            });
        } catch (RuntimeException e) {
            LOG.warn("Reading the backlog of {} failed", principal.accountId(), e);
            closeLocked(1011, "updates unavailable, reconnect with since");
            return;
        }
        if (queued[0] < BACKLOG_PAGE) {
            catchingUp = false;
            outbox.add(Frames.event(mapper, "ready", Map.of(
                    "accountId", principal.accountId(), "handle", principal.handle(),
                    "cursor", cursor.toString())));
        }
        if (!sending) sendNextLocked();
    }

    /** The client's {@code since}: null when absent; a cursor string (or, as before, a number). */
    static Cursor parseSince(JsonNode since) {
        if (since == null || since.isNull()) return null;
        String s = since.isTextual() ? since.asText() : since.isIntegralNumber() ? since.asText() : null;
        if (s == null) throw new IllegalArgumentException("'since' must be a cursor received from this server.");
        return Cursor.parse(s);
    }

    /** Queues a stored update unless this device already has its position. */
    synchronized void deliver(String source, long position, String type, byte[] dataUtf8) {
        if (principal == null || closed || catchingUp) return;
        if (position <= cursor.get(source)) return;
        cursor = cursor.with(source, position);
        enqueueLocked(Frames.event(type, cursor, dataUtf8));
    }

    /** Queues an ephemeral frame (no cursor). */
    synchronized void deliverEphemeral(byte[] frame) {
        if (principal == null || closed) return;
        enqueueLocked(frame);
    }

    private void sendError(String code, String message) {
        enqueue(Frames.error(mapper, code, message));
    }

    private synchronized void enqueue(byte[] frame) {
        enqueueLocked(frame);
    }

    private void enqueueLocked(byte[] frame) {
        if (closed) return;
        if (outbox.size() >= MAX_QUEUE) {
            // A device this far behind reconnects with its cursor and catches up from storage.
            closeLocked(1013, "too far behind, reconnect with since");
            return;
        }
        outbox.add(frame);
        // Inside the hub's together the frame waits for release(), with this socket's others.
        if (!sending && !hub.holding(this)) sendNextLocked();
    }

    /** Starts writing the frames {@link StreamHub#together} held for this socket. */
    synchronized void release() {
        if (!sending) sendNextLocked();
    }

    /**
     * Writes the next queued frame, and the ones after it as each write completes. A write that
     * completes at once (on this thread, inside {@code sendText}) continues this loop instead of
     * calling back into it, so a long queue never deepens the stack. A frame with others queued behind
     * it is batched, and the last one queued flushes them all: frames queued together share one write.
     */
    private void sendNextLocked() {
        while (true) {
            if (outbox.isEmpty() && catchingUp && !closed) {
                sending = false;
                pumpBacklogLocked();
                return;
            }
            byte[] next = outbox.poll();
            if (next == null || closed) {
                sending = false;
                return;
            }
            sending = true;
            writing = true;
            writtenAtOnce = false;
            try {
                session.sendText(next, this::written, !outbox.isEmpty());
            } catch (RuntimeException e) {
                sending = false;
                closeLocked(1011, "send failed");
                return;
            } finally {
                writing = false;
            }
            if (!writtenAtOnce) return; // written() goes on when the write completes
        }
    }

    private void written(Throwable failure) {
        synchronized (this) {
            if (failure != null) {
                sending = false;
                closeLocked(1011, "send failed");
            } else if (writing) {
                writtenAtOnce = true;
            } else {
                sendNextLocked();
            }
        }
    }

    synchronized void close(int code, String reason) {
        closeLocked(code, reason);
    }

    private void closeLocked(int code, String reason) {
        if (closed) return;
        closed = true;
        outbox.clear();
        authDeadline.cancel(false);
        hub.unsubscribe(this);
        try {
            if (session.isOpen()) session.close(code, reason);
        } catch (RuntimeException e) {
            LOG.debug("Closing a stream socket failed", e);
        }
    }

    void onClosed() {
        synchronized (this) {
            closed = true;
            outbox.clear();
        }
        authDeadline.cancel(false);
        hub.unsubscribe(this);
    }
}
