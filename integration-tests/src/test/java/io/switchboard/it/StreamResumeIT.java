package io.switchboard.it;

import static io.switchboard.it.Api.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Stored updates over the stream: every device of the account gets them live; a device that was away
 * reconnects with {@code since} and gets exactly what it missed, in order, once; the long-poll endpoint
 * gives the same updates. The updates here come from profile changes ({@code account.updated}).
 */
class StreamResumeIT {

    @Test
    void liveResumeAndLongPoll() throws Exception {
        try (Switchboard sb = Switchboard.start(Switchboard.workDir("stream"))) {
            Api api = sb.api();
            String phone = api.signUp("henry", "person", "Henry");
            String laptop = api.login("henry");
            String stranger = api.signUp("ivan", "person", "Ivan");

            String lastSeen;
            try (StreamClient phoneWs = StreamClient.open(sb.wsUrl(), phone, null);
                 StreamClient laptopWs = StreamClient.open(sb.wsUrl(), laptop, null);
                 StreamClient strangerWs = StreamClient.open(sb.wsUrl(), stranger, null)) {
                assertEquals(200, api.patch("/api/v1/me", phone, obj("about", "live 1")).status());
                JsonNode onPhone = phoneWs.awaitType("account.updated", 10);
                JsonNode onLaptop = laptopWs.awaitType("account.updated", 10);
                assertEquals("live 1", onLaptop.path("data").path("about").asText(), "the other device gets it too");
                assertEquals(onPhone.path("cursor").asText(), onLaptop.path("cursor").asText());
                assertTrue(onPhone.path("cursor").isTextual(), "stored updates carry a cursor");
                lastSeen = onLaptop.path("cursor").asText();
                strangerWs.sendText("{\"type\":\"ping\"}");
                JsonNode next = strangerWs.next(2000);
                assertEquals("pong", next.path("type").asText(), "another account sees nothing of it: " + next);
            }

            // The laptop is offline while ten changes happen.
            for (int i = 1; i <= 10; i++) {
                assertEquals(200, api.patch("/api/v1/me", phone, obj("about", "missed " + i)).status());
            }
            try (StreamClient laptopWs = StreamClient.connect(sb.wsUrl())) {
                laptopWs.sendText(Api.JSON.writeValueAsString(obj("type", "auth", "token", laptop, "since", lastSeen)));
                List<JsonNode> got = new ArrayList<>();
                JsonNode f;
                while (!"ready".equals((f = laptopWs.await(x -> true, 10)).path("type").asText())) got.add(f);
                assertEquals(10, got.size(), "exactly the missed updates: " + got);
                java.util.Set<String> cursors = new java.util.HashSet<>(java.util.List.of(lastSeen));
                for (int i = 0; i < 10; i++) {
                    assertEquals("missed " + (i + 1), got.get(i).path("data").path("about").asText(), "in order");
                    assertTrue(cursors.add(got.get(i).path("cursor").asText()), "every update has its own cursor");
                }
                assertEquals(got.get(9).path("cursor").asText(), f.path("data").path("cursor").asText(),
                        "ready carries the cursor of the last update sent");
                // then live
                assertEquals(200, api.patch("/api/v1/me", phone, obj("about", "live 2")).status());
                JsonNode live = laptopWs.awaitType("account.updated", 10);
                assertEquals("live 2", live.path("data").path("about").asText());
                assertNull(laptopWs.next(500), "nothing is sent twice");
                lastSeen = live.path("cursor").asText();
            }

            // Long poll: returns what is there at once, or waits for the next update.
            Api.Reply now = api.get("/api/v1/updates?since=0&timeout=0", laptop);
            assertEquals(200, now.status(), now.toString());
            assertEquals(12, now.json().path("updates").size());
            assertEquals(lastSeen, now.json().path("cursor").asText());
            String since = lastSeen;
            CompletableFuture<Api.Reply> waiting = api.getAsync("/api/v1/updates?since=" + since + "&timeout=20", laptop);
            Thread.sleep(500);
            assertTrue(!waiting.isDone(), "the poll waits while there is nothing new");
            assertEquals(200, api.patch("/api/v1/me", phone, obj("about", "polled")).status());
            Api.Reply polled = waiting.get(15, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(1, polled.json().path("updates").size(), polled.toString());
            assertEquals("polled", polled.json().path("updates").get(0).path("data").path("about").asText());
            Api.Reply empty = api.get("/api/v1/updates?since=0&timeout=0", stranger);
            assertEquals(0, empty.json().path("updates").size(), "no one else's updates: " + empty);
        }
    }
}
