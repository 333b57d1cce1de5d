package io.switchboard.it;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A WebSocket client of /api/v1/stream that keeps every frame it receives. */
public final class StreamClient implements AutoCloseable {
    private final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final BlockingQueue<byte[]> pongs = new LinkedBlockingQueue<>();
    private final WebSocket socket;

    private StreamClient(String url) throws Exception {
        this.socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                .buildAsync(URI.create(url), new WebSocket.Listener() {
                    private final StringBuilder partial = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        partial.append(data);
                        if (last) {
                            try {
                                frames.add(Api.JSON.readTree(partial.toString()));
                            } catch (IOException e) {
                                frames.add(Api.JSON.createObjectNode().put("type", "unparseable")
                                        .put("raw", partial.toString()));
                            }
                            partial.setLength(0);
                        }
                        ws.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onPong(WebSocket ws, java.nio.ByteBuffer message) {
                        byte[] payload = new byte[message.remaining()];
                        message.get(payload);
                        pongs.add(payload);
                        ws.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
                        closed.complete(statusCode);
                        return null;
                    }

                    @Override
                    public void onError(WebSocket ws, Throwable error) {
                        closed.complete(-1);
                    }
                }).get(15, TimeUnit.SECONDS);
    }

    static StreamClient connect(String url) throws Exception {
        return new StreamClient(url);
    }

    /** Connects and authenticates; returns once the server said "ready". */
    static StreamClient open(String url, String token, String since) throws Exception {
        StreamClient c = new StreamClient(url);
        String auth = since == null
                ? Api.JSON.writeValueAsString(Api.obj("type", "auth", "token", token))
                : Api.JSON.writeValueAsString(Api.obj("type", "auth", "token", token, "since", since));
        c.sendText(auth);
        c.await(f -> "ready".equals(f.path("type").asText()), 15);
        return c;
    }

    void sendText(String text) throws Exception {
        sendText(text, true);
    }

    /** One text frame; {@code last} false leaves the message open for the next. */
    void sendText(String text, boolean last) throws Exception {
        socket.sendText(text, last).get(10, TimeUnit.SECONDS);
    }

    void sendBinary(byte[] data) throws Exception {
        socket.sendBinary(java.nio.ByteBuffer.wrap(data), true).get(10, TimeUnit.SECONDS);
    }

    /** Pings with this payload; the payload of the pong that came back, or null after the timeout. */
    byte[] ping(byte[] payload, int seconds) throws Exception {
        socket.sendPing(java.nio.ByteBuffer.wrap(payload)).get(10, TimeUnit.SECONDS);
        return pongs.poll(seconds, TimeUnit.SECONDS);
    }

    /** Waits for the first frame matching; frames before it are dropped (the last 20 named if none matches). */
    JsonNode await(Predicate<JsonNode> match, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        Deque<JsonNode> skipped = new ArrayDeque<>();
        while (true) {
            long left = deadline - System.nanoTime();
            JsonNode f = left > 0 ? frames.poll(left, TimeUnit.NANOSECONDS) : null;
            if (f == null) throw new AssertionError("No matching frame within " + seconds + " s; last frames passed over: " + skipped);
            if (match.test(f)) return f;
            if (skipped.size() == 20) skipped.removeFirst();
            skipped.addLast(f);
        }
    }

    JsonNode awaitType(String type, int seconds) throws Exception {
        return await(f -> type.equals(f.path("type").asText()), seconds);
    }

    /** The next frame, or null after the timeout. */
    JsonNode next(int millis) throws InterruptedException {
        return frames.poll(millis, TimeUnit.MILLISECONDS);
    }

    boolean isClosed() {
        return closed.isDone();
    }

    /** The close code once the server closed the socket (-1 on error). */
    int closeCode(int seconds) throws Exception {
        return closed.get(seconds, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        try {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            socket.abort();
        }
    }
}
