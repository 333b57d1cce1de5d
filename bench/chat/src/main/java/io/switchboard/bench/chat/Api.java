package io.switchboard.bench.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;

/**
 * The client API calls the load needs, over one Jetty HttpClient with a bounded number of HTTP/1.1
 * connections. Sends are asynchronous; the rest block.
 */
final class Api implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    /** HTTP/1.1 connections to the server under test. */
    static final int CONNECTIONS = 64;
    /** Sends allowed in flight (queued for a connection or on the wire); past it a send counts as failed. */
    static final int MAX_IN_FLIGHT = 4096;

    /** Raised when the server has no chat endpoints (404 on {@code POST /api/v1/conversations}). */
    static final class ChatUnavailable extends Exception {
        ChatUnavailable(String message) { super(message); }
    }

    private final HttpClient http = new HttpClient();
    private final String base;
    private final AtomicInteger inFlight = new AtomicInteger();

    Api(String base) throws Exception {
        this.base = base;
        http.setMaxConnectionsPerDestination(CONNECTIONS);
        http.setMaxRequestsQueuedPerDestination(MAX_IN_FLIGHT * 2);
        http.setIdleTimeout(120_000);
        http.start();
    }

    int inFlight() { return inFlight.get(); }

    /** POST /api/v1/accounts. */
    void register(String handle, String password) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("handle", handle).put("displayName", "Bench " + handle)
                .put("password", password).put("kind", "person");
        call(HttpMethod.POST, "/api/v1/accounts", null, body, 201);
    }

    /** POST /api/v1/sessions → the token. */
    String login(String handle, String password) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("handle", handle).put("password", password)
                .put("deviceName", "chat bench");
        return call(HttpMethod.POST, "/api/v1/sessions", null, body, 201).path("token").asText();
    }

    /** POST /api/v1/conversations (direct) → the id. */
    String openDirect(String token, String with) throws Exception {
        return createConversation(token, JSON.createObjectNode().put("kind", "direct").put("with", with));
    }

    /** POST /api/v1/conversations (group) → the id. */
    String createGroup(String token, String title, List<String> members) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("kind", "group").put("title", title);
        members.forEach(body.putArray("members")::add);
        return createConversation(token, body);
    }

    private String createConversation(String token, ObjectNode body) throws Exception {
        ContentResponse r = request(HttpMethod.POST, "/api/v1/conversations", token, body).send();
        if (r.getStatus() == 404) {
            throw new ChatUnavailable("POST /api/v1/conversations answered 404: the server has no chat feature");
        }
        if (r.getStatus() != 201 && r.getStatus() != 200) throw failure(r, "/api/v1/conversations");
        return JSON.readTree(r.getContentAsString()).path("id").asText();
    }

    /**
     * PUT a message; {@code done} gets the status, or -1 for an I/O failure or when {@link #MAX_IN_FLIGHT}
     * sends are already waiting (then nothing is sent).
     */
    void send(String token, String conversationId, String clientMsgId, String text, IntConsumer done) {
        if (inFlight.incrementAndGet() > MAX_IN_FLIGHT) {
            inFlight.decrementAndGet();
            done.accept(-1);
            return;
        }
        String body = "{\"text\":\"" + text + "\"}";  // the load's texts need no escaping
        http.newRequest(base + "/api/v1/conversations/" + conversationId + "/messages/" + clientMsgId)
                .method(HttpMethod.PUT)
                .headers(h -> h.put(HttpHeader.AUTHORIZATION, "Bearer " + token))
                .body(new StringRequestContent("application/json", body))
                .timeout(60, TimeUnit.SECONDS)
                .send(result -> {
                    inFlight.decrementAndGet();
                    done.accept(result.isSucceeded() ? result.getResponse().getStatus() : -1);
                });
    }

    private JsonNode call(HttpMethod method, String path, String token, JsonNode body, int expected) throws Exception {
        ContentResponse r = request(method, path, token, body).send();
        if (r.getStatus() != expected) throw failure(r, path);
        return JSON.readTree(r.getContentAsString());
    }

    private Request request(HttpMethod method, String path, String token, JsonNode body) {
        Request r = http.newRequest(base + path).method(method).timeout(60, TimeUnit.SECONDS)
                .body(new StringRequestContent("application/json", body.toString()));
        if (token != null) r.headers(h -> h.put(HttpHeader.AUTHORIZATION, "Bearer " + token));
        return r;
    }

    private static IllegalStateException failure(ContentResponse r, String path) {
        return new IllegalStateException(path + " → " + r.getStatus() + " " + r.getContentAsString());
    }

    @Override
    public void close() throws Exception {
        http.stop();
    }
}
