package io.switchboard.bench.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.server.WebSocketUpgradeHandler;

/**
 * The baseline: a relay that does what a chat server must do on the wire and nothing else. Plain
 * Jetty 12, no OSGi, no storage, no accounts (the bearer token is the user's handle), no
 * idempotency, no history. Same paths and frames as Switchboard:
 * <ul>
 *   <li>{@code POST /api/v1/conversations} {@code {"kind":"direct","with":h}} or
 *       {@code {"kind":"group","title":t,"members":[..]}} → 201 {@code {"id":..}} (200 for an existing direct one);</li>
 *   <li>{@code PUT /api/v1/conversations/{id}/messages/{clientMsgId}} {@code {"text":..}} → 201 message,
 *       and {@code message.created} to every socket of every member;</li>
 *   <li>WebSocket {@code /api/v1/stream}: {@code auth} → {@code ready}; {@code ping} → {@code pong};
 *       {@code message.send} {@code {"conversationId","clientMsgId","text"}} → {@code message.sent}
 *       {@code {"clientMsgId","conversationId","message","created":true}} on that socket (or {@code error}),
 *       and {@code message.created} as for the PUT.</li>
 * </ul>
 * Run as its own process: {@code RelayServer <port>}; prints {@code Relay ready on <port>}.
 */
public final class RelayServer {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONVERSATIONS = "/api/v1/conversations";

    private record Conversation(String id, List<String> members, AtomicLong seq) {}

    record Message(String id, String conversationId, long seq, String sender, String clientMsgId, String text,
                   String sentAt) {}

    private final Map<String, Set<RelaySocket>> sockets = new ConcurrentHashMap<>();
    private final Map<String, Conversation> conversations = new ConcurrentHashMap<>();
    private final Map<String, String> directByPair = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        RelayServer relay = new RelayServer();
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        WebSocketUpgradeHandler upgrade = new WebSocketUpgradeHandler();
        upgrade.getConfiguration().setIdleTimeout(Duration.ofMinutes(10));
        upgrade.addMapping("/api/v1/stream", (request, response, callback) -> relay.new RelaySocket());
        upgrade.setHandler(relay.new Api());
        server.setHandler(upgrade);
        server.start();
        System.out.println("Relay ready on " + port);
        server.join();
    }

    /** One device's socket: the first frame names the user. */
    private final class RelaySocket extends TextSocket {
        private volatile String handle;

        @Override
        protected void onText(String text) {
            JsonNode frame;
            try {
                frame = JSON.readTree(text);
            } catch (IOException e) {
                close();
                return;
            }
            String type = frame.path("type").asText();
            if (handle == null) {
                String token = frame.path("token").asText("");
                if (!"auth".equals(type) || token.isEmpty()) {
                    close();
                    return;
                }
                handle = token;
                sockets.computeIfAbsent(token, k -> ConcurrentHashMap.newKeySet()).add(this);
                send("{\"type\":\"ready\",\"cursor\":null,\"data\":{\"handle\":" + quote(token) + "}}");
            } else if ("ping".equals(type)) {
                send("{\"type\":\"pong\",\"cursor\":null,\"data\":{}}");
            } else if ("message.send".equals(type)) {
                sendMessage(frame);
            }
        }

        /** {@code message.send}: relayed as the PUT is; answered on this socket only. */
        private void sendMessage(JsonNode frame) {
            String conversationId = frame.path("conversationId").asText();
            String clientMsgId = frame.path("clientMsgId").asText();
            String ids = "\"clientMsgId\":" + quote(clientMsgId) + ",\"conversationId\":" + quote(conversationId);
            String data = frame.path("text").isTextual()
                    ? relay(handle, conversationId, clientMsgId, frame.get("text").asText()) : null;
            if (data == null) {
                send("{\"type\":\"error\",\"cursor\":null,\"data\":{\"code\":\"not_found\"," + ids + "}}");
            } else {
                send("{\"type\":\"message.sent\",\"cursor\":null,\"data\":{" + ids + ",\"message\":" + data
                        + ",\"created\":true}}");
            }
        }

        @Override
        protected void onClosedBy(int code) {
            String h = handle;
            if (h != null) {
                Set<RelaySocket> mine = sockets.get(h);
                if (mine != null) mine.remove(this);
            }
        }
    }

    /** The two HTTP calls the load uses. */
    private final class Api extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            String path = Request.getPathInContext(request);
            if (!path.startsWith(CONVERSATIONS)) return false;
            String auth = request.getHeaders().get(HttpHeader.AUTHORIZATION);
            if (auth == null || !auth.startsWith("Bearer ") || auth.length() == 7) {
                return answer(response, callback, 401, "{\"error\":\"unauthorized\"}");
            }
            String caller = auth.substring(7);
            JsonNode body;
            try {
                body = JSON.readTree(Content.Source.asString(request, StandardCharsets.UTF_8));
            } catch (IOException e) {
                return answer(response, callback, 400, "{\"error\":\"invalid_json\"}");
            }
            if (path.equals(CONVERSATIONS) && "POST".equals(request.getMethod())) return create(caller, body, response, callback);
            String[] parts = path.substring(CONVERSATIONS.length()).split("/");
            if (parts.length == 4 && parts[2].equals("messages") && "PUT".equals(request.getMethod())) {
                return send(caller, parts[1], parts[3], body, response, callback);
            }
            return answer(response, callback, 404, "{\"error\":\"not_found\"}");
        }

        private boolean create(String caller, JsonNode body, Response response, Callback callback) throws IOException {
            String kind = body.path("kind").asText();
            if ("direct".equals(kind) && body.path("with").isTextual()) {
                String with = body.get("with").asText();
                String pair = caller.compareTo(with) < 0 ? caller + " " + with : with + " " + caller;
                String[] created = {null};
                String id = directByPair.computeIfAbsent(pair, k -> created[0] = open(List.of(caller, with)));
                return answer(response, callback, created[0] != null ? 201 : 200, "{\"id\":" + quote(id) + "}");
            }
            if ("group".equals(kind) && body.path("members").isArray()) {
                List<String> members = new ArrayList<>();
                members.add(caller);
                body.get("members").forEach(m -> members.add(m.asText()));
                return answer(response, callback, 201, "{\"id\":" + quote(open(members)) + "}");
            }
            return answer(response, callback, 400, "{\"error\":\"invalid_conversation\"}");
        }

        private String open(List<String> members) {
            String id = "c_" + ids.incrementAndGet();
            conversations.put(id, new Conversation(id, List.copyOf(members), new AtomicLong()));
            return id;
        }

        private boolean send(String caller, String conversationId, String clientMsgId, JsonNode body, Response response,
                             Callback callback) {
            if (!body.path("text").isTextual()) return answer(response, callback, 400, "{\"error\":\"invalid_text\"}");
            String data = relay(caller, conversationId, clientMsgId, body.get("text").asText());
            if (data == null) return answer(response, callback, 404, "{\"error\":\"not_found\"}");
            return answer(response, callback, 201, data);
        }

        private boolean answer(Response response, Callback callback, int status, String json) {
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.write(true, ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)), callback);
            return true;
        }
    }

    /**
     * A message: {@code message.created} to every socket of every member; its JSON, or null when the
     * conversation is not the caller's.
     */
    private String relay(String caller, String conversationId, String clientMsgId, String text) {
        Conversation c = conversations.get(conversationId);
        if (c == null || !c.members().contains(caller)) return null;
        long seq = c.seq().incrementAndGet();
        String data = json(new Message(c.id() + "." + seq, c.id(), seq, caller, clientMsgId, text, Instant.now().toString()));
        String frame = "{\"type\":\"message.created\",\"cursor\":null,\"data\":" + data + "}";
        for (String member : c.members()) {
            Set<RelaySocket> devices = sockets.get(member);
            if (devices != null) for (RelaySocket s : devices) s.send(frame);
        }
        return data;
    }

    private static String quote(String s) {
        return json(s);
    }

    private static String json(Object s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
