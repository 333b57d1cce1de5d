package io.switchboard.bench.chat;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.function.IntUnaryOperator;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.core.Configuration;
import org.eclipse.jetty.websocket.core.client.CoreClientUpgradeRequest;
import org.eclipse.jetty.websocket.core.client.WebSocketCoreClient;

/** The load's devices: authenticated stream sockets, each belonging to one user. */
final class Fleet implements AutoCloseable {
    /** Handshakes under way at once. */
    private static final int CONNECT_WINDOW = 256;
    /** Threads of the load's WebSocket client ({@code -Dbench.loadThreads=N} to change). */
    private static final int LOAD_THREADS = 16;

    static int loadThreads() {
        return Integer.getInteger("bench.loadThreads", LOAD_THREADS);
    }
    private static final String CLIENT_MSG_ID = "\"clientMsgId\":\"";

    private final WebSocketCoreClient client = new WebSocketCoreClient();
    private final AtomicInteger unexpectedCloses = new AtomicInteger();
    /** Sends over the sockets waiting for their answer, by client message id. */
    private final Map<String, IntConsumer> awaiting = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile Phase phase;

    Fleet() throws Exception {
        client.getHttpClient().setMaxConnectionsPerDestination(CONNECT_WINDOW);
        // Jetty's default pool grows to 200 threads that take turns on 2 cores; a small pool does
        // the same reading with a quarter less CPU, left to the server under test.
        QueuedThreadPool pool = new QueuedThreadPool(loadThreads(), 4);
        pool.setName("load");
        client.getHttpClient().setExecutor(pool);
        client.start();
    }

    /** Where arriving {@code message.created} frames are counted from now on. */
    void phase(Phase p) { phase = p; }

    int unexpectedCloses() { return unexpectedCloses.get(); }

    /** Sends over sockets not answered yet. */
    int inFlight() { return inFlight.get(); }

    /**
     * {@code message.send} on the device's socket; {@code done} gets 201 for {@code message.sent}
     * (200 for a retry), 400 for an {@code error} naming the client id, or -1 when
     * {@link Api#MAX_IN_FLIGHT} sends are already waiting for their answer (then nothing is sent),
     * the same cap as for sends over HTTP.
     */
    void send(Device from, String conversationId, String clientMsgId, String text, IntConsumer done) {
        if (inFlight.incrementAndGet() > Api.MAX_IN_FLIGHT) {
            inFlight.decrementAndGet();
            done.accept(-1);
            return;
        }
        awaiting.put(clientMsgId, done);
        // the load's ids and texts need no escaping
        from.send("{\"type\":\"message.send\",\"conversationId\":\"" + conversationId + "\",\"clientMsgId\":\""
                + clientMsgId + "\",\"text\":\"" + text + "\"}");
    }

    /** The answer to a send: the first {@code clientMsgId} of the frame names it. */
    private void answered(String frame, int status) {
        int at = frame.indexOf(CLIENT_MSG_ID);
        if (at < 0) return;
        int from = at + CLIENT_MSG_ID.length();
        IntConsumer done = awaiting.remove(frame.substring(from, frame.indexOf('"', from)));
        if (done == null) return;
        inFlight.decrementAndGet();
        done.accept(status == 201 && frame.contains("\"created\":false") ? 200 : status);
    }

    /** A socket: sends {@code auth} when open, becomes ready on the server's {@code ready} frame. */
    final class Device extends TextSocket {
        final int user;
        private final String token;
        private final CompletableFuture<Device> ready = new CompletableFuture<>();
        private volatile boolean closing;

        Device(int user, String token) {
            this.user = user;
            this.token = token;
        }

        @Override
        protected void onOpened() {
            send("{\"type\":\"auth\",\"token\":\"" + token + "\"}");
        }

        @Override
        protected void onText(String text) {
            if (!ready.isDone()) {
                if (text.contains("\"type\":\"ready\"")) ready.complete(this);
                else if (text.contains("\"type\":\"error\"")) ready.completeExceptionally(new IllegalStateException(text));
                return;
            }
            if (text.startsWith("{\"type\":\"message.sent\"")) {
                answered(text, 201);
                return;
            }
            if (text.startsWith("{\"type\":\"error\"")) {
                answered(text, 400);
                return;
            }
            Phase p = phase;
            if (p != null) p.onFrame(user, text, System.nanoTime());
        }

        @Override
        protected void onClosedBy(int code) {
            if (!ready.isDone()) ready.completeExceptionally(new IllegalStateException("closed before ready: " + code));
            else if (!closing) unexpectedCloses.incrementAndGet();
        }

        void shutdown() {
            closing = true;
            close();
        }
    }

    /**
     * Opens {@code count} sockets, socket {@code i} for user {@code userOf(i)} with that user's token,
     * at most {@link #CONNECT_WINDOW} handshakes at a time, and waits until each is ready.
     */
    List<Device> connect(URI uri, int count, IntUnaryOperator userOf, List<String> tokens) throws Exception {
        Semaphore window = new Semaphore(CONNECT_WINDOW);
        List<CompletableFuture<Device>> all = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int user = userOf.applyAsInt(i);
            Device d = new Device(user, tokens.get(user));
            window.acquire();
            d.ready.whenComplete((x, e) -> window.release());
            CoreClientUpgradeRequest request = CoreClientUpgradeRequest.from(client, uri, d);
            Configuration.ConfigurationCustomizer config = new Configuration.ConfigurationCustomizer();
            config.setIdleTimeout(Duration.ofMinutes(15));
            request.setConfiguration(config);
            client.connect(request).whenComplete((s, e) -> {
                if (e != null) d.ready.completeExceptionally(e);
            });
            all.add(d.ready);
        }
        List<Device> out = new ArrayList<>(count);
        for (CompletableFuture<Device> f : all) out.add(f.get(2, TimeUnit.MINUTES));
        return out;
    }

    static void shutdown(List<Device> devices) {
        devices.forEach(Device::shutdown);
    }

    @Override
    public void close() throws Exception {
        client.stop();
    }
}
