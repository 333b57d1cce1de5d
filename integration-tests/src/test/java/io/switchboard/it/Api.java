package io.switchboard.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/** A plain HTTP client of the public API. */
public final class Api {
    static final ObjectMapper JSON = new ObjectMapper();
    private final String base;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    Api(String base) {
        this.base = base;
    }

    record Reply(int status, String body, HttpResponse<String> raw) {
        JsonNode json() {
            try {
                return body == null || body.isEmpty() ? JSON.nullNode() : JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("Not JSON (" + status + "): " + body, e);
            }
        }

        String errorCode() {
            return json().path("error").path("code").asText(null);
        }

        Optional<String> header(String name) {
            return raw.headers().firstValue(name);
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    Reply get(String path, String token) throws Exception {
        return send("GET", path, token, null, null);
    }

    /** {@link #get} on a thread of {@code executor}, for a request that waits (a long poll). */
    java.util.concurrent.CompletableFuture<Reply> getAsync(String path, String token, java.util.concurrent.Executor executor) {
        return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return get(path, token);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, executor);
    }

    java.util.concurrent.CompletableFuture<Reply> getAsync(String path, String token) {
        return getAsync(path, token, java.util.concurrent.ForkJoinPool.commonPool());
    }

    Reply post(String path, String token, Object json) throws Exception {
        return send("POST", path, token, body(json), "application/json");
    }

    Reply patch(String path, String token, Object json) throws Exception {
        return send("PATCH", path, token, body(json), "application/json");
    }

    Reply put(String path, String token, Object json) throws Exception {
        return send("PUT", path, token, body(json), "application/json");
    }

    Reply delete(String path, String token) throws Exception {
        return send("DELETE", path, token, null, null);
    }

    Reply postRaw(String path, String token, byte[] bytes, String contentType) throws Exception {
        return send("POST", path, token, HttpRequest.BodyPublishers.ofByteArray(bytes), contentType);
    }

    /**
     * A POST that asks {@code Expect: 100-continue} first, as careful clients of large uploads do: a
     * refusal on the headers alone (413 on Content-Length) comes back before any body is written, so
     * the answer is never lost to a connection the server closed mid-upload.
     */
    Reply postExpectingContinue(String path, String token, byte[] bytes, String contentType) throws Exception {
        return send("POST", path, token, HttpRequest.BodyPublishers.ofByteArray(bytes), contentType, true);
    }

    Reply send(String method, String path, String token, HttpRequest.BodyPublisher body, String contentType)
            throws Exception {
        return send(method, path, token, body, contentType, false);
    }

    private Reply send(String method, String path, String token, HttpRequest.BodyPublisher body, String contentType,
                       boolean expectContinue) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(90))
                .expectContinue(expectContinue);
        if (token != null) b.header("Authorization", "Bearer " + token);
        if (contentType != null) b.header("Content-Type", contentType);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : body);
        HttpRequest request = b.build();
        HttpResponse<String> r;
        try {
            r = client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            // A pooled connection the server had just closed: the request never reached it (not one
            // byte came back), and the JDK client retries only GET and HEAD on its own. Once, anew.
            if (e.getMessage() == null || !e.getMessage().contains("received no bytes")) throw e;
            r = client.send(request, HttpResponse.BodyHandlers.ofString());
        }
        return new Reply(r.statusCode(), r.body(), r);
    }

    private static HttpRequest.BodyPublisher body(Object json) throws IOException {
        String s = json instanceof String str ? str : JSON.writeValueAsString(json);
        return HttpRequest.BodyPublishers.ofString(s);
    }

    static ObjectNode obj(Object... kv) {
        ObjectNode n = JSON.createObjectNode();
        for (int i = 0; i < kv.length; i += 2) n.set((String) kv[i], JSON.valueToTree(kv[i + 1]));
        return n;
    }

    /** Registers an account and returns its token from a fresh login. */
    String signUp(String handle, String kind, String displayName) throws Exception {
        Reply r = post("/api/v1/accounts", null, obj("handle", handle, "displayName", displayName,
                "password", "correct horse " + handle, "kind", kind));
        if (r.status() != 201) throw new AssertionError("register " + handle + ": " + r);
        return login(handle);
    }

    String login(String handle) throws Exception {
        Reply r = post("/api/v1/sessions", null, obj("handle", handle, "password", "correct horse " + handle,
                "deviceName", "it"));
        if (r.status() != 201) throw new AssertionError("login " + handle + ": " + r);
        return r.json().path("token").asText();
    }
}
