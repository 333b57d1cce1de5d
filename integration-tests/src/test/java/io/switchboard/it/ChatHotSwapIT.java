package io.switchboard.it;

import static io.switchboard.it.Api.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
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
