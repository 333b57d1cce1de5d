package io.switchboard.it;

import static io.switchboard.it.Api.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Stopping the chat bundle turns its endpoints into 404 while the stream stays connected; starting
 * it again serves everything stored, and updating it with a jar keeps the data too.
 */
class ChatHotSwapIT {

    @Test
    void stopStartAndUpdateTheChatBundleWhileTheStreamStaysOpen() throws Exception {
        try (Switchboard sb = Switchboard.start(Switchboard.workDir("chat-hot-swap"))) {
            Api api = sb.api();
            String admin = Switchboard.ADMIN_TOKEN;
            String amy = api.signUp("amy", "person", "Amy");
            String ben = api.signUp("ben", "person", "Ben");
            String id = ChatIT.direct(api, amy, "ben");
            for (int i = 1; i <= 5; i++) ChatIT.sendText(api, amy, id, "pre-" + i, "before the swap " + i);
            long chat = bundleId(api, admin, "io.switchboard.chat");

            try (StreamClient ws = StreamClient.open(sb.wsUrl(), ben, null)) {
                assertEquals("resolved", api.post("/api/v1/admin/bundles/" + chat + "/stop", admin, "{}").json()
                        .path("state").asText());
                Api.Reply gone = awaitStatus(api, "/api/v1/conversations/" + id + "/messages", ben, 404);
                assertEquals(404, gone.status());
                assertNotNull(gone.errorCode(), "the error envelope, also for a path no one serves");
                ws.sendText("{\"type\":\"ping\"}");
                assertEquals("pong", ws.awaitType("pong", 10).path("type").asText(), "the stream stays open");
                ws.sendText("{\"type\":\"typing\",\"conversationId\":\"" + id + "\"}");
                assertEquals("unknown_type", ws.awaitType("error", 10).path("data").path("code").asText(),
                        "the chat's frame types are gone with it");
                ws.sendText(ChatIT.sendFrame(id, "while-stopped", "text", "nobody takes this"));
                assertEquals("unknown_type", ws.awaitType("error", 10).path("data").path("code").asText(),
                        "message.send too");
                ws.sendText("{\"type\":\"ping\"}");
                assertEquals("pong", ws.awaitType("pong", 10).path("type").asText(), "and the stream stays open");

                assertEquals("active", api.post("/api/v1/admin/bundles/" + chat + "/start", admin, "{}").json()
                        .path("state").asText());
                awaitStatus(api, "/api/v1/conversations/" + id + "/messages", ben, 200);
                JsonNode history = api.get("/api/v1/conversations/" + id + "/messages", ben).json().path("messages");
                assertEquals(5, history.size(), "everything stored is served again");
                assertEquals("before the swap 5", history.get(0).path("text").asText());

                JsonNode after = ChatIT.sendText(api, amy, id, "post-1", "after the swap");
                assertEquals(6, after.path("seq").asLong(), "seq goes on where it stopped");
                assertEquals("after the swap", ws.awaitType("message.created", 10).path("data").path("text").asText(),
                        "the same socket gets live messages again");

                // Update with the built jar: the bundle is replaced, the data stays.
                Path jar = Path.of(System.getProperty("chat.jar"));
                Api.Reply updated = api.postRaw("/api/v1/admin/bundles/" + chat + "/update", admin,
                        Files.readAllBytes(jar), "application/java-archive");
                assertEquals(200, updated.status(), updated.toString());
                awaitStatus(api, "/api/v1/conversations/" + id + "/messages", ben, 200);
                assertEquals(6, api.get("/api/v1/conversations/" + id + "/messages", ben).json().path("messages").size());
                assertEquals(7, ChatIT.sendText(api, amy, id, "post-2", "after the update").path("seq").asLong());
                assertEquals("after the update", ws.awaitType("message.created", 10).path("data").path("text").asText());
                // The updated bundle takes message.send again, on the same socket; the refused one was not stored.
                ws.sendText(ChatIT.sendFrame(id, "post-3", "text", "over the socket again"));
                JsonNode sent = ChatIT.answerTo(ws, "post-3");
                assertEquals("message.sent", sent.path("type").asText(), sent.toString());
                assertEquals(8, sent.path("data").path("message").path("seq").asLong());
                assertFalse(ws.isClosed(), "one socket throughout");
            }
        }
    }

    /**
     * Requests that arrive while the bundle stops or starts get an answer of the API's own: 200, or
     * 404 or 503 with the error envelope (503 with {@code Retry-After}), never the container's error
     * page; a send refused that way stored nothing, and every send answered 201 is in the history.
     */
    @Test
    void requestsThatMeetTheSwapGetTheEnvelopeAndNoSendIsHalfDone() throws Exception {
        try (Switchboard sb = Switchboard.start(Switchboard.workDir("chat-swap-race"))) {
            Api api = sb.api();
            String admin = Switchboard.ADMIN_TOKEN;
            String cal = api.signUp("cal", "person", "Cal");
            api.signUp("dee", "person", "Dee");
            String id = ChatIT.direct(api, cal, "dee");
            long chat = bundleId(api, admin, "io.switchboard.chat");

            Map<Integer, Integer> seen = new ConcurrentHashMap<>();
            List<String> wrong = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger created = new AtomicInteger();
            AtomicBoolean running = new AtomicBoolean(true);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<?>> clients = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                clients.add(pool.submit(() -> {
                    while (running.get()) judge(api.get("/api/v1/conversations", cal), seen, wrong);
                    return null;
                }));
            }
            clients.add(pool.submit(() -> {
                for (int n = 1; running.get(); n++) {
                    Api.Reply r = ChatIT.send(api, cal, id, "race-" + n, obj("text", "sent during the swap " + n));
                    judge(r, seen, wrong);
                    if (r.status() == 201) created.incrementAndGet();
                }
                return null;
            }));
            try {
                for (int round = 0; round < 5; round++) {
                    api.post("/api/v1/admin/bundles/" + chat + "/stop", admin, "{}");
                    awaitStatus(api, "/api/v1/conversations", cal, 404);
                    Thread.sleep(200);
                    api.post("/api/v1/admin/bundles/" + chat + "/start", admin, "{}");
                    awaitStatus(api, "/api/v1/conversations", cal, 200);
                    Thread.sleep(200);
                }
            } finally {
                running.set(false);
                for (Future<?> f : clients) f.get(30, TimeUnit.SECONDS);
                pool.shutdown();
            }
            assertTrue(wrong.isEmpty(), "answers outside the API's own: " + wrong);
            assertTrue(seen.getOrDefault(404, 0) > 0 && seen.getOrDefault(200, 0) > 0, "statuses seen: " + seen);
            assertTrue(created.get() > 0, "statuses seen: " + seen);
            JsonNode newest = api.get("/api/v1/conversations/" + id + "/messages?limit=1", cal).json().path("messages");
            assertEquals(created.get(), newest.get(0).path("seq").asLong(),
                    "one stored message per 201, none for a refused send (statuses seen: " + seen + ")");
        }
    }

    private static void judge(Api.Reply r, Map<Integer, Integer> seen, List<String> wrong) {
        seen.merge(r.status(), 1, Integer::sum);
        boolean fine = switch (r.status()) {
            case 200, 201 -> true;
            case 404 -> r.body().startsWith("{") && r.errorCode() != null;
            case 503 -> r.body().startsWith("{") && r.errorCode() != null && r.header("Retry-After").isPresent();
            default -> false;
        };
        if (!fine && wrong.size() < 10) wrong.add(r.raw().request().method() + " " + r.raw().uri().getPath() + " -> "
                + r + " " + r.raw().headers().map());
    }

    static long bundleId(Api api, String admin, String symbolicName) throws Exception {
        for (JsonNode b : api.get("/api/v1/admin/bundles", admin).json().path("bundles")) {
            if (symbolicName.equals(b.path("symbolicName").asText())) return b.path("id").asLong();
        }
        throw new AssertionError(symbolicName + " is not installed");
    }

    static Api.Reply awaitStatus(Api api, String path, String token, int status) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        Api.Reply r;
        do {
            r = api.get(path, token);
            if (r.status() == status) return r;
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("Still " + r + " after 30 s, expected " + status);
    }
}
